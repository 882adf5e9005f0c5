from django.urls import path

from . import views

app_name = "staff_sessions"

urlpatterns = [
    path("session/stay/", views.stay_signed_in, name="stay"),
]
