"""A caller's page loses its connection: Offline for the clinic's grace period,
back where they were when the page returns, gone after the grace period."""

from datetime import timedelta

import pytest
from django.db import transaction

from audit.models import AuditEvent
from realtime.events import CALLERS_CHANGED, PAGE_REPLACED, VISIT_CHANGED, caller_group, staff_group
from testkit.helpers import Listener, ago, make_caller
from waiting.actions import (
    do_expire_offline_callers,
    do_hold_caller,
    do_leave_waiting_area,
    do_page_connected,
    do_page_disconnected,
    do_see_caller,
)
from waiting.models import Caller, LeaveReason, Status


def offline_caller(clinic, minutes, status=Status.WAITING, name="Sue Smith"):
    """A caller whose page went away `minutes` ago."""
    caller = make_caller(clinic, name=name)
    Caller.objects.filter(pk=caller.pk).update(
        status=Status.OFFLINE, status_before_offline=status, offline_since=ago(minutes=minutes)
    )
    caller.refresh_from_db()
    return caller


def test_the_caller_is_offline_when_their_page_disconnects(clinic, django_capture_on_commit_callbacks):
    caller = make_caller(clinic)
    do_page_connected(caller.pk, "page-1")
    staff = Listener(staff_group(clinic.pk))
    with django_capture_on_commit_callbacks(execute=True):
        do_page_disconnected(caller.pk, "page-1")

    caller.refresh_from_db()
    assert caller.status == Status.OFFLINE
    assert caller.current_status == Status.WAITING
    assert caller.offline_since > ago(minutes=1)
    assert caller.page_channel == ""
    assert caller.is_present  # keeps their place
    (event,) = staff.events()
    assert event["type"] == CALLERS_CHANGED
    assert event["cards"][0]["status"] == "offline"
    assert event["cards"][0]["current_status"] == "waiting"


@pytest.mark.parametrize("status", [Status.WAITING, Status.BEING_SEEN, Status.ON_HOLD])
def test_the_caller_returns_to_their_status_when_the_page_reconnects(
    clinic, team_member, status, django_capture_on_commit_callbacks
):
    caller = make_caller(clinic)
    do_page_connected(caller.pk, "page-1")
    if status != Status.WAITING:
        do_see_caller(caller.pk, actor=team_member)
    if status == Status.ON_HOLD:
        do_hold_caller(caller.pk, actor=team_member)
    do_page_disconnected(caller.pk, "page-1")

    staff = Listener(staff_group(clinic.pk))
    with django_capture_on_commit_callbacks(execute=True):
        do_page_connected(caller.pk, "page-2")

    caller.refresh_from_db()
    assert caller.status == status
    assert caller.status_before_offline == ""
    assert caller.offline_since is None
    assert caller.page_channel == "page-2"
    (event,) = staff.events()
    assert event["cards"][0]["status"] == status


def test_a_refresh_does_not_make_the_caller_offline(clinic, django_capture_on_commit_callbacks):
    # The new page connects before the old one's disconnect arrives.
    caller = make_caller(clinic)
    do_page_connected(caller.pk, "page-1")
    do_page_connected(caller.pk, "page-2")
    staff = Listener(staff_group(clinic.pk))
    with django_capture_on_commit_callbacks(execute=True):
        do_page_disconnected(caller.pk, "page-1")
    caller.refresh_from_db()
    assert caller.status == Status.WAITING
    assert caller.page_channel == "page-2"
    assert staff.events() == []


def test_the_newest_page_takes_over(clinic, django_capture_on_commit_callbacks):
    caller = make_caller(clinic)
    old_page = Listener()
    new_page = Listener()
    do_page_connected(caller.pk, old_page.channel)
    with django_capture_on_commit_callbacks(execute=True):
        do_page_connected(caller.pk, new_page.channel)
    assert old_page.types() == [PAGE_REPLACED]
    assert new_page.events() == []
    caller.refresh_from_db()
    assert caller.page_channel == new_page.channel

    # The old page closing now changes nothing; the new one closing does.
    do_page_disconnected(caller.pk, old_page.channel)
    caller.refresh_from_db()
    assert caller.status == Status.WAITING
    do_page_disconnected(caller.pk, new_page.channel)
    caller.refresh_from_db()
    assert caller.status == Status.OFFLINE


def test_a_page_that_connects_again_is_not_told_it_was_replaced(clinic):
    caller = make_caller(clinic)
    page = Listener()
    do_page_connected(caller.pk, page.channel)
    do_page_connected(caller.pk, page.channel)
    assert page.events() == []


def test_the_old_page_is_not_told_when_the_takeover_is_rolled_back(clinic, django_capture_on_commit_callbacks):
    caller = make_caller(clinic)
    old_page = Listener()
    do_page_connected(caller.pk, old_page.channel)
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                do_page_connected(caller.pk, "page-2")
                raise RuntimeError
    caller.refresh_from_db()
    assert caller.page_channel == old_page.channel
    assert old_page.events() == []


