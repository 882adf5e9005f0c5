"""Writing the reports' numbers: one VisitSummary per visit, when it ends.

Heard from waiting's signals (reports/apps.py), inside the transaction that
ends the visit (or purges it), so a visit that ends has its summary in the
same commit. The summary is written once: a second hearing of the same end
(or the backfill, or the purge) finds it there and adds nothing."""

from django.db.models import Count, Q
from django.utils import timezone

from calls.models import Call
from messaging.models import Message
from waiting.models import Caller, Sender

from .days import day_of
from .models import VisitSummary

PIECE = 500  # visits summarised per statement when there are many (backfill, purge)


def summarise_ended_visit(sender, *, caller, **kwargs):
    """visit_ended: the caller's visit is over (left, removed, expired, call ended)."""
    write_summaries([caller])


def summarise_before_purge(sender, *, callers, **kwargs):
    """visits_purging: ended visits are about to be deleted. Those that ended
    before reports/ existed (or whose summary is missing for any reason) are
    summarised now, while their calls and messages are still there."""
    do_summarise_ended_visits(callers)


def do_summarise_ended_visits(callers=None):
    """Summarise every ended visit that has no summary yet (of `callers`, a
    queryset, or of all clinics). Returns how many summaries were written."""
    callers = Caller.objects.all() if callers is None else callers
    todo = callers.filter(left_at__isnull=False).exclude(
        pk__in=VisitSummary.objects.values("visit_id")
    ).select_related("clinic").order_by("pk")
    written = 0
    last = 0
    while True:
        piece = list(todo.filter(pk__gt=last)[:PIECE])
        if not piece:
            return written
        write_summaries(piece)
        written += len(piece)
        last = piece[-1].pk


def write_summaries(callers):
    """Write the summaries of these ended visits (Caller rows); a visit that
    has one already keeps it (the unique visit_id: the insert skips it)."""
    ids = [caller.pk for caller in callers]
    calls = _calls_of(ids)
    messages = {
        row["caller_id"]: row
        for row in Message.objects.filter(caller_id__in=ids)
        .values("caller_id")
        .annotate(
            from_clinic=Count("pk", filter=Q(sender=Sender.CLINIC)),
            from_caller=Count("pk", filter=Q(sender=Sender.CALLER)),
            notifications=Count("pk", filter=Q(sender=Sender.CLINIC, author__isnull=False)),
        )
        .order_by()
    }
    summaries = [summary_of(caller, calls.get(caller.pk, []), messages.get(caller.pk, {})) for caller in callers]
    VisitSummary.objects.bulk_create(summaries, ignore_conflicts=True)


def _calls_of(ids):
    found = {}
    for caller_id, started_at, ended_at in (
        Call.objects.filter(caller_id__in=ids).order_by("started_at").values_list("caller_id", "started_at", "ended_at")
    ):
        found.setdefault(caller_id, []).append((started_at, ended_at))
    return found


def summary_of(caller, calls, messages):
    """The numbers of one ended visit. `calls` are its calls' (started_at,
    ended_at), oldest first; `messages` its thread's counts."""
    ended = caller.left_at or timezone.now()
    first_seen = min((started for started, _ in calls), default=None)
    return VisitSummary(
        visit_id=caller.pk,
        clinic_id=caller.clinic_id,
        day=day_of(caller.clinic, caller.arrived_at),
        arrived_at=caller.arrived_at,
        waited_seconds=None if first_seen is None else _seconds(first_seen - caller.arrived_at),
        calls=len(calls),
        # A call still open as the visit ends is ended with it (calls/ hears
        # the same signal): it lasted until the visit's end.
        call_seconds=sum(_seconds((stopped or ended) - started) for started, stopped in calls),
        messages_from_clinic=messages.get("from_clinic", 0),
        messages_from_caller=messages.get("from_caller", 0),
        notifications=messages.get("notifications", 0),
        unanswered=caller.last_message_from == Sender.CALLER,
    )


def _seconds(duration):
    return max(0, round(duration.total_seconds()))
