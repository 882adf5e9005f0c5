"""A call nobody of the clinic attends any more (closed tab, crashed browser)
ends with the caller on hold, where they see that they wait and can write."""

from datetime import timedelta

from audit.models import AuditEvent
from calls.actions import (
    ABANDONED_AFTER,
    do_hold,
    do_release_abandoned_calls,
    do_sweep_calls,
    do_staff_page_connected,
    do_staff_page_disconnected,
)
from calls.models import Participant
from realtime.events import CALL_CHANGED, VISIT_CHANGED, caller_group, staff_group
from testkit.helpers import Listener, ago, make_caller
from waiting.actions import do_leave_waiting_area
from waiting.models import Status

from .helpers import in_call, present, seat_of

LONG_AGO = ABANDONED_AFTER + timedelta(seconds=1)
LATELY = ABANDONED_AFTER - timedelta(seconds=10)


def away_since(call, user, when):
    """The team member's call page went away `when` ago (their page's socket
    closed then)."""
    Participant.objects.filter(pk=seat_of(call, user).pk).update(channel_name="", away_since=ago(seconds=when.total_seconds()))


def fresh(obj):
    obj.refresh_from_db()
    return obj


def test_it_works(clinic, team_member, django_capture_on_commit_callbacks):
    sue = make_caller(clinic)
    call = in_call(sue, team_member)
    away_since(call, team_member, LONG_AGO)
    dashboards = Listener(staff_group(clinic.pk))
    page = Listener(caller_group(sue.pk))
    with django_capture_on_commit_callbacks(execute=True):
        released = do_release_abandoned_calls()

    assert [c.pk for c in released] == [call.pk]
    assert not fresh(call).is_open
    assert present(call) == []
    sue = fresh(sue)
    assert sue.status == Status.ON_HOLD and sue.is_present
    abandoned = AuditEvent.objects.get(action="call.abandoned")
    assert (abandoned.caller_id, abandoned.actor) == (sue.pk, None)
    (event,) = dashboards.events()
    assert event["cards"][0]["status"] == "on_hold"
    assert [e["type"] for e in page.events()] == [VISIT_CHANGED, CALL_CHANGED]


def test_it_waits_for_a_page_that_is_away_only_briefly(clinic, team_member):
    # A refresh or a network blip: the call goes on.
    sue = make_caller(clinic)
    call = in_call(sue, team_member)
    away_since(call, team_member, LATELY)
    assert do_release_abandoned_calls() == []
    assert fresh(call).is_open
    assert fresh(sue).status == Status.BEING_SEEN


def test_it_gives_a_page_that_was_never_opened_the_same_time(clinic, team_member):
    # Join marks the seat away until the call page connects.
    sue = make_caller(clinic)
    call = in_call(sue, team_member)
    assert do_release_abandoned_calls() == []
    assert fresh(call).is_open


def test_it_keeps_a_call_that_one_team_member_still_attends(clinic, team_member, clinic_admin):
    sue = make_caller(clinic)
    call = in_call(sue, team_member, clinic_admin)
    do_staff_page_connected(call.pk, actor=clinic_admin, channel_name="alex-call-page")
    away_since(call, team_member, LONG_AGO)
    assert do_release_abandoned_calls() == []
    assert fresh(call).is_open
    assert present(call) == ["caller", "Dr Lee", "Alex"]
    assert fresh(sue).status == Status.BEING_SEEN


def test_it_releases_a_call_all_of_whose_team_members_are_away(clinic, team_member, clinic_admin):
    sue = make_caller(clinic)
    call = in_call(sue, team_member, clinic_admin)
    away_since(call, team_member, LONG_AGO)
    away_since(call, clinic_admin, LONG_AGO + timedelta(minutes=5))
    assert [c.pk for c in do_release_abandoned_calls()] == [call.pk]
    assert fresh(sue).status == Status.ON_HOLD


def test_it_counts_from_when_a_connected_page_went_away(clinic, team_member):
    sue = make_caller(clinic)
    call = in_call(sue, team_member)
    do_staff_page_connected(call.pk, actor=team_member, channel_name="lee-call-page")
    assert do_release_abandoned_calls() == []
    do_staff_page_disconnected(seat_of(call, team_member).pk, "lee-call-page")
    assert do_release_abandoned_calls() == []
    assert fresh(call).is_open

    away_since(call, team_member, LONG_AGO)
    assert [c.pk for c in do_release_abandoned_calls()] == [call.pk]


def test_a_caller_already_on_hold_stays_on_hold(clinic, team_member):
    sue = make_caller(clinic)
    call = in_call(sue, team_member)
    do_hold(call.pk, actor=team_member)
    away_since(call, team_member, LONG_AGO)
    do_release_abandoned_calls()
    assert not fresh(call).is_open
    assert fresh(sue).status == Status.ON_HOLD
    assert AuditEvent.objects.filter(action="caller.on_hold").count() == 1


def test_the_watchdogs_sweep_releases_it(clinic, team_member):
    sue = make_caller(clinic)
    call = in_call(sue, team_member)
    away_since(call, team_member, LONG_AGO)
    do_sweep_calls()
    assert not fresh(call).is_open
    assert fresh(sue).status == Status.ON_HOLD


def test_a_caller_who_left_does_not_stop_the_sweep(clinic, team_member, clinic_admin):
    # Sue left the waiting area during her call; Tom's call was abandoned too.
    sue, tom = make_caller(clinic, "Sue Smith"), make_caller(clinic, "Tom Berg")
    sues_call, toms_call = in_call(sue, team_member), in_call(tom, clinic_admin)
    away_since(sues_call, team_member, LONG_AGO)
    do_leave_waiting_area(sue.pk)
    away_since(toms_call, clinic_admin, LONG_AGO)

    # Sue's call ended when she left; the sweep releases Tom's.
    assert [c.pk for c in do_release_abandoned_calls()] == [toms_call.pk]
    assert not fresh(sues_call).is_open and not fresh(toms_call).is_open
    assert fresh(tom).status == Status.ON_HOLD
    assert fresh(sue).leave_reason == "left"
