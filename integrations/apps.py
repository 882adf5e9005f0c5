from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    """What practice systems connect through: API keys and the REST API
    (api_keys.py, api.py), personal invitations (invitations.py), webhooks."""

    name = "integrations"

    def ready(self):
        from clinics.models import Clinic
        from waiting.signals import purging

        from .invitations import purge_old_invitations

        purging.connect(purge_old_invitations, sender=Clinic, dispatch_uid="integrations.purge_old_invitations")
