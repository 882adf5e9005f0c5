from django.urls import path

from . import views

app_name = "messaging"

urlpatterns = [
    path("clinics/<slug:slug>/notify/", views.notify, name="notify"),
    path("clinics/<slug:slug>/callers/<int:caller_id>/thread/", views.caller_thread, name="thread"),
]
