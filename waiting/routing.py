from channels.auth import AuthMiddleware
from django.urls import path

from .consumers import DashboardConsumer, caller_page


def caller_socket_path(slug):
    return f"/ws/w/{slug}/"


def dashboard_socket_path(slug):
    return f"/ws/clinics/{slug}/"


# A caller's page is known by its session alone; staff pages by the signed-in user.
websocket_urlpatterns = [
    path("ws/w/<slug:slug>/", caller_page().as_asgi()),
    path("ws/clinics/<slug:slug>/", AuthMiddleware(DashboardConsumer.as_asgi())),
]
