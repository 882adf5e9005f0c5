"""The queue: the callers who wait for the clinic, first come first served.

A caller is in the queue while their status is Waiting, also while their page
is Offline within the grace period (they keep their place). Callers being
seen or on hold are not in it. A caller who returns to waiting keeps the place
their arrival gave them.

Where a caller stands is their ticket, (arrival in microseconds, id): a caller
stands behind every caller in the queue with a smaller ticket. Caller pages
follow their place live by that rule alone (waiting/queue_page.py,
docs/realtime.md "Queue position")."""

import statistics
from datetime import datetime, timedelta, timezone as dt_timezone

from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from .models import Caller, Status

IN_QUEUE = Q(status=Status.WAITING) | Q(status=Status.OFFLINE, status_before_offline=Status.WAITING)

# The expected wait is shown only from this many callers seen in the last
# RECENT_DAYS (the newest RECENT_MOST of them count): fewer, and nothing is shown.
ENOUGH_SEEN = 10
RECENT_DAYS = 14
RECENT_MOST = 500
EXPECTED_WAIT_CACHE_SECONDS = 60

_EPOCH = datetime(1970, 1, 1, tzinfo=dt_timezone.utc)


def in_order(clinic_id):
    return Caller.objects.present().filter(IN_QUEUE, clinic_id=clinic_id).order_by("arrived_at", "pk")


def positions(clinic_id):
    """{caller id: place in the queue, from 1}."""
    return {pk: place for place, pk in enumerate(in_order(clinic_id).values_list("pk", flat=True), start=1)}


def holds(caller):
    """Is the caller in the queue?"""
    return caller.left_at is None and caller.current_status == Status.WAITING


def ticket(caller):
    """Where the caller stands: callers with a smaller ticket stand ahead."""
    return [(caller.arrived_at - _EPOCH) // timedelta(microseconds=1), caller.pk]


def position_of(caller):
    """The caller's place in the queue, or None if they are not in it."""
    if not holds(caller):
        return None
    ahead = Caller.objects.present().filter(IN_QUEUE, clinic_id=caller.clinic_id).filter(
        Q(arrived_at__lt=caller.arrived_at) | Q(arrived_at=caller.arrived_at, pk__lt=caller.pk)
    )
    return ahead.count() + 1


def queue_length(clinic_id):
    return Caller.objects.present().filter(IN_QUEUE, clinic_id=clinic_id).count()


def minutes_per_place(clinic_id):
    """How many minutes each place ahead has meant in this clinic lately: the
    median, over recent callers who were seen, of their wait from arrival to
    first being seen divided by their place on arrival. None when fewer than
    ENOUGH_SEEN such callers: no number rather than a wrong one.

    Kept in the cache for a minute per clinic, for all its pages and processes."""
    key = f"queue:minutes_per_place:{int(clinic_id)}"
    found = cache.get(key, "missing")
    if found == "missing":
        found = _minutes_per_place(clinic_id)
        cache.set(key, found, EXPECTED_WAIT_CACHE_SECONDS)
    return found


def _minutes_per_place(clinic_id):
    seen = (
        Caller.objects.filter(
            clinic_id=clinic_id,
            first_seen_at__gte=timezone.now() - timedelta(days=RECENT_DAYS),
            place_on_arrival__gte=1,
        )
        .order_by("-first_seen_at")
        .values_list("arrived_at", "first_seen_at", "place_on_arrival")[:RECENT_MOST]
    )
    per_place = [max(0.0, (first_seen - arrived).total_seconds() / 60 / place) for arrived, first_seen, place in seen]
    if len(per_place) < ENOUGH_SEEN:
        return None
    return round(statistics.median(per_place), 2)


# Expected waits are shown in 5-minute ranges below an hour, and as "more
# than an hour" above: a longer estimate is too rough for a range.
RANGE_MINUTES = 5
LONGEST_RANGE = 60


def expected_wait(position, per_place):
    """[from, to] minutes ("about 10–15 minutes"), [0, 5] for under five, [60,
    None] for over an hour; None when not known (no position, too few data)."""
    if position is None or per_place is None:
        return None
    minutes = position * per_place
    if minutes >= LONGEST_RANGE:
        return [LONGEST_RANGE, None]
    start = int(minutes // RANGE_MINUTES) * RANGE_MINUTES
    return [start, start + RANGE_MINUTES]


def standing_of(caller):
    """What the caller's page follows, from the database: {position,
    per_place}, or None when their clinic does not show the queue."""
    clinic = caller.clinic
    if not clinic.show_queue_position:
        return None
    return {"position": position_of(caller), "per_place": per_place_of(clinic)}


def per_place_of(clinic):
    return minutes_per_place(clinic.pk) if clinic.show_expected_wait else None


def page_state(standing):
    """What a caller's page shows of the queue (None: nothing)."""
    if standing is None:
        return None
    return {"position": standing["position"], "wait": expected_wait(standing["position"], standing["per_place"])}
