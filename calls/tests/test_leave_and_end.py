"""Hang up (Leave call, End call), the Call Manager's Disconnect, and who may
open the call page (PRODUCT 4; issue 3, items 3–5)."""

import json

import pytest
from channels.db import database_sync_to_async

from audit.models import AuditEvent
from calls.actions import do_end_call, do_join_call
from calls.models import Call, Participant
from realtime.consumers import CLOSE_NO_VISIT
from realtime.events import CALL_CHANGED, CALLERS_CHANGED, VISIT_CHANGED, caller_group, staff_group
from testkit.sockets import FRAME, enter, frames_until_close
from testkit.helpers import Listener, make_caller
from waiting.actions import do_leave_waiting_area
from waiting.models import LeaveReason, Status

from .helpers import call_url, caller_seat, error_code, in_call, present, press, seat_of, signed_in


def fresh(obj):
    obj.refresh_from_db()
    return obj


def actions_recorded():
    # Signing in is audited too (accounts/): these tests look at the rest.
    events = AuditEvent.objects.exclude(action__startswith="account.")
    return list(events.order_by("id").values_list("action", flat=True))


# Leave call -------------------------------------------------------------------


def test_it_works(clinic, team_member, clinic_admin, django_capture_on_commit_callbacks):
    sue = make_caller(clinic)
    call = in_call(sue, team_member, clinic_admin)
    page = Listener(caller_group(sue.pk))
    with django_capture_on_commit_callbacks(execute=True):
        response = press(signed_in(clinic_admin), call, "leave")

    assert response.status_code == 200
    assert fresh(call).is_open
    assert present(call) == ["caller", "Dr Lee"]
    assert fresh(sue).status == Status.BEING_SEEN
    left = AuditEvent.objects.get(action="call.left")
    assert (left.actor, left.caller_id) == (clinic_admin, sue.pk)
    (event,) = page.events()
    assert event["type"] == CALL_CHANGED
    assert event["call"]["open"] is True
    assert [p["name"] for p in event["call"]["participants"]] == ["Sue Smith", "Dr Lee"]


def test_the_last_to_leave_a_caller_on_hold_leaves_them_on_hold(
    clinic, team_member, django_capture_on_commit_callbacks
):
    sue = make_caller(clinic)
    call = in_call(sue, team_member)
    browser = signed_in(team_member)
    press(browser, call, "hold")
    dashboards = Listener(staff_group(clinic.pk))
    page = Listener(caller_group(sue.pk))
    with django_capture_on_commit_callbacks(execute=True):
        response = press(browser, call, "leave")

    assert response.status_code == 200
    assert not fresh(call).is_open
    assert present(call) == []
    sue = fresh(sue)
    assert sue.status == Status.ON_HOLD and sue.is_present
    ended = AuditEvent.objects.get(action="call.ended")
    assert ended.details == {"call": call.pk, "then": "hold"}
    # The caller's page leaves the call for the on-hold screen; their card stays On hold.
    (event,) = page.events()
    assert event["type"] == CALL_CHANGED and event["call"]["open"] is False
    assert dashboards.events() == []


def test_the_last_to_leave_is_asked_about_a_caller_not_on_hold(
    clinic, team_member, django_capture_on_commit_callbacks
):
    sue = make_caller(clinic)
    call = in_call(sue, team_member)
    before = actions_recorded()
    dashboards = Listener(staff_group(clinic.pk))
    page = Listener(caller_group(sue.pk))
    with django_capture_on_commit_callbacks(execute=True):
        response = press(signed_in(team_member), call, "leave")

    assert response.status_code == 409
    assert error_code(response) == "caller_alone"
    # Nothing changed: nobody is left alone in a call without knowing it.
    assert fresh(call).is_open
    assert present(call) == ["caller", "Dr Lee"]
    assert fresh(sue).status == Status.BEING_SEEN
    assert actions_recorded() == before
    assert dashboards.events() == [] and page.events() == []


