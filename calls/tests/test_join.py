"""Join: a team member starts a video call with a caller, or takes a seat in
the caller's call (PRODUCT 4; issue 3, items 1 and 6)."""

import pytest

from audit.models import AuditEvent
from calls.actions import do_hold, do_join_call, do_leave_call
from calls.models import MAX_PARTICIPANTS, Call, Participant
from clinics.models import Role
from conftest import make_user
from realtime.events import CALL_CHANGED, CALLERS_CHANGED, VISIT_CHANGED, caller_group, staff_group
from waitroom.errors import ActionError
from testkit.helpers import Listener, make_caller
from waiting.actions import do_leave_waiting_area, do_page_connected, do_page_disconnected
from waiting.models import Caller, Status

from .helpers import error_code, in_call, present, signed_in


def status_of(caller):
    caller.refresh_from_db()
    return caller.status


def test_it_works(clinic, team_member, django_capture_on_commit_callbacks):
    sue = make_caller(clinic)
    dashboards = Listener(staff_group(clinic.pk))
    page = Listener(caller_group(sue.pk))
    with django_capture_on_commit_callbacks(execute=True):
        call, seat = do_join_call(sue.pk, actor=team_member)

    assert status_of(sue) == Status.BEING_SEEN
    assert call.is_open and call.clinic == clinic and call.started_by == team_member
    assert seat.user == team_member and seat.is_present
    assert present(call) == ["caller", "Dr Lee"]

    joined = AuditEvent.objects.get(action="call.joined")
    assert (joined.actor, joined.caller_id, joined.clinic, joined.details) == (
        team_member, sue.pk, clinic, {"call": call.pk}
    )

    (event,) = dashboards.events()
    assert event["type"] == CALLERS_CHANGED
    assert [(c["id"], c["status"]) for c in event["cards"]] == [(sue.pk, "being_seen")]
    visit, call_event = page.events()
    assert visit["type"] == VISIT_CHANGED and visit["visit"]["status"] == "being_seen"
    assert call_event["type"] == CALL_CHANGED
    state = call_event["call"]
    assert (state["id"], state["open"], state["on_hold"]) == (call.pk, True, False)
    assert [(p["is_caller"], p["name"]) for p in state["participants"]] == [(True, "Sue Smith"), (False, "Dr Lee")]


def test_a_second_team_member_joins_the_same_call(clinic, team_member, clinic_admin, django_capture_on_commit_callbacks):
    sue = make_caller(clinic)
    call = in_call(sue, team_member)
    page = Listener(caller_group(sue.pk))
    with django_capture_on_commit_callbacks(execute=True):
        second, seat = do_join_call(sue.pk, actor=clinic_admin)

    assert second.pk == call.pk
    assert Call.objects.count() == 1
    assert present(call) == ["caller", "Dr Lee", "Alex"]
    assert status_of(sue) == Status.BEING_SEEN
    assert list(AuditEvent.objects.filter(action="call.joined").values_list("actor", flat=True).order_by("id")) == [
        team_member.pk, clinic_admin.pk
    ]
    # The caller's page learns of the newcomer (and their status did not change).
    (event,) = page.events()
    assert event["type"] == CALL_CHANGED
    assert [p["name"] for p in event["call"]["participants"]] == ["Sue Smith", "Dr Lee", "Alex"]


def test_joining_twice_is_the_same_seat(clinic, team_member, django_capture_on_commit_callbacks):
    sue = make_caller(clinic)
    call, seat = do_join_call(sue.pk, actor=team_member)
    dashboards = Listener(staff_group(clinic.pk))
    page = Listener(caller_group(sue.pk))
    with django_capture_on_commit_callbacks(execute=True):
        again, same = do_join_call(sue.pk, actor=team_member)

    assert (again.pk, same.pk) == (call.pk, seat.pk)
    assert present(call) == ["caller", "Dr Lee"]
    assert AuditEvent.objects.filter(action="call.joined").count() == 1
    assert dashboards.events() == [] and page.events() == []


