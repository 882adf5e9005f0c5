"""The site passkeys belong to, from SITE_URL (WEBAUTHN_* override it)."""

import pytest

from waitroom.settings import webauthn_site


@pytest.mark.parametrize(
    "site_url, rp_id, origin",
    [
        ("https://wait.example.org", "wait.example.org", "https://wait.example.org"),
        ("https://wait.example.org:8443", "wait.example.org", "https://wait.example.org:8443"),
        # Browsers refuse an IP address as the relying party: the same computer as localhost.
        ("http://127.0.0.1:8000", "localhost", "http://localhost:8000"),
        ("http://[::1]:8000", "localhost", "http://localhost:8000"),
        ("http://localhost", "localhost", "http://localhost"),
        # No passkeys over plain HTTP elsewhere; the settings stay valid.
        ("http://praxis.lan:8000", "praxis.lan", "https://praxis.lan:8000"),
    ],
)
def test_it_follows_the_site_url(site_url, rp_id, origin):
    assert webauthn_site(site_url) == (rp_id, origin)