def test_it_expires_offline_callers_after_the_grace_period(clinic, django_capture_on_commit_callbacks):
    clinic.offline_grace_minutes = 10
    clinic.save()
    caller = offline_caller(clinic, minutes=11)
    staff = Listener(staff_group(clinic.pk))
    page = Listener(caller_group(caller.pk))
    with django_capture_on_commit_callbacks(execute=True):
        assert do_expire_offline_callers(clinic) == [caller]

    caller.refresh_from_db()
    assert not caller.is_present
    assert caller.leave_reason == LeaveReason.EXPIRED
    assert not Caller.objects.present().exists()
    event = AuditEvent.objects.get(action="caller.left")
    assert event.caller_id == caller.pk and event.details == {"reason": "expired"}
    (event,) = staff.events()
    assert event["cards"][0]["present"] is False
    (event,) = page.events()
    assert event["type"] == VISIT_CHANGED
    assert event["visit"]["present"] is False
    assert event["visit"]["leave_reason"] == "expired"


def test_it_keeps_offline_callers_within_the_grace_period(clinic):
    clinic.offline_grace_minutes = 10
    clinic.save()
    caller = offline_caller(clinic, minutes=9)
    assert do_expire_offline_callers(clinic) == []
    caller.refresh_from_db()
    assert caller.is_present
    assert caller.status == Status.OFFLINE


def test_it_uses_each_clinics_grace_period(clinic, other_clinic):
    clinic.offline_grace_minutes = 2
    clinic.save()
    other_clinic.offline_grace_minutes = 30
    other_clinic.save()
    short = offline_caller(clinic, minutes=3)
    long = offline_caller(other_clinic, minutes=3)
    assert do_expire_offline_callers(clinic) == [short]
    assert do_expire_offline_callers(other_clinic) == []
    long.refresh_from_db()
    assert long.is_present


def test_it_expires_only_the_given_clinics_callers(clinic, other_clinic):
    theirs = offline_caller(other_clinic, minutes=60)
    assert do_expire_offline_callers(clinic) == []
    theirs.refresh_from_db()
    assert theirs.is_present


def test_it_does_not_expire_callers_who_are_online(clinic):
    caller = make_caller(clinic)
    Caller.objects.filter(pk=caller.pk).update(arrived_at=ago(hours=5), status_changed_at=ago(hours=5))
    assert do_expire_offline_callers(clinic) == []
    caller.refresh_from_db()
    assert caller.is_present


def test_a_caller_returning_after_the_grace_period_finds_the_visit_ended(clinic, django_capture_on_commit_callbacks):
    clinic.offline_grace_minutes = 10
    clinic.save()
    caller = offline_caller(clinic, minutes=11)
    staff = Listener(staff_group(clinic.pk))
    with django_capture_on_commit_callbacks(execute=True):
        returned = do_page_connected(caller.pk, "page-2")

    assert not returned.is_present
    caller.refresh_from_db()
    assert caller.leave_reason == LeaveReason.EXPIRED
    assert caller.status == Status.OFFLINE  # never came back
    # They left when their grace period ran out, not when they came back.
    assert caller.left_at == caller.offline_since + timedelta(minutes=10)
    assert AuditEvent.objects.filter(action="caller.left", caller_id=caller.pk).count() == 1
    (event,) = staff.events()
    assert event["cards"][0]["present"] is False


def test_a_caller_returning_after_the_grace_period_sees_the_ended_page(client, clinic):
    clinic.offline_grace_minutes = 10
    clinic.save()
    client.post("/w/sunrise/", {"name": "Sue Smith"})
    caller = Caller.objects.get()
    Caller.objects.filter(pk=caller.pk).update(
        status=Status.OFFLINE, status_before_offline=Status.WAITING, offline_since=ago(minutes=11)
    )
    do_page_connected(caller.pk, "page-2")
    html = client.get("/w/sunrise/wait/").content.decode()
    assert "Your visit has ended" in html
    assert "Your page was offline for too long" in html


def test_a_caller_returning_within_the_grace_period_keeps_their_place(clinic):
    first = make_caller(clinic, name="First")
    caller = offline_caller(clinic, minutes=9, name="Second")
    do_page_connected(caller.pk, "page-2")
    caller.refresh_from_db()
    assert caller.is_present
    assert caller.status == Status.WAITING
    assert list(Caller.objects.present()) == [first, caller]  # still second in line


def test_a_disconnect_after_leaving_changes_nothing(clinic):
    caller = make_caller(clinic)
    do_page_connected(caller.pk, "page-1")
    do_leave_waiting_area(caller.pk)
    do_page_disconnected(caller.pk, "page-1")
    caller.refresh_from_db()
    assert caller.status == Status.WAITING
    assert caller.offline_since is None
