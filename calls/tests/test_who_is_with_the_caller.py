"""A card says who is with the caller and since when ("Being seen by Dr Lee ·
4 min"): the team members in the caller's open call, on every card a
dashboard gets — its snapshot and each change of who is in the call."""

from calls.actions import do_disconnect, do_end_call, do_hold, do_leave_call
from realtime.events import CALLERS_CHANGED, caller_card, staff_group
from testkit.helpers import Listener, make_caller
from waiting.snapshots import dashboard_snapshot

from .helpers import in_call


def seen_by(card):
    return [s["name"] for s in card["seen_by"]]


def test_a_waiting_caller_is_with_nobody(clinic):
    assert caller_card(make_caller(clinic))["seen_by"] == []


def test_a_caller_in_a_call_names_the_team_members_and_since_when(clinic, team_member):
    sue = make_caller(clinic)
    call = in_call(sue, team_member)
    sue.refresh_from_db()

    (seat,) = caller_card(sue)["seen_by"]
    joined = call.participants.get(user=team_member).joined_at
    assert seat == {"id": team_member.pk, "name": "Dr Lee", "since": joined.isoformat()}
    (card,) = dashboard_snapshot(clinic.pk)["cards"]
    assert seen_by(card) == ["Dr Lee"]


def test_a_second_team_member_joining_or_leaving_changes_the_card(
    clinic, team_member, clinic_admin, django_capture_on_commit_callbacks
):
    sue = make_caller(clinic)
    call = in_call(sue, team_member)
    sue.refresh_from_db()
    version = sue.version
    dashboards = Listener(staff_group(clinic.pk))

    with django_capture_on_commit_callbacks(execute=True):
        in_call(sue, clinic_admin)
    (event,) = [e for e in dashboards.events() if e["type"] == CALLERS_CHANGED]
    (card,) = event["cards"]
    assert seen_by(card) == ["Dr Lee", "Alex"]
    assert card["version"] > version  # newer: every dashboard takes it

    with django_capture_on_commit_callbacks(execute=True):
        do_leave_call(call.pk, actor=clinic_admin)
    (event,) = [e for e in dashboards.events() if e["type"] == CALLERS_CHANGED]
    assert seen_by(event["cards"][0]) == ["Dr Lee"]

    in_call(sue, clinic_admin)
    alex_seat = call.participants.get(user=clinic_admin, left_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        do_disconnect(call.pk, alex_seat.pk, actor=team_member)
    (event,) = [e for e in dashboards.events() if e["type"] == CALLERS_CHANGED]
    assert seen_by(event["cards"][0]) == ["Dr Lee"]


def test_on_hold_in_the_call_still_names_them_and_after_the_call_nobody(clinic, team_member):
    sue = make_caller(clinic)
    call = in_call(sue, team_member)
    do_hold(call.pk, actor=team_member)
    sue.refresh_from_db()
    assert seen_by(caller_card(sue)) == ["Dr Lee"]

    do_end_call(call.pk, actor=team_member)
    sue.refresh_from_db()
    assert caller_card(sue)["seen_by"] == []


def test_a_caller_of_another_clinic_names_nobody_here(clinic, other_clinic, team_member, outsider):
    sue = make_caller(clinic)
    in_call(sue, team_member)
    olli_caller = make_caller(other_clinic, "Tom Berg")
    in_call(olli_caller, outsider)
    (card,) = dashboard_snapshot(clinic.pk)["cards"]
    assert seen_by(card) == ["Dr Lee"]  # Olli, in Harbour's call, is not on Sunrise's cards
