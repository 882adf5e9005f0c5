"""What becomes a webhook event: the apps' signals, each sent inside the
transaction of its change, write the event to the outbox right there — a
change rolled back leaves no event, and no event is lost between the change
and the worker (store first).

Each event costs one indexed query of the clinic's active endpoints when the
clinic has none that wants it (the common case: entering, status changes and
messages are hot paths), and nothing else. `data` carries ids and statuses;
`details` (entry fields, message bodies) are read and stored only when one
of the endpoints asked for them.

integrations/apps.py connects these receivers."""

from django.utils import timezone

from .webhooks import WebhookDelivery, WebhookEndpoint, WebhookEvent, new_msg_id


def _time(value):
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def write_event(clinic, type, data, details=None):
    """Put the event in the outbox for each of the clinic's active endpoints
    that chose it. `details` is a function, called only if an endpoint wants them.
    Returns the event, or None when no endpoint wants it."""
    clinic_id = clinic if isinstance(clinic, int) else clinic.pk
    wanted = [
        (pk, include)
        for pk, events, include in WebhookEndpoint.objects.filter(clinic_id=clinic_id, active=True).values_list(
            "pk", "events", "include_details"
        )
        if type in events
    ]
    if not wanted:
        return None
    now = timezone.now()
    with_details = details is not None and any(include for _, include in wanted)
    event = WebhookEvent.objects.create(
        msg_id=new_msg_id(), clinic_id=clinic_id, type=type, data=data,
        details=details() if with_details else None, created_at=now,
    )
    WebhookDelivery.objects.bulk_create(
        WebhookDelivery(event=event, endpoint_id=pk, tries_since=now, next_attempt_at=now) for pk, _ in wanted
    )
    return event


def _entry_fields(caller):
    return lambda: {
        "name": caller.name,
        "phone": caller.phone,
        "date_of_birth": caller.date_of_birth.isoformat() if caller.date_of_birth else None,
        "extra_answer": caller.extra_answer,
        "language": caller.language,
    }


def on_visit_started(sender, caller, **kwargs):
    write_event(
        caller.clinic_id, "caller.entered",
        {"caller_id": caller.pk, "status": caller.status, "arrived_at": _time(caller.arrived_at)},
        _entry_fields(caller),
    )


def on_status_changed(sender, caller, status, **kwargs):
    write_event(caller.clinic_id, "caller.status_changed", {"caller_id": caller.pk, "status": str(status)})


def on_visit_ended(sender, caller, **kwargs):
    write_event(
        caller.clinic_id, "visit.ended",
        {"caller_id": caller.pk, "reason": caller.leave_reason, "arrived_at": _time(caller.arrived_at),
         "left_at": _time(caller.left_at)},
    )


def on_caller_message(sender, message, caller, **kwargs):
    write_event(
        caller.clinic_id, "caller.message_received",
        {"caller_id": caller.pk, "message_seq": message.seq, "sent_at": _time(message.created_at)},
        lambda: {"body": message.body},
    )


def on_call_started(sender, call, **kwargs):
    write_event(
        call.clinic_id, "call.started",
        {"call_id": call.pk, "caller_id": call.caller_id, "started_at": _time(call.started_at)},
    )


def on_call_ended(sender, call, **kwargs):
    write_event(
        call.clinic_id, "call.ended",
        {"call_id": call.pk, "caller_id": call.caller_id, "started_at": _time(call.started_at),
         "ended_at": _time(call.ended_at),
         "duration_seconds": round((call.ended_at - call.started_at).total_seconds()) if call.ended_at else None},
    )


def on_invitation_used(sender, invitation, caller, **kwargs):
    write_event(caller.clinic_id, "invitation.used", {"invitation_id": invitation.pk, "caller_id": caller.pk})
