from django.urls import path

from . import integrations_page, invitation_views

app_name = "integrations"

urlpatterns = [
    # The patient's personal link (docs/invitations.md).
    path("i/<str:token>/", invitation_views.invitation_page, name="invitation"),
    # The clinic's team: appointment invitations.
    path("clinics/<slug:slug>/appointments/", invitation_views.appointments_page, name="appointments"),
    path(
        "clinics/<slug:slug>/appointments/<int:invitation_id>/cancel/",
        invitation_views.cancel,
        name="cancel_invitation",
    ),
    path("clinics/<slug:slug>/integrations/", integrations_page.integrations_page, name="integrations"),
    path("clinics/<slug:slug>/integrations/keys/", integrations_page.create_key, name="create_key"),
    path("clinics/<slug:slug>/integrations/keys/<int:key_id>/revoke/", integrations_page.revoke_key, name="revoke_key"),
]
