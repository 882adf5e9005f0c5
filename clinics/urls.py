from django.urls import path

from . import audit_page, views

app_name = "clinics"

urlpatterns = [
    path("clinics/", views.home, name="home"),
    path("clinics/<slug:slug>/settings/", views.configuration, name="configuration"),
    path("clinics/<slug:slug>/audit/", audit_page.audit_page, name="audit"),
    path("clinics/<slug:slug>/audit/csv/", audit_page.audit_csv, name="audit_csv"),
]
