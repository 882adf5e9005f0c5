from django.urls import path

from . import audit_page, invitation_page, poster, settings_sections, team_page, views

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
    path("clinics/<slug:slug>/team/", team_page.team_page, name="team"),
    path("clinics/<slug:slug>/team/invite/", team_page.invite, name="invite"),
    path("clinics/<slug:slug>/team/invitations/<int:invitation_id>/resend/", team_page.resend, name="resend_invitation"),
    path("clinics/<slug:slug>/team/invitations/<int:invitation_id>/revoke/", team_page.revoke, name="revoke_invitation"),
    path("clinics/<slug:slug>/team/members/<int:user_id>/role/", team_page.change_role, name="change_role"),
    path("clinics/<slug:slug>/team/members/<int:user_id>/remove/", team_page.remove, name="remove_member"),
    path("invitation/<str:token>/", invitation_page.invitation_page, name="invitation"),
]
