"""Visits with known times for the reports' tests, made through the actions
(so their summaries are written as they are in use) on the test's clock."""

from datetime import datetime, timedelta, timezone as utc

from django.utils import timezone

from calls.actions import do_end_call, do_join_call
from testkit.helpers import make_caller
from waiting.actions import do_leave_waiting_area
from waiting.models import Caller, LeaveReason


class Clock:
    """django.utils.timezone.now, set by the test: the actions stamp their
    rows with it (arrival, a call's start, a visit's end)."""

    def __init__(self, monkeypatch):
        self.moment = datetime(2026, 5, 4, 9, 0, tzinfo=utc.utc)  # a Monday
        monkeypatch.setattr(timezone, "now", lambda: self.moment)

    def set(self, moment):
        self.moment = moment
        return moment

    def advance(self, duration):
        self.moment += duration
        return self.moment


def arrive(clock, clinic, at=None, name="Sue Smith"):
    if at is not None:
        clock.set(at)
    caller = make_caller(clinic, name=name)
    # The model's default stamps the arrival with the real clock.
    Caller.objects.filter(pk=caller.pk).update(arrived_at=clock.moment, status_changed_at=clock.moment)
    caller.refresh_from_db()
    return caller


def seen_visit(clock, clinic, member, *, waited, call=timedelta(minutes=10), at=None, name="Sue Smith"):
    """A caller who arrives (at `at`, or now), waits `waited`, is in a call for
    `call`, and whose visit ends with the call (End call)."""
    caller = arrive(clock, clinic, at, name)
    clock.advance(waited)
    started, _ = do_join_call(caller.pk, actor=member)
    clock.advance(call)
    do_end_call(started.pk, actor=member)
    return caller


def unseen_visit(clock, clinic, *, at=None, stayed=timedelta(minutes=5), reason=LeaveReason.LEFT, name="Ned Unseen"):
    """A caller who leaves (or is removed) before anybody sees them."""
    caller = arrive(clock, clinic, at, name)
    clock.advance(stayed)
    do_leave_waiting_area(caller.pk, reason=reason)
    return caller
