from django.urls import path

from . import views

app_name = "clinics"

urlpatterns = [
    path("clinics/", views.home, name="home"),
    path("clinics/<slug:slug>/settings/", views.configuration, name="configuration"),
]
