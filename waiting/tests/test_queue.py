"""The queue's rule (who stands where), the expected wait from the clinic's
recent visits, and what a change of the queue announces to the caller pages."""

from datetime import timedelta

import pytest

from clinics.models import Clinic
from realtime.events import QUEUE_MOVED, callers_group
from testkit.helpers import Listener, ago, make_caller
from waiting import queue
from waiting.actions import (
    do_expire_offline_callers,
    do_hold_caller,
    do_leave_waiting_area,
    do_page_disconnected,
    do_return_to_waiting,
    do_see_caller,
    do_transfer_caller,
)
from waiting.models import Caller, LeaveReason, Status


def test_callers_stand_in_the_order_they_came_and_only_waiting_ones_count(clinic, other_clinic):
    first = make_caller(clinic, "Ann")
    second = make_caller(clinic, "Ben")
    third = make_caller(clinic, "Cy")
    make_caller(other_clinic, "Dee")
    Caller.objects.filter(pk=first.pk).update(arrived_at=ago(minutes=9))
    Caller.objects.filter(pk=second.pk).update(arrived_at=ago(minutes=5))
    assert queue.positions(clinic.pk) == {first.pk: 1, second.pk: 2, third.pk: 3}

    Caller.objects.filter(pk=first.pk).update(status=Status.BEING_SEEN)
    assert queue.positions(clinic.pk) == {second.pk: 1, third.pk: 2}
    assert queue.position_of(Caller.objects.get(pk=third.pk)) == 2
    assert queue.position_of(Caller.objects.get(pk=first.pk)) is None


def test_an_offline_caller_keeps_their_place_and_one_who_left_has_none(clinic):
    first = make_caller(clinic, "Ann")
    second = make_caller(clinic, "Ben")
    Caller.objects.filter(pk=first.pk).update(
        status=Status.OFFLINE, status_before_offline=Status.WAITING, arrived_at=ago(minutes=3)
    )
    assert queue.position_of(Caller.objects.get(pk=second.pk)) == 2
    Caller.objects.filter(pk=first.pk).update(left_at=ago(seconds=1))
    assert queue.position_of(Caller.objects.get(pk=second.pk)) == 1
    assert queue.position_of(Caller.objects.get(pk=first.pk)) is None


# --- the expected wait -----------------------------------------------------



def showing_the_queue(clinic, expected_wait=True):
    Clinic.objects.filter(pk=clinic.pk).update(show_queue_position=True, show_expected_wait=expected_wait)
    clinic.refresh_from_db()
    return clinic


def seen_visits(clinic, count, *, waited_minutes, place=1, days_ago=1):
    """`count` finished visits of `place`-th callers who waited so long before being seen."""
    for _ in range(count):
        seen = ago(days=days_ago)
        Caller.objects.create(
            clinic=clinic,
            name="Earlier",
            arrived_at=seen - timedelta(minutes=waited_minutes),
            first_seen_at=seen,
            place_on_arrival=place,
            left_at=seen + timedelta(minutes=10),
        )


def test_expected_wait_shows_nothing_with_few_recent_visits(clinic):
    seen_visits(clinic, queue.ENOUGH_SEEN - 1, waited_minutes=6)
    seen_visits(clinic, 20, waited_minutes=6, days_ago=queue.RECENT_DAYS + 1)  # too old to count
    assert queue.minutes_per_place(clinic.pk) is None
    assert queue.expected_wait(3, queue.minutes_per_place(clinic.pk)) is None


def test_expected_wait_is_the_clinics_recent_minutes_per_place_times_the_position(clinic, other_clinic):
    seen_visits(clinic, 6, waited_minutes=8, place=2)  # 4 minutes a place
    seen_visits(clinic, 5, waited_minutes=15, place=3)  # 5 minutes a place
    seen_visits(other_clinic, 30, waited_minutes=90)  # another clinic's waits do not count
    assert queue.minutes_per_place(clinic.pk) == 4
    assert queue.expected_wait(1, 4) == [0, 5]  # "less than 5 minutes"
    assert queue.expected_wait(3, 4) == [10, 15]  # "about 10–15 minutes"
    assert queue.expected_wait(15, 4) == [60, None]  # "more than an hour"
    assert queue.expected_wait(None, 4) is None  # not in the queue


