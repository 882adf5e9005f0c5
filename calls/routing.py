from channels.auth import AuthMiddleware
from django.urls import path

from .consumers import StaffCallConsumer


def call_socket_path(slug, call_id):
    return f"/ws/clinics/{slug}/calls/{call_id}/"


websocket_urlpatterns = [
    path("ws/clinics/<slug:slug>/calls/<int:call_id>/", AuthMiddleware(StaffCallConsumer.as_asgi())),
]
