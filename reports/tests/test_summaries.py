"""Each visit leaves one summary of numbers when it ends, whichever way it
ends, and the summary stays when the visit is purged."""

from datetime import date, datetime, timedelta, timezone as utc

import pytest
from django.core.management import call_command
from django.db import models, transaction

from calls.actions import do_join_call, do_leave_call
from calls.models import Call
from messaging.actions import do_notify, do_send_caller_message
from reports.models import VisitSummary
from waiting.actions import (
    do_expire_offline_callers,
    do_leave_waiting_area,
    do_page_connected,
    do_page_disconnected,
    do_purge_old_visits,
)
from waiting.models import Caller, LeaveReason
from waiting.signals import visit_ended

from .visits import arrive, seen_visit, unseen_visit

MINUTE = timedelta(minutes=1)


def summary_of(caller):
    return VisitSummary.objects.get(visit_id=caller.pk)


def test_a_visit_ended_by_its_call_has_its_wait_and_call(clock, clinic, team_member):
    sue = seen_visit(clock, clinic, team_member, waited=7 * MINUTE, call=12 * MINUTE)
    summary = summary_of(sue)
    assert summary.clinic == clinic
    assert summary.waited_seconds == 7 * 60
    assert summary.seen
    assert (summary.calls, summary.call_seconds) == (1, 12 * 60)
    assert summary.arrived_at == datetime(2026, 5, 4, 9, 0, tzinfo=utc.utc)
    assert summary.day == date(2026, 5, 4)


def test_nothing_is_written_while_the_visit_goes_on(clock, clinic, team_member):
    sue = arrive(clock, clinic)
    do_join_call(sue.pk, actor=team_member)
    assert not VisitSummary.objects.exists()


@pytest.mark.parametrize("reason", [LeaveReason.LEFT, LeaveReason.REMOVED])
def test_a_caller_who_leaves_unseen_is_counted_without_a_wait(clock, clinic, clinic_admin, reason):
    ned = arrive(clock, clinic)
    clock.advance(20 * MINUTE)
    do_leave_waiting_area(ned.pk, reason=reason, actor=clinic_admin if reason == LeaveReason.REMOVED else None)
    summary = summary_of(ned)
    assert summary.waited_seconds is None and not summary.seen
    assert (summary.calls, summary.call_seconds) == (0, 0)


def test_a_caller_who_leaves_during_the_call_ends_it_and_its_length_counts(clock, clinic, team_member):
    sue = arrive(clock, clinic)
    clock.advance(3 * MINUTE)
    do_join_call(sue.pk, actor=team_member)
    clock.advance(4 * MINUTE)
    do_leave_waiting_area(sue.pk)  # their Leave button, in the call
    summary = summary_of(sue)
    assert (summary.waited_seconds, summary.calls, summary.call_seconds) == (180, 1, 240)


def test_a_second_call_adds_its_length_and_the_wait_is_until_the_first(clock, clinic, team_member):
    sue = arrive(clock, clinic)
    clock.advance(5 * MINUTE)
    first, _ = do_join_call(sue.pk, actor=team_member)
    clock.advance(2 * MINUTE)
    do_leave_call(first.pk, actor=team_member, then="wait")  # back to waiting
    clock.advance(10 * MINUTE)
    do_join_call(sue.pk, actor=team_member)
    clock.advance(3 * MINUTE)
    do_leave_waiting_area(sue.pk, reason=LeaveReason.REMOVED, actor=team_member)
    summary = summary_of(sue)
    assert (summary.waited_seconds, summary.calls, summary.call_seconds) == (300, 2, 300)


def offline(clock, caller, minutes_ago):
    do_page_connected(caller.pk, "page-1")
    do_page_disconnected(caller.pk, "page-1")
    Caller.objects.filter(pk=caller.pk).update(offline_since=clock.moment - minutes_ago * MINUTE)


def test_a_caller_offline_past_the_grace_period_is_summarised_when_swept(clock, clinic):
    ned = arrive(clock, clinic)
    clock.advance(30 * MINUTE)
    offline(clock, ned, clinic.offline_grace_minutes + 1)
    assert do_expire_offline_callers() == [ned]
    summary = summary_of(ned)
    assert not summary.seen and summary.arrived_at == ned.arrived_at


def test_a_caller_whose_page_returns_after_the_grace_period_is_summarised(clock, clinic):
    ned = arrive(clock, clinic)
    clock.advance(30 * MINUTE)
    offline(clock, ned, clinic.offline_grace_minutes + 1)
    assert do_page_connected(ned.pk, "page-2").left_at is not None
    assert not summary_of(ned).seen


def test_a_caller_in_a_call_who_is_offline_too_long_ends_the_call_and_is_summarised(clock, clinic, team_member):
    sue = arrive(clock, clinic)
    clock.advance(2 * MINUTE)
    call, _ = do_join_call(sue.pk, actor=team_member)
    offline(clock, sue, 0)
    clock.advance((clinic.offline_grace_minutes + 1) * MINUTE)
    do_expire_offline_callers()
    summary = summary_of(sue)
    assert summary.waited_seconds == 120
    assert summary.calls == 1
    # The visit ended when the grace period did; its open call with it.
    assert Call.objects.get(pk=call.pk).ended_at is not None
    assert summary.call_seconds == (clinic.offline_grace_minutes + 1) * 60


