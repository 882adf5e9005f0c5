from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    """What practice systems connect through: API keys and the REST API
    (api_keys.py, api.py), personal invitations, webhooks."""

    name = "integrations"