def test_hold_and_leave(clinic, team_member, django_capture_on_commit_callbacks):
    sue = make_caller(clinic)
    call = in_call(sue, team_member)
    dashboards = Listener(staff_group(clinic.pk))
    page = Listener(caller_group(sue.pk))
    with django_capture_on_commit_callbacks(execute=True):
        response = press(signed_in(team_member), call, "leave", then="hold")

    assert response.status_code == 200
    assert not fresh(call).is_open
    assert fresh(sue).status == Status.ON_HOLD
    assert AuditEvent.objects.get(action="caller.on_hold").actor == team_member
    (event,) = dashboards.events()
    assert event["type"] == CALLERS_CHANGED and event["cards"][0]["status"] == "on_hold"
    assert [(e["type"], e.get("visit", {}).get("status")) for e in page.events()] == [
        (VISIT_CHANGED, "on_hold"),
        (CALL_CHANGED, None),
    ]


def test_return_to_waiting(clinic, team_member, django_capture_on_commit_callbacks):
    sue = make_caller(clinic)
    call = in_call(sue, team_member)
    dashboards = Listener(staff_group(clinic.pk))
    with django_capture_on_commit_callbacks(execute=True):
        response = press(signed_in(team_member), call, "leave", then="wait")

    assert response.status_code == 200
    assert not fresh(call).is_open
    sue = fresh(sue)
    assert sue.status == Status.WAITING and sue.is_present
    (event,) = dashboards.events()
    assert event["cards"][0]["status"] == "waiting"
    assert AuditEvent.objects.get(action="call.ended").details["then"] == "wait"


def test_leave_and_end_the_visit(clinic, team_member, django_capture_on_commit_callbacks):
    sue = make_caller(clinic)
    call = in_call(sue, team_member)
    dashboards = Listener(staff_group(clinic.pk))
    page = Listener(caller_group(sue.pk))
    with django_capture_on_commit_callbacks(execute=True):
        response = press(signed_in(team_member), call, "leave", then="end")

    assert response.status_code == 200
    assert not fresh(call).is_open
    sue = fresh(sue)
    assert not sue.is_present and sue.leave_reason == LeaveReason.ENDED
    (event,) = dashboards.events()
    assert event["cards"][0]["present"] is False
    visit = next(e for e in page.events() if e["type"] == VISIT_CHANGED)["visit"]
    assert (visit["present"], visit["leave_reason"]) == (False, "ended")


def test_it_refuses_an_unknown_then(clinic, team_member):
    sue = make_caller(clinic)
    call = in_call(sue, team_member)
    response = press(signed_in(team_member), call, "leave", then="party")
    assert response.status_code == 400 and error_code(response) == "invalid"
    assert fresh(call).is_open and fresh(sue).status == Status.BEING_SEEN


def test_it_refuses_a_body_that_is_not_an_object(clinic, team_member):
    sue = make_caller(clinic)
    call = in_call(sue, team_member)
    response = signed_in(team_member).post(call_url(call, "leave"), "[1]", content_type="application/json")
    assert response.status_code == 400 and error_code(response) == "bad_request"
    assert fresh(call).is_open


def test_a_caller_who_leaves_during_the_call_ends_it(clinic, team_member):
    # The caller pressed "Leave the waiting area" (or was Offline too long) during the call.
    sue = make_caller(clinic)
    call = in_call(sue, team_member)
    do_leave_waiting_area(sue.pk, reason=LeaveReason.LEFT)
    assert not fresh(call).is_open

    # The team member's hang-up, a moment later, changes nothing.
    for then in (None, "hold", "wait", "end"):
        response = press(signed_in(team_member), call, "leave", **({"then": then} if then else {}))
        assert response.status_code == 400 and error_code(response) == "call_ended"
    assert press(signed_in(team_member), call, "end").status_code == 400
    sue = fresh(sue)
    assert (sue.is_present, sue.leave_reason) == (False, LeaveReason.LEFT)
    assert AuditEvent.objects.filter(action="caller.left").count() == 1