def test_it_refuses_more_than_four_participants(clinic, team_member, clinic_admin):
    sue = make_caller(clinic)
    nurse = make_user("nurse@sunrise.test", clinic, Role.MEMBER, "Nurse Kim")
    fourth = make_user("reception@sunrise.test", clinic, Role.MEMBER, "Ria")
    call = in_call(sue, team_member, clinic_admin, nurse)
    assert MAX_PARTICIPANTS == 4 and len(present(call)) == 4

    with pytest.raises(ActionError) as e:
        do_join_call(sue.pk, actor=fourth)
    assert e.value.code == "call_full"
    assert present(call) == ["caller", "Dr Lee", "Alex", "Nurse Kim"]
    assert not AuditEvent.objects.filter(action="call.joined", actor=fourth).exists()

    # A seat that frees up can be taken.
    do_leave_call(call.pk, actor=nurse)
    do_join_call(sue.pk, actor=fourth)
    assert present(call) == ["caller", "Dr Lee", "Alex", "Ria"]


def test_it_refuses_a_caller_whose_page_is_offline(clinic, team_member):
    sue = make_caller(clinic)
    do_page_connected(sue.pk, "page-1")
    do_page_disconnected(sue.pk, "page-1")
    with pytest.raises(ActionError) as e:
        do_join_call(sue.pk, actor=team_member)
    assert e.value.code == "caller_offline"
    assert not Call.objects.exists()
    sue.refresh_from_db()
    assert (sue.status, sue.current_status) == (Status.OFFLINE, Status.WAITING)


def test_it_refuses_a_caller_who_has_left(clinic, team_member):
    sue = make_caller(clinic)
    do_leave_waiting_area(sue.pk)
    with pytest.raises(ActionError) as e:
        do_join_call(sue.pk, actor=team_member)
    assert e.value.code == "visit_ended"
    assert not Call.objects.exists()
    assert not AuditEvent.objects.filter(action="call.joined").exists()


def test_joining_a_caller_on_hold_after_the_call_ended_starts_a_new_call(
    clinic, team_member, clinic_admin, django_capture_on_commit_callbacks
):
    sue = make_caller(clinic)
    first = in_call(sue, team_member)
    do_hold(first.pk, actor=team_member)
    do_leave_call(first.pk, actor=team_member)  # hold, then leave
    assert status_of(sue) == Status.ON_HOLD

    dashboards = Listener(staff_group(clinic.pk))
    page = Listener(caller_group(sue.pk))
    with django_capture_on_commit_callbacks(execute=True):
        second, _ = do_join_call(sue.pk, actor=clinic_admin)

    assert second.pk != first.pk and second.is_open
    first.refresh_from_db()
    assert not first.is_open
    assert present(second) == ["caller", "Alex"]
    assert status_of(sue) == Status.BEING_SEEN
    (event,) = dashboards.events()
    assert event["cards"][0]["status"] == "being_seen"
    visit, call_event = page.events()
    assert visit["visit"]["status"] == "being_seen"
    assert call_event["call"]["id"] == second.pk and call_event["call"]["on_hold"] is False


def test_the_join_button_opens_the_call_page(client, clinic, team_member):
    sue = make_caller(clinic)
    response = signed_in(team_member).post(f"/clinics/sunrise/callers/{sue.pk}/join/")
    assert response.status_code == 200
    call = Call.objects.get()
    assert response.json() == {"call": call.pk, "url": f"/clinics/sunrise/calls/{call.pk}/"}
    assert status_of(sue) == Status.BEING_SEEN

    page = signed_in(team_member).get(response.json()["url"])
    assert page.status_code == 200
    assert "Call with Sue Smith" in page.content.decode()


def test_the_join_button_says_why_it_was_refused(clinic, team_member):
    sue = make_caller(clinic)
    do_leave_waiting_area(sue.pk)
    response = signed_in(team_member).post(f"/clinics/sunrise/callers/{sue.pk}/join/")
    assert response.status_code == 400
    assert error_code(response) == "visit_ended"
    assert response.json()["error"]["message"]


def test_the_join_button_validates_ownership(clinic, other_clinic, outsider):
    sue = make_caller(clinic)
    browser = signed_in(outsider)
    assert browser.post(f"/clinics/sunrise/callers/{sue.pk}/join/").status_code == 404
    assert browser.post(f"/clinics/harbour/callers/{sue.pk}/join/").status_code == 404
    assert not Call.objects.exists()
    assert status_of(sue) == Status.WAITING


def test_the_join_button_requires_post_and_a_signed_in_user(client, clinic, team_member):
    sue = make_caller(clinic)
    assert signed_in(team_member).get(f"/clinics/sunrise/callers/{sue.pk}/join/").status_code == 405
    response = client.post(f"/clinics/sunrise/callers/{sue.pk}/join/")
    assert response.status_code == 302 and "login" in response["Location"]
    assert not Call.objects.exists()
    assert Caller.objects.get().status == Status.WAITING
    assert not Participant.objects.exists()
