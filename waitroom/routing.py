"""The websocket routes: each app's own (its routing.py), nothing more."""

from calls.routing import websocket_urlpatterns as call_sockets
from waiting.routing import websocket_urlpatterns as waiting_sockets

websocket_urlpatterns = [*waiting_sockets, *call_sockets]
