from django.urls import path

from . import audit_page, poster, settings_sections, views

app_name = "clinics"

urlpatterns = [
    path("clinics/", views.home, name="home"),
    path("clinics/<slug:slug>/settings/", views.configuration, name="configuration"),
    # One address per section of the General configuration (settings_sections.py).
    *(
        path(
            f"clinics/<slug:slug>/settings/{section.slug}/",
            views.section,
            {"section_slug": section.slug},
            name=section.url_name.removeprefix("clinics:"),
        )
        for section in settings_sections.form_sections()
    ),
    path("clinics/<slug:slug>/poster/", poster.poster, name="poster"),
    path("clinics/<slug:slug>/audit/", audit_page.audit_page, name="audit"),
    path("clinics/<slug:slug>/audit/csv/", audit_page.audit_csv, name="audit_csv"),
]
