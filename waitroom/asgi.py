import os

from django.core.asgi import get_asgi_application

# Server tuning (waitroom/server/) is switched on by the server's command line
# and settings, not here: importing the application changes nothing else.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "waitroom.settings")
django_asgi_app = get_asgi_application()

from django.conf import settings  # noqa: E402

if settings.WAITROOM_TUNED_HTTP:  # each request whole in a pool thread (waitroom/server/http.py)
    from .server.http import DjangoInThreads

    django_asgi_app = DjangoInThreads(settings.WAITROOM_HTTP_THREADS, settings.WAITROOM_HTTP_QUEUE_SECONDS)

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402  (needs Django set up)

from realtime.middleware import SessionReaderMiddleware  # noqa: E402
from realtime.origin import SameOriginValidator  # noqa: E402

from .routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # Sessions for every socket; the signed-in user only where staff are
        # (routing.py): a caller's page is known by its session alone. Only
        # pages of the site's own origin (scheme, host, port) may open a socket.
        "websocket": SameOriginValidator(
            SessionReaderMiddleware(URLRouter(websocket_urlpatterns))
        ),
    }
)
