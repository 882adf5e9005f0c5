"""The websocket Origin check, made the way Django's CSRF check compares a
form's Origin: scheme, host and port of the site as the request arrived, or
one of CSRF_TRUSTED_ORIGINS.

Channels' AllowedHostsOriginValidator compares the host name alone, so a page
of `http://127.0.0.1:9999` (any program on the clinic's machine, any port)
could open the dashboard's socket with the staff member's cookie, where CSRF
refuses the same Origin over HTTP.
"""

from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import is_same_domain, split_domain_port, validate_host


def _header(scope, name):
    for key, value in scope.get("headers", []):
        if key == name:
            return value.decode("latin1")
    return None


def _is_secure(scope):
    """As Django's request.is_secure(): the proxy's header when one is trusted
    (SECURE_PROXY_SSL_HEADER, set by BEHIND_TLS_PROXY), else the connection's."""
    if settings.SECURE_PROXY_SSL_HEADER:
        meta_name, secure_value = settings.SECURE_PROXY_SSL_HEADER
        name = meta_name.removeprefix("HTTP_").lower().replace("_", "-").encode("latin1")
        value = _header(scope, name)
        if value is not None:
            return value.split(",", 1)[0].strip() == secure_value
    return scope.get("scheme") in ("https", "wss")


def site_origin(scope):
    """The origin the page was served from, if the Host is one of ours."""
    host = _header(scope, b"host")
    if not host:
        return None
    domain, _port = split_domain_port(host)
    if not domain or not validate_host(domain, settings.ALLOWED_HOSTS):
        return None
    return f"{'https' if _is_secure(scope) else 'http'}://{host}"


def origin_allowed(scope):
    origin = _header(scope, b"origin")
    if not origin:
        return False  # browsers always send it on a websocket handshake
    if origin == site_origin(scope):
        return True
    trusted = settings.CSRF_TRUSTED_ORIGINS
    if origin in trusted:
        return True
    try:
        parsed = urlsplit(origin)
    except ValueError:
        return False
    # CSRF_TRUSTED_ORIGINS may name subdomains: "https://*.example.org".
    return any(
        "*" in t and urlsplit(t).scheme == parsed.scheme and is_same_domain(parsed.netloc, urlsplit(t).netloc[1:])
        for t in trusted
    )


class SameOriginValidator:
    """ASGI middleware: a websocket handshake from another origin is refused (403)."""

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket" and not origin_allowed(scope):
            return await WebsocketDenier()(scope, receive, send)
        return await self.application(scope, receive, send)
