"""The one way to write the audit trail; called by the action functions."""

from .models import AuditEvent


def record(action, *, clinic=None, actor=None, caller=None, **details):
    return AuditEvent.objects.create(
        action=action,
        clinic=clinic,
        actor=actor if actor is not None and actor.is_authenticated else None,
        caller_id=caller.pk if caller is not None else None,
        details=details,
    )
