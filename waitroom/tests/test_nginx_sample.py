"""The nginx sample sends HSTS on every answer of the TLS site: nginx drops a
server's add_header lines in a location that has add_header lines of its own,
so such a location must repeat it."""

import re
from pathlib import Path

CONF = Path(__file__).resolve().parent.parent.parent / "deploy" / "nginx-waitroom.conf"
HSTS = 'add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;'


def tls_server():
    text = CONF.read_text()
    return text[text.index("listen 443") :]


def test_the_tls_site_sends_hsts():
    assert HSTS in tls_server().split("\n    location ")[0]


def test_every_location_that_adds_headers_repeats_it():
    for location in re.findall(r"location [^{]+\{[^}]*\}", tls_server()):
        if "add_header" in location:
            assert HSTS in location, location


def test_the_apps_own_copy_is_not_sent_twice():
    assert "proxy_hide_header Strict-Transport-Security;" in tls_server()
