"""What a caller's page and a dashboard are told when they connect (Zulip's
fetch_initial_state_data): built here from the database, sent by the
consumers (waiting/consumers.py). Other apps add their parts to the caller's
hello (messaging: the thread; calls: the call)."""

from django.db import transaction
from django.db.models import Count, Sum

from audit.log import record
from clinics.models import Clinic
from realtime import events
from realtime.frames import page_clock

from .models import Caller


def caller_hello(caller):
    """A caller page's first frame: its visit and its clinic."""
    return {
        "type": "hello",
        "visit": events.visit_state(caller),
        "clinic": events.clinic_for_callers(caller.clinic),
        **page_clock(),
    }


def visit_over(caller):
    """The only frame of a page whose visit is over (or was never here)."""
    return {"type": "visit", "visit": events.visit_state(caller) if caller else {"present": False, "leave_reason": ""}}


def clinic_for_callers(clinic_id):
    return events.clinic_for_callers(Clinic.objects.get(pk=clinic_id))


def dashboard_opened(clinic_id, user):
    """The snapshot of a dashboard a person opens, recorded as a read of
    patient data (who, which clinic, how many callers) in the transaction
    that reads it.

    Only the opening is recorded, not the fresh snapshot the watchdog sends an
    open dashboard that missed an announcement (`dashboard_snapshot`): that
    page already shows these callers, and a record per lost announcement
    would make the trail count network trouble rather than what people did.
    A page that reconnects opens again, and is recorded again."""
    with transaction.atomic():
        clinic = Clinic.objects.get(pk=clinic_id)
        snapshot = _snapshot(clinic)
        record("dashboard.opened", clinic=clinic, actor=user, callers=len(snapshot["cards"]))
    return snapshot


def dashboard_snapshot(clinic_id):
    """The frame a dashboard that fell behind gets again: the clinic and
    every present caller's card."""
    return _snapshot(Clinic.objects.get(pk=clinic_id))


def _snapshot(clinic):
    return {
        "type": "snapshot",
        "clinic": events.clinic_for_callers(clinic),
        "cards": [events.caller_card(c) for c in Caller.objects.present().filter(clinic=clinic)],
        **page_clock(),
    }


def dashboard_checksum(clinic_id):
    """(number of present callers, sum of their versions): a dashboard whose
    cards add up to something else has missed an announcement."""
    stored = Caller.objects.present().filter(clinic_id=clinic_id).aggregate(n=Count("id"), versions=Sum("version"))
    return stored["n"], stored["versions"] or 0
