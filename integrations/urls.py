from django.urls import path

from . import webhook_views

app_name = "integrations"

urlpatterns = [
    path("clinics/<slug:slug>/integrations/webhooks/", webhook_views.webhooks_page, name="webhooks"),
    path("clinics/<slug:slug>/integrations/webhooks/<int:endpoint_id>/", webhook_views.endpoint_page, name="webhook"),
    path("clinics/<slug:slug>/integrations/webhooks/<int:endpoint_id>/secret/", webhook_views.rotate_secret,
         name="webhook_secret"),
    path("clinics/<slug:slug>/integrations/webhooks/<int:endpoint_id>/remove/", webhook_views.remove_endpoint,
         name="webhook_remove"),
    path("clinics/<slug:slug>/integrations/webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>/send-again/",
         webhook_views.send_again, name="webhook_send_again"),
]
