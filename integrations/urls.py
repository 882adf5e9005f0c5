from django.urls import path

from . import invitation_views

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
]
