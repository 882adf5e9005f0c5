from django.urls import path

from . import integrations_page, invitation_views, webhook_views

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
    path("clinics/<slug:slug>/integrations/webhooks/", webhook_views.webhooks_page, name="webhooks"),
    path("clinics/<slug:slug>/integrations/webhooks/<int:endpoint_id>/", webhook_views.endpoint_page, name="webhook"),
    path("clinics/<slug:slug>/integrations/webhooks/<int:endpoint_id>/secret/", webhook_views.rotate_secret,
         name="webhook_secret"),
    path("clinics/<slug:slug>/integrations/webhooks/<int:endpoint_id>/remove/", webhook_views.remove_endpoint,
         name="webhook_remove"),
    path("clinics/<slug:slug>/integrations/webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>/send-again/",
         webhook_views.send_again, name="webhook_send_again"),
]
