from importlib import import_module

from django.conf import settings


class SessionReaderMiddleware:
    """The browser's session in a socket's scope, to read only.

    Sockets never change a session (a caller's visit is put in it by the entry
    form, over HTTP). Channels' SessionMiddleware would look at every frame
    sent to see whether the session needs saving: ten thousand pages of a
    broadcast make that a cost worth not paying.
    """

    def __init__(self, inner):
        self.inner = inner
        self.store = import_module(settings.SESSION_ENGINE).SessionStore

    async def __call__(self, scope, receive, send):
        # Loaded from the database on first use, which is in the database thread.
        session = self.store(session_key=scope["cookies"].get(settings.SESSION_COOKIE_NAME))
        return await self.inner(dict(scope, session=session), receive, send)
