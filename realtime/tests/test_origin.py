"""The websocket Origin check compares like Django's CSRF check: the scheme,
host and port the page was served from, or one of CSRF_TRUSTED_ORIGINS. Once
`http://127.0.0.1:9999` — any program on another port of the clinic's
machine — got the dashboard's snapshot with the staff member's cookie."""

import pytest

from realtime.origin import origin_allowed
from testkit.sockets import FRAME, enter, socket, staff_cookie

pytestmark = pytest.mark.django_db(transaction=True)


async def opens(path, cookie, origin, host="testserver", headers=()):
    page = socket(path, cookie, origin=origin, host=host, headers=headers)
    connected, _ = await page.connect(timeout=FRAME)
    if connected:
        first = await page.receive_json_from(timeout=FRAME)
        await page.disconnect()
        return first["type"]
    await page.disconnect()
    return None


async def dashboard_opens(team_member, origin, **kwargs):
    return await opens("/ws/clinics/sunrise/", await staff_cookie(team_member), origin, **kwargs)


@pytest.mark.parametrize(
    "origin",
    [
        "http://testserver:9999",  # another port of the same host
        "https://testserver",  # another scheme
        "http://testserver:80",  # a port the page's origin does not name
        "ws://testserver",
        "http://TESTSERVER.evil.example",
        "http://testserver@evil.example",
    ],
)
async def test_another_origin_of_the_same_host_gets_no_snapshot(clinic, team_member, origin):
    assert await dashboard_opens(team_member, origin) is None


async def test_the_sites_own_origin_gets_its_snapshot(clinic, team_member):
    assert await dashboard_opens(team_member, "http://testserver") == "snapshot"


async def test_the_port_is_part_of_the_origin(clinic, team_member, settings):
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    assert await dashboard_opens(team_member, "http://127.0.0.1:8000", host="127.0.0.1:8000") == "snapshot"
    assert await dashboard_opens(team_member, "http://127.0.0.1:9999", host="127.0.0.1:8000") is None


async def test_a_host_the_site_does_not_serve_is_refused_even_from_its_own_origin(clinic, team_member):
    # DNS rebinding: a page of evil.example whose name now points at the clinic's server.
    assert await dashboard_opens(team_member, "http://evil.example", host="evil.example") is None


async def test_the_callers_page_is_checked_alike(clinic):
    ada = await enter(clinic)
    path = f"/ws/w/{clinic.slug}/"
    assert await opens(path, ada.cookie, "http://testserver:9999") is None
    assert await opens(path, ada.cookie, "http://testserver") == "hello"


async def test_behind_a_tls_proxy_the_proxys_scheme_counts(clinic, team_member, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")  # BEHIND_TLS_PROXY=true
    https = [(b"x-forwarded-proto", b"https")]

    assert await dashboard_opens(team_member, "https://testserver", headers=https) == "snapshot"
    assert await dashboard_opens(team_member, "http://testserver", headers=https) is None


async def test_without_a_trusted_proxy_its_header_counts_for_nothing(clinic, team_member, settings):
    settings.SECURE_PROXY_SSL_HEADER = None
    https = [(b"x-forwarded-proto", b"https")]

    assert await dashboard_opens(team_member, "https://testserver", headers=https) is None
    assert await dashboard_opens(team_member, "http://testserver", headers=https) == "snapshot"


async def test_csrf_trusted_origins_are_trusted_here_too(clinic, team_member, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://wait.example.org", "https://*.clinics.example.org"]

    assert await dashboard_opens(team_member, "https://wait.example.org") == "snapshot"
    assert await dashboard_opens(team_member, "https://sunrise.clinics.example.org") == "snapshot"
    assert await dashboard_opens(team_member, "http://wait.example.org") is None
    assert await dashboard_opens(team_member, "https://clinics.example.org.evil.example") is None


def scope(origin, host="wait.example.org", scheme="ws", **headers):
    raw = [(b"host", host.encode()), (b"origin", origin.encode())]
    raw += [(k.replace("_", "-").encode(), v.encode()) for k, v in headers.items()]
    return {"type": "websocket", "scheme": scheme, "headers": raw}


def test_a_socket_over_tls_has_an_https_origin(settings):
    settings.ALLOWED_HOSTS = ["wait.example.org"]
    settings.SECURE_PROXY_SSL_HEADER = None

    assert origin_allowed(scope("https://wait.example.org", scheme="wss"))
    assert not origin_allowed(scope("http://wait.example.org", scheme="wss"))
    assert origin_allowed(scope("http://wait.example.org", scheme="ws"))


def test_the_proxys_first_scheme_counts(settings):
    settings.ALLOWED_HOSTS = ["wait.example.org"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

    assert origin_allowed(scope("https://wait.example.org", x_forwarded_proto="https, http"))
    assert not origin_allowed(scope("https://wait.example.org", x_forwarded_proto="http, https"))
