from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"

    def ready(self):
        from clinics.models import Clinic
        from waiting.signals import purging

        from .invitations import purge_old_invitations

        purging.connect(purge_old_invitations, sender=Clinic, dispatch_uid="integrations.purge_old_invitations")
