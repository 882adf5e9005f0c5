"""Waiting → Being seen → On hold → Waiting: the transitions, allowed and refused."""

import pytest
from django.db import transaction

from audit.models import AuditEvent
from realtime.events import CALLERS_CHANGED, VISIT_CHANGED, caller_group, staff_group
from waitroom.errors import ActionError
from testkit.helpers import Listener, ago, make_caller
from waiting.actions import (
    do_hold_caller,
    do_leave_waiting_area,
    do_page_connected,
    do_page_disconnected,
    do_return_to_waiting,
    do_see_caller,
)
from waiting.models import Caller, Status


def put(caller, status):
    Caller.objects.filter(pk=caller.pk).update(status=status)
    caller.refresh_from_db()
    return caller


def test_it_sees_a_waiting_caller(clinic, team_member):
    caller = make_caller(clinic)
    Caller.objects.filter(pk=caller.pk).update(status_changed_at=ago(minutes=20))
    do_see_caller(caller.pk, actor=team_member)

    caller.refresh_from_db()
    assert caller.status == Status.BEING_SEEN
    assert caller.version == 2
    assert caller.status_changed_at > ago(minutes=1)
    event = AuditEvent.objects.get(action="caller.being_seen")
    assert event.actor == team_member
    assert event.caller_id == caller.pk


def test_it_announces_the_new_status_to_the_dashboards_and_the_callers_page(
    clinic, team_member, django_capture_on_commit_callbacks
):
    caller = make_caller(clinic)
    staff = Listener(staff_group(clinic.pk))
    page = Listener(caller_group(caller.pk))
    with django_capture_on_commit_callbacks(execute=True):
        do_see_caller(caller.pk, actor=team_member)

    (event,) = staff.events()
    assert event["type"] == CALLERS_CHANGED
    assert event["cards"][0]["status"] == "being_seen"
    assert event["cards"][0]["version"] == 2
    (event,) = page.events()
    assert event["type"] == VISIT_CHANGED
    assert event["visit"] == {
        "clinic_id": clinic.pk,
        "status": "being_seen",
        "present": True,
        "leave_reason": "",
        "arrived_at": caller.arrived_at.isoformat(),
    }


def test_a_second_team_member_can_join_a_call(clinic, team_member, clinic_admin):
    caller = make_caller(clinic)
    do_see_caller(caller.pk, actor=team_member)
    assert do_see_caller(caller.pk, actor=clinic_admin).status == Status.BEING_SEEN


def test_it_holds_a_caller_being_seen(clinic, team_member):
    caller = put(make_caller(clinic), Status.BEING_SEEN)
    do_hold_caller(caller.pk, actor=team_member)
    caller.refresh_from_db()
    assert caller.status == Status.ON_HOLD
    assert AuditEvent.objects.filter(action="caller.on_hold", actor=team_member).count() == 1


def test_it_resumes_a_caller_on_hold(clinic, team_member):
    caller = put(make_caller(clinic), Status.ON_HOLD)
    assert do_see_caller(caller.pk, actor=team_member).status == Status.BEING_SEEN
    caller.refresh_from_db()
    assert caller.status == Status.BEING_SEEN


@pytest.mark.parametrize("status", [Status.BEING_SEEN, Status.ON_HOLD])
def test_it_returns_a_caller_to_waiting(clinic, team_member, status):
    caller = put(make_caller(clinic), status)
    do_return_to_waiting(caller.pk, actor=team_member)
    caller.refresh_from_db()
    assert caller.status == Status.WAITING
    assert AuditEvent.objects.filter(action="caller.waiting", actor=team_member).count() == 1


@pytest.mark.parametrize(
    "action, status",
    [
        (do_hold_caller, Status.WAITING),
        (do_hold_caller, Status.ON_HOLD),
        (do_return_to_waiting, Status.WAITING),
    ],
)
def test_it_refuses_a_transition_from_the_wrong_status(
    clinic, team_member, action, status, django_capture_on_commit_callbacks
):
    caller = put(make_caller(clinic), status)
    staff = Listener(staff_group(clinic.pk))
    page = Listener(caller_group(caller.pk))
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(ActionError) as e:
            action(caller.pk, actor=team_member)
    assert e.value.code == "wrong_status"
    caller.refresh_from_db()
    assert caller.status == status
    assert caller.version == 1
    assert not AuditEvent.objects.exclude(action="caller.arrived").exists()
    assert staff.events() == [] and page.events() == []


def test_it_refuses_to_see_a_caller_whose_page_is_offline(clinic, team_member):
    caller = make_caller(clinic)
    do_page_connected(caller.pk, "page-1")
    do_page_disconnected(caller.pk, "page-1")
    with pytest.raises(ActionError) as e:
        do_see_caller(caller.pk, actor=team_member)
    assert e.value.code == "caller_offline"
    caller.refresh_from_db()
    assert caller.status == Status.OFFLINE
    assert caller.status_before_offline == Status.WAITING


def test_a_caller_put_on_hold_while_offline_comes_back_on_hold(clinic, team_member):
    # The clinician holds a caller whose network just dropped, then leaves.
    caller = make_caller(clinic)
    do_page_connected(caller.pk, "page-1")
    do_see_caller(caller.pk, actor=team_member)
    do_page_disconnected(caller.pk, "page-1")

    do_hold_caller(caller.pk, actor=team_member)
    caller.refresh_from_db()
    assert caller.status == Status.OFFLINE  # still shown Offline on the dashboard
    assert caller.current_status == Status.ON_HOLD

    do_page_connected(caller.pk, "page-2")
    caller.refresh_from_db()
    assert caller.status == Status.ON_HOLD


@pytest.mark.parametrize("action", [do_see_caller, do_hold_caller, do_return_to_waiting])
def test_it_refuses_a_caller_who_has_left(clinic, team_member, action):
    caller = put(make_caller(clinic), Status.BEING_SEEN)
    do_leave_waiting_area(caller.pk)
    with pytest.raises(ActionError) as e:
        action(caller.pk, actor=team_member)
    assert e.value.code == "visit_ended"
    caller.refresh_from_db()
    assert caller.status == Status.BEING_SEEN
    assert not caller.is_present


def test_it_refuses_a_caller_who_does_not_exist(db, team_member):
    with pytest.raises(ActionError) as e:
        do_see_caller(4242, actor=team_member)
    assert e.value.code == "no_visit"


def test_it_announces_nothing_when_the_change_is_rolled_back(clinic, team_member, django_capture_on_commit_callbacks):
    caller = make_caller(clinic)
    staff = Listener(staff_group(clinic.pk))
    page = Listener(caller_group(caller.pk))
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                do_see_caller(caller.pk, actor=team_member)
                raise RuntimeError
    caller.refresh_from_db()
    assert caller.status == Status.WAITING
    assert not AuditEvent.objects.filter(action="caller.being_seen").exists()
    assert staff.events() == [] and page.events() == []