# End call ---------------------------------------------------------------------


def test_end_call_ends_it_for_everyone(clinic, team_member, clinic_admin, django_capture_on_commit_callbacks):
    sue = make_caller(clinic)
    call = in_call(sue, team_member, clinic_admin)
    dashboards = Listener(staff_group(clinic.pk))
    with django_capture_on_commit_callbacks(execute=True):
        response = press(signed_in(team_member), call, "end")

    assert response.status_code == 200
    assert not fresh(call).is_open
    assert not Participant.objects.filter(call=call, left_at=None).exists()
    sue = fresh(sue)
    assert not sue.is_present and sue.leave_reason == LeaveReason.ENDED
    assert actions_recorded()[-2:] == ["call.ended", "caller.left"]
    assert AuditEvent.objects.get(action="call.ended").actor == team_member
    (event,) = dashboards.events()
    assert event["cards"][0]["present"] is False


@pytest.mark.django_db(transaction=True)
async def test_the_callers_page_says_the_call_and_visit_ended(sockets, clinic, team_member):
    ada = await enter(clinic)
    page, _ = await sockets.caller(ada)
    call, _ = await database_sync_to_async(do_join_call)(ada.caller_id, actor=team_member)
    assert (await page.receive_json_from(timeout=FRAME))["type"] == "visit"
    assert (await page.receive_json_from(timeout=FRAME))["type"] == "call"

    await database_sync_to_async(do_end_call)(call.pk, actor=team_member)

    frames, code = await frames_until_close(page)
    visits = [f for f in map(json.loads, frames) if f["type"] == "visit"]
    assert visits[-1]["visit"]["present"] is False
    assert visits[-1]["visit"]["leave_reason"] == "ended"
    assert code == CLOSE_NO_VISIT


def test_end_call_requires_a_participant(clinic, team_member, clinic_admin):
    sue = make_caller(clinic)
    call = in_call(sue, team_member)
    response = press(signed_in(clinic_admin), call, "end")
    assert response.status_code == 400 and error_code(response) == "not_in_call"
    assert fresh(call).is_open and fresh(sue).is_present


# Disconnect -------------------------------------------------------------------


def test_it_disconnects_a_team_member(clinic, team_member, clinic_admin, django_capture_on_commit_callbacks):
    sue = make_caller(clinic)
    call = in_call(sue, team_member, clinic_admin)
    alex = seat_of(call, clinic_admin)
    page = Listener(caller_group(sue.pk))
    with django_capture_on_commit_callbacks(execute=True):
        response = press(signed_in(team_member), call, "disconnect", participant=alex.pk)

    assert response.status_code == 200
    assert fresh(call).is_open
    assert present(call) == ["caller", "Dr Lee"]
    assert fresh(sue).status == Status.BEING_SEEN
    event = AuditEvent.objects.get(action="call.disconnected")
    assert (event.actor, event.details["participant"]) == (team_member, clinic_admin.pk)
    (changed,) = page.events()
    assert [p["name"] for p in changed["call"]["participants"]] == ["Sue Smith", "Dr Lee"]
    # The one taken out can no longer act on the call.
    assert error_code(press(signed_in(clinic_admin), call, "hold")) == "not_in_call"


def test_it_disconnects_the_caller_back_to_waiting(clinic, team_member, clinic_admin):
    sue = make_caller(clinic)
    call = in_call(sue, team_member, clinic_admin)
    response = press(signed_in(team_member), call, "disconnect", participant=caller_seat(call).pk)

    assert response.status_code == 200
    assert not fresh(call).is_open
    assert present(call) == []
    sue = fresh(sue)
    assert sue.status == Status.WAITING and sue.is_present
    assert AuditEvent.objects.get(action="call.ended").details["then"] == "wait"


