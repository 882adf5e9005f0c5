from testkit.helpers import ago, make_caller
from waiting import queue
from waiting.models import Caller, Status


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
