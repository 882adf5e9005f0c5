from django.urls import path

from . import audit_page, queue_settings, views

app_name = "clinics"

urlpatterns = [
    path("clinics/", views.home, name="home"),
    path("clinics/<slug:slug>/settings/", views.configuration, name="configuration"),
    path("clinics/<slug:slug>/settings/queue/", queue_settings.queue_settings, name="queue_settings"),
    path("clinics/<slug:slug>/audit/", audit_page.audit_page, name="audit"),
    path("clinics/<slug:slug>/audit/csv/", audit_page.audit_csv, name="audit_csv"),
]
