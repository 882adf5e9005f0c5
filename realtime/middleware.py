from importlib import import_module

from django.conf import settings
from django.http.cookie import parse_cookie


class SessionReaderMiddleware:
    """The browser's session in a socket's scope, to read only.

    Sockets never change a session (a caller's visit is put in it by the entry
    form, over HTTP). Channels' CookieMiddleware and SessionMiddleware would
    copy the scope twice for each of ten thousand pages and look at every
    frame sent to see whether the session needs saving; this reads the one
    cookie it needs, once.
    """

    def __init__(self, inner):
        self.inner = inner
        self.store = import_module(settings.SESSION_ENGINE).SessionStore

    async def __call__(self, scope, receive, send):
        key = None
        for name, value in scope["headers"]:
            if name == b"cookie":
                key = parse_cookie(value.decode("latin1")).get(settings.SESSION_COOKIE_NAME)
                break
        # Loaded from the database on first use, which is in the database thread.
        return await self.inner(dict(scope, session=self.store(session_key=key)), receive, send)
