from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    """What practice systems connect through: API keys and the REST API
    (api_keys.py, api.py), personal invitations (invitations.py), webhooks."""

    name = "integrations"

    def ready(self):
        from calls.models import Call
        from calls.signals import call_ended, call_started
        from messaging.models import Message
        from messaging.signals import caller_message_received
        from clinics.models import Clinic
        from waiting.models import Caller
        from waiting.signals import purge_ran, purging, status_changed, visit_ended, visit_started, visits_purging

        from . import webhook_events as on
        from . import webhooks
        from .invitations import purge_old_invitations
        from .signals import invitation_used

        purging.connect(purge_old_invitations, sender=Clinic, dispatch_uid="integrations.purge_old_invitations")

        # Webhook events, written in the transaction of each change (store first).
        visit_started.connect(on.on_visit_started, sender=Caller, dispatch_uid="integrations.webhook_entered")
        status_changed.connect(on.on_status_changed, sender=Caller, dispatch_uid="integrations.webhook_status")
        visit_ended.connect(on.on_visit_ended, sender=Caller, dispatch_uid="integrations.webhook_visit_ended")
        caller_message_received.connect(on.on_caller_message, sender=Message, dispatch_uid="integrations.webhook_message")
        call_started.connect(on.on_call_started, sender=Call, dispatch_uid="integrations.webhook_call_started")
        call_ended.connect(on.on_call_ended, sender=Call, dispatch_uid="integrations.webhook_call_ended")
        invitation_used.connect(on.on_invitation_used, dispatch_uid="integrations.webhook_invitation_used")
        purge_ran.connect(purge_old_deliveries, sender=Caller, dispatch_uid="integrations.purge_deliveries")
        visits_purging.connect(
            webhooks.forget_details_of_purged_visits, sender=Caller, dispatch_uid="integrations.forget_webhook_details"
        )


def purge_old_deliveries(sender, **kwargs):
    from .webhooks import do_purge_old_deliveries

    do_purge_old_deliveries()
