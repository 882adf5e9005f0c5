from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("clinics/<slug:slug>/reports/", views.reports_page, name="reports"),
    path("clinics/<slug:slug>/reports/csv/", views.reports_csv, name="reports_csv"),
]
