from django.urls import path

from . import views

app_name = "calls"

urlpatterns = [
    path("clinics/<slug:slug>/callers/<int:caller_id>/join/", views.join, name="join"),
    path("clinics/<slug:slug>/calls/<int:call_id>/", views.call_page, name="call"),
    path("clinics/<slug:slug>/calls/<int:call_id>/<slug:action>/", views.call_action, name="call-action"),
]
