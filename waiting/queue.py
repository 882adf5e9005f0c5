"""The queue: the callers who wait for the clinic, first come first served.

A caller is in the queue while their status is Waiting, also while their page
is Offline within the grace period (they keep their place). Callers being
seen or on hold are not in it. A caller who returns to waiting keeps the place
their arrival gave them."""

from django.db.models import Q

from .models import Caller, Status

IN_QUEUE = Q(status=Status.WAITING) | Q(status=Status.OFFLINE, status_before_offline=Status.WAITING)


def in_order(clinic_id):
    return Caller.objects.present().filter(IN_QUEUE, clinic_id=clinic_id).order_by("arrived_at", "pk")


def positions(clinic_id):
    """{caller id: place in the queue, from 1}."""
    return {pk: place for place, pk in enumerate(in_order(clinic_id).values_list("pk", flat=True), start=1)}


def position_of(caller):
    """The caller's place in the queue, or None if they are not in it."""
    if caller.left_at is not None or caller.current_status != Status.WAITING:
        return None
    ahead = Caller.objects.present().filter(IN_QUEUE, clinic_id=caller.clinic_id).filter(
        Q(arrived_at__lt=caller.arrived_at) | Q(arrived_at=caller.arrived_at, pk__lt=caller.pk)
    )
    return ahead.count() + 1
