from channels.auth import AuthMiddleware
from django.urls import path

from realtime.consumers import CallerConsumer, DashboardConsumer, StaffCallConsumer

websocket_urlpatterns = [
    path("ws/w/<slug:slug>/", CallerConsumer.as_asgi()),
    path("ws/clinics/<slug:slug>/", AuthMiddleware(DashboardConsumer.as_asgi())),
    path("ws/clinics/<slug:slug>/calls/<int:call_id>/", AuthMiddleware(StaffCallConsumer.as_asgi())),
]


def caller_socket_path(slug):
    return f"/ws/w/{slug}/"


def dashboard_socket_path(slug):
    return f"/ws/clinics/{slug}/"


def call_socket_path(slug, call_id):
    return f"/ws/clinics/{slug}/calls/{call_id}/"