def test_messages_each_way_notifications_and_an_unanswered_caller(clock, messaging_clinic, team_member):
    clinic = messaging_clinic
    sue, bob = arrive(clock, clinic, name="Sue Smith"), arrive(clock, clinic, name="Bob Jones")
    do_notify(clinic, actor=team_member, caller_ids=[sue.pk, bob.pk], body="Dr Lee is running late")  # notify many
    do_notify(clinic, actor=team_member, caller_ids=[sue.pk], body="Nearly there")  # notify one
    do_send_caller_message(sue.pk, body="Thank you")
    do_send_caller_message(bob.pk, body="How long?")
    do_notify(clinic, actor=team_member, caller_ids=[bob.pk], body="Five minutes")
    do_leave_waiting_area(sue.pk)
    do_leave_waiting_area(bob.pk)
    sue_summary, bob_summary = summary_of(sue), summary_of(bob)
    assert (sue_summary.messages_from_clinic, sue_summary.messages_from_caller, sue_summary.notifications) == (2, 1, 2)
    assert sue_summary.unanswered  # her message was the last
    assert (bob_summary.messages_from_clinic, bob_summary.messages_from_caller, bob_summary.notifications) == (2, 1, 2)
    assert not bob_summary.unanswered


def test_it_is_written_once_however_often_the_end_is_heard(clock, clinic, team_member):
    sue = seen_visit(clock, clinic, team_member, waited=MINUTE)
    first = summary_of(sue)
    with transaction.atomic():
        visit_ended.send(sender=Caller, caller=Caller.objects.select_related("clinic").get(pk=sue.pk), actor=None)
    assert VisitSummary.objects.filter(visit_id=sue.pk).count() == 1
    assert summary_of(sue).pk == first.pk
    do_leave_waiting_area(sue.pk)  # already over: nothing more
    assert VisitSummary.objects.count() == 1


def test_the_summary_holds_numbers_only():
    text = [f.name for f in VisitSummary._meta.get_fields() if isinstance(f, (models.CharField, models.TextField, models.JSONField))]
    assert text == []


def test_summaries_stay_when_their_visits_are_purged(clock, clinic, team_member):
    sue = seen_visit(clock, clinic, team_member, waited=4 * MINUTE)
    clock.advance(timedelta(days=clinic.retention_days + 1))
    assert do_purge_old_visits() == 1
    assert not Caller.objects.filter(pk=sue.pk).exists()
    assert summary_of(sue).waited_seconds == 240


def test_the_purge_summarises_a_visit_that_ended_without_a_summary(clock, clinic, team_member):
    """A visit that ended before reports/ existed: the purge counts it before it goes."""
    sue = seen_visit(clock, clinic, team_member, waited=4 * MINUTE, call=6 * MINUTE)
    VisitSummary.objects.all().delete()
    clock.advance(timedelta(days=clinic.retention_days + 1))
    do_purge_old_visits()
    summary = summary_of(sue)
    assert (summary.waited_seconds, summary.call_seconds) == (240, 360)


def test_the_backfill_summarises_ended_visits_once(clock, clinic, team_member, capsys):
    sue = seen_visit(clock, clinic, team_member, waited=2 * MINUTE)
    ned = unseen_visit(clock, clinic)
    present = arrive(clock, clinic, name="Still Here")
    VisitSummary.objects.all().delete()
    call_command("summarise_visits")
    assert "Summarised 2 ended visits." in capsys.readouterr().out
    assert summary_of(sue).waited_seconds == 120 and not summary_of(ned).seen
    assert not VisitSummary.objects.filter(visit_id=present.pk).exists()
    call_command("summarise_visits")
    assert "Summarised 0 ended visits." in capsys.readouterr().out
    assert VisitSummary.objects.count() == 2


def test_the_day_is_the_arrivals_in_the_clinics_time_zone(clock, clinic, settings):
    settings.TIME_ZONE = "Europe/Berlin"
    # 23:30 UTC on Sunday 3 May is 01:30 on Monday 4 May in Berlin (summer time).
    late = unseen_visit(clock, clinic, at=datetime(2026, 5, 3, 23, 30, tzinfo=utc.utc))
    # 21:59 UTC is still Monday in Berlin (23:59).
    monday = unseen_visit(clock, clinic, at=datetime(2026, 5, 4, 21, 59, tzinfo=utc.utc))
    # 22:00 UTC is Tuesday's midnight there.
    tuesday = unseen_visit(clock, clinic, at=datetime(2026, 5, 4, 22, 0, tzinfo=utc.utc))
    assert [summary_of(c).day for c in (late, monday, tuesday)] == [date(2026, 5, 4), date(2026, 5, 4), date(2026, 5, 5)]


def test_a_visit_transferred_counts_for_the_clinic_it_ended_in(clock, clinic, other_clinic, team_member):
    from waiting.actions import do_transfer_caller

    sue = arrive(clock, clinic)
    do_transfer_caller(sue.pk, other_clinic, actor=team_member)
    do_leave_waiting_area(sue.pk)
    assert summary_of(sue).clinic == other_clinic
