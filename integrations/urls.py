from django.urls import path

from . import integrations_page

app_name = "integrations"

urlpatterns = [
    path("clinics/<slug:slug>/integrations/", integrations_page.integrations_page, name="integrations"),
    path("clinics/<slug:slug>/integrations/keys/", integrations_page.create_key, name="create_key"),
    path("clinics/<slug:slug>/integrations/keys/<int:key_id>/revoke/", integrations_page.revoke_key, name="revoke_key"),
]
