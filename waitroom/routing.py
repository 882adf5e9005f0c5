from django.urls import path

from realtime.consumers import CallerConsumer, DashboardConsumer

websocket_urlpatterns = [
    path("ws/w/<slug:slug>/", CallerConsumer.as_asgi()),
    path("ws/clinics/<slug:slug>/", DashboardConsumer.as_asgi()),
]


def caller_socket_path(slug):
    return f"/ws/w/{slug}/"


def dashboard_socket_path(slug):
    return f"/ws/clinics/{slug}/"
