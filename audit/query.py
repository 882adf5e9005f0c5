"""What a clinic's audit trail holds, for the clinic admin's audit page
(clinics/audit_page.py). It imports nothing of ours: audit is the bottom app."""

from django.db.models import Q

from .models import AuditEvent


def events_of_clinic(clinic_id, member_ids, *, actor_id=None, action=None, since=None, before=None):
    """The clinic's events, newest first, with who did them.

    Sign-ins, sign-outs and other account events belong to a person, not to a
    clinic (they are recorded without one): a clinic's trail includes those of
    the people who are its members, `member_ids`."""
    events = AuditEvent.objects.filter(
        Q(clinic_id=clinic_id) | Q(clinic=None, action__startswith="account.", actor_id__in=member_ids)
    )
    if actor_id is not None:
        events = events.filter(actor_id=actor_id)
    if action:
        events = events.filter(action=action)
    if since is not None:
        events = events.filter(created_at__gte=since)
    if before is not None:
        events = events.filter(created_at__lt=before)
    return events.select_related("actor").order_by("-created_at", "-id")


def actions_of_clinic(clinic_id, member_ids):
    """Every action name the clinic's trail holds, for the filter's choices."""
    return set(events_of_clinic(clinic_id, member_ids).order_by().values_list("action", flat=True).distinct())


def older_than(events, last):
    """The events after `last` (an event) in newest-first order: for reading
    a long trail in pieces without OFFSET."""
    return events.filter(
        Q(created_at__lt=last.created_at) | Q(created_at=last.created_at, id__lt=last.pk)
    )