def test_expected_wait_is_kept_for_a_minute(clinic, django_assert_num_queries):
    seen_visits(clinic, queue.ENOUGH_SEEN, waited_minutes=6)
    assert queue.minutes_per_place(clinic.pk) == 6
    seen_visits(clinic, 50, waited_minutes=30)
    with django_assert_num_queries(0):
        assert queue.minutes_per_place(clinic.pk) == 6


def test_being_seen_the_first_time_is_kept_and_the_place_on_arrival_when_the_queue_shows(clinic, team_member):
    ann = make_caller(clinic, "Ann")
    assert ann.place_on_arrival is None  # the clinic shows no queue: nothing kept
    showing_the_queue(clinic)
    ben = make_caller(clinic, "Ben")
    assert ben.place_on_arrival == 2
    do_see_caller(ben.pk, actor=team_member)
    first_seen = Caller.objects.get(pk=ben.pk).first_seen_at
    assert first_seen is not None
    do_hold_caller(ben.pk, actor=team_member)
    do_see_caller(ben.pk, actor=team_member)
    assert Caller.objects.get(pk=ben.pk).first_seen_at == first_seen


# --- what the queue's changes announce -------------------------------------


def moves(listener):
    return [(e["ticket"][1], e["step"]) for e in listener.events() if e["type"] == QUEUE_MOVED]


@pytest.mark.django_db(transaction=True)
def test_leaving_the_queue_and_coming_back_are_announced_with_the_callers_ticket(clinic, team_member):
    showing_the_queue(clinic)
    ann, ben = make_caller(clinic, "Ann"), make_caller(clinic, "Ben")
    listener = Listener(callers_group(clinic.pk))

    do_see_caller(ann.pk, actor=team_member)
    assert moves(listener) == [(ann.pk, -1)]
    do_hold_caller(ann.pk, actor=team_member)
    assert moves(listener) == []  # not in the queue before or after
    do_return_to_waiting(ann.pk, actor=team_member)
    event = [e for e in listener.events() if e["type"] == QUEUE_MOVED]
    assert [(e["ticket"], e["step"]) for e in event] == [(queue.ticket(Caller.objects.get(pk=ann.pk)), 1)]

    Caller.objects.filter(pk=ben.pk).update(page_channel="ch")
    do_page_disconnected(ben.pk, "ch")  # Offline keeps the place: nothing
    assert moves(listener) == []
    Caller.objects.filter(pk=ben.pk).update(offline_since=ago(minutes=clinic.offline_grace_minutes + 1))
    do_expire_offline_callers()
    assert moves(listener) == [(ben.pk, -1)]

    do_leave_waiting_area(ann.pk, reason=LeaveReason.LEFT)
    assert moves(listener) == [(ann.pk, -1)]


@pytest.mark.django_db(transaction=True)
def test_nothing_is_announced_when_the_clinic_shows_no_queue(clinic, team_member):
    ann = make_caller(clinic, "Ann")
    listener = Listener(callers_group(clinic.pk))
    do_see_caller(ann.pk, actor=team_member)
    do_return_to_waiting(ann.pk, actor=team_member)
    do_leave_waiting_area(ann.pk)
    assert moves(listener) == []


@pytest.mark.django_db(transaction=True)
def test_a_transfer_leaves_one_queue_and_enters_the_other(clinic, other_clinic, team_member):
    showing_the_queue(clinic)
    showing_the_queue(other_clinic)
    ann = make_caller(clinic, "Ann")
    here, there = Listener(callers_group(clinic.pk)), Listener(callers_group(other_clinic.pk))
    do_transfer_caller(ann.pk, other_clinic, actor=team_member)
    assert moves(here) == [(ann.pk, -1)]
    assert moves(there) == [(ann.pk, 1)]