@pytest.mark.parametrize("participant", [None, "abc", 10**6, [1], {"id": 1}])
def test_it_refuses_to_disconnect_nobody(clinic, team_member, participant):
    sue = make_caller(clinic)
    call = in_call(sue, team_member)
    response = press(signed_in(team_member), call, "disconnect", participant=participant)
    assert response.status_code == 400 and error_code(response) == "not_in_call"
    assert present(call) == ["caller", "Dr Lee"]


def test_it_refuses_to_disconnect_oneself(clinic, team_member):
    sue = make_caller(clinic)
    call = in_call(sue, team_member)
    response = press(signed_in(team_member), call, "disconnect", participant=seat_of(call, team_member).pk)
    assert response.status_code == 400 and error_code(response) == "invalid"
    assert present(call) == ["caller", "Dr Lee"]


def test_it_refuses_to_disconnect_a_participant_of_another_call(clinic, team_member, clinic_admin):
    sue, tom = make_caller(clinic, "Sue Smith"), make_caller(clinic, "Tom Berg")
    call = in_call(sue, team_member)
    other = in_call(tom, clinic_admin)
    response = press(signed_in(team_member), call, "disconnect", participant=seat_of(other, clinic_admin).pk)
    assert response.status_code == 400 and error_code(response) == "not_in_call"
    assert present(other) == ["caller", "Alex"]


def test_only_a_participant_may_disconnect(clinic, team_member, clinic_admin):
    sue = make_caller(clinic)
    call = in_call(sue, team_member)
    response = press(signed_in(clinic_admin), call, "disconnect", participant=caller_seat(call).pk)
    assert response.status_code == 400 and error_code(response) == "not_in_call"
    assert fresh(call).is_open and fresh(sue).status == Status.BEING_SEEN


# The call page ----------------------------------------------------------------


def test_the_call_page_is_for_its_participants(clinic, team_member, clinic_admin):
    sue = make_caller(clinic)
    call = in_call(sue, team_member)
    assert signed_in(team_member).get(call_url(call)).status_code == 200

    response = signed_in(clinic_admin).get(call_url(call))
    assert response.status_code == 302 and response["Location"] == "/clinics/sunrise/"


def test_the_call_page_sends_back_one_who_left_or_a_call_that_ended(clinic, team_member, clinic_admin):
    sue = make_caller(clinic)
    call = in_call(sue, team_member, clinic_admin)
    lee, alex = signed_in(team_member), signed_in(clinic_admin)
    press(alex, call, "leave")
    assert alex.get(call_url(call))["Location"] == "/clinics/sunrise/"
    press(lee, call, "leave", then="wait")
    assert lee.get(call_url(call))["Location"] == "/clinics/sunrise/"


def test_the_call_page_validates_ownership(clinic, other_clinic, team_member, outsider):
    sue = make_caller(clinic)
    call = in_call(sue, team_member)
    olli = signed_in(outsider)
    assert olli.get(f"/clinics/sunrise/calls/{call.pk}/").status_code == 404
    assert olli.get(f"/clinics/harbour/calls/{call.pk}/").status_code == 404
    assert Call.objects.get().is_open


def test_a_call_ends_when_the_callers_visit_ends(clinic, team_member, django_capture_on_commit_callbacks):
    """The caller presses Leave (or is removed) in the middle of a call: the
    call ends with the visit, and its pages hear that it is over."""
    from calls.actions import do_join_call
    from calls.models import Call
    from realtime.events import CALL_CHANGED, call_group
    from waiting.actions import do_leave_waiting_area
    from testkit.helpers import Listener, make_caller

    caller = make_caller(clinic)
    call, _ = do_join_call(caller.pk, actor=team_member)
    pages = Listener(call_group(call.pk))
    with django_capture_on_commit_callbacks(execute=True):
        do_leave_waiting_area(caller.pk)

    call = Call.objects.get(pk=call.pk)
    assert call.ended_at is not None
    assert not call.participants.filter(left_at=None).exists()
    caller.refresh_from_db()
    assert caller.leave_reason == "left"
    (event,) = [e for e in pages.events() if e["type"] == CALL_CHANGED]
    assert event["call"]["open"] is False
