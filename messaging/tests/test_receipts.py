"""Delivered / seen receipts: the caller's page reports the numbers it has
received and shown; the clinic's messages up to them are marked."""

import pytest
from asgiref.sync import async_to_sync
from django.db import transaction

from messaging import receipts
from messaging.actions import do_notify, do_record_many_receipts, do_record_receipts, do_send_caller_message
from messaging.models import Message
from realtime.events import RECEIPTS_CHANGED, staff_group
from testkit.helpers import Listener, make_caller


@pytest.fixture
def thread(clinic, team_member):
    """Clinic, clinic, caller, clinic: seq 1, 2, 4 are the clinic's."""
    clinic.guest_messaging_enabled = True
    clinic.save()
    caller = make_caller(clinic)
    do_notify(clinic, actor=team_member, caller_ids=[caller.pk], body="one")
    do_notify(clinic, actor=team_member, caller_ids=[caller.pk], body="two")
    do_send_caller_message(caller.pk, body="three")
    do_notify(clinic, actor=team_member, caller_ids=[caller.pk], body="four")
    return caller


def marks(caller):
    return {
        m.seq: (m.delivered_at is not None, m.seen_at is not None)
        for m in Message.objects.filter(caller=caller)
    }


def test_it_marks_messages_delivered_and_seen(thread, clinic, django_capture_on_commit_callbacks):
    staff = Listener(staff_group(clinic.pk))
    with django_capture_on_commit_callbacks(execute=True):
        assert do_record_receipts(thread.pk, delivered_seq=4, seen_seq=2) == (3, 2)
    assert marks(thread) == {
        1: (True, True),
        2: (True, True),
        3: (False, False),  # the caller's own message gets no receipt
        4: (True, False),
    }
    (event,) = staff.events()
    assert event == {"type": RECEIPTS_CHANGED, "receipts": [{"caller_id": thread.pk, "delivered_seq": 4, "seen_seq": 2}]}


def test_a_message_seen_is_a_message_delivered(thread):
    assert do_record_receipts(thread.pk, delivered_seq=1, seen_seq=2) == (2, 2)
    assert marks(thread) == {1: (True, True), 2: (True, True), 3: (False, False), 4: (False, False)}


def test_it_keeps_the_first_time(thread):
    do_record_receipts(thread.pk, delivered_seq=2, seen_seq=1)
    first = {m.seq: (m.delivered_at, m.seen_at) for m in Message.objects.filter(caller=thread, seq__lte=2)}
    do_record_receipts(thread.pk, delivered_seq=4, seen_seq=4)
    again = {m.seq: (m.delivered_at, m.seen_at) for m in Message.objects.filter(caller=thread, seq__lte=2)}
    assert again[1] == first[1]
    assert again[2][0] == first[2][0]


def test_a_repeated_receipt_changes_and_announces_nothing(thread, clinic, django_capture_on_commit_callbacks):
    do_record_receipts(thread.pk, delivered_seq=4, seen_seq=4)
    staff = Listener(staff_group(clinic.pk))
    with django_capture_on_commit_callbacks(execute=True):
        assert do_record_receipts(thread.pk, delivered_seq=4, seen_seq=4) == (0, 0)
        assert do_record_receipts(thread.pk, delivered_seq=0, seen_seq=0) == (0, 0)
    assert staff.events() == []


def test_it_touches_only_this_callers_thread(thread, clinic, team_member):
    other = make_caller(clinic, name="Tom")
    do_notify(clinic, actor=team_member, caller_ids=[other.pk], body="for Tom")
    do_record_receipts(thread.pk, delivered_seq=4, seen_seq=4)
    assert marks(other) == {1: (False, False)}


def test_the_thread_view_shows_the_receipts(client, thread, team_member):
    do_record_receipts(thread.pk, delivered_seq=2, seen_seq=1)
    client.force_login(team_member)
    messages = client.get(f"/clinics/sunrise/callers/{thread.pk}/thread/").json()["messages"]
    got = {m["seq"]: (m["delivered_at"] is not None, m["seen_at"] is not None) for m in messages}
    assert got == {1: (True, True), 2: (True, False), 3: (False, False), 4: (False, False)}


def test_nothing_is_announced_when_rolled_back(thread, clinic, django_capture_on_commit_callbacks):
    staff = Listener(staff_group(clinic.pk))
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                do_record_receipts(thread.pk, delivered_seq=4, seen_seq=4)
                raise RuntimeError
    assert marks(thread) == {n: (False, False) for n in (1, 2, 3, 4)}
    assert staff.events() == []


def test_many_pages_receipts_are_recorded_together(clinic, team_member, django_capture_on_commit_callbacks):
    """After a message to many, the receipts of all their pages are written at once,
    each up to its own numbers, and the dashboards hear of them in one event."""
    ada, bob = make_caller(clinic, "Ada"), make_caller(clinic, "Bob")
    do_notify(clinic, actor=team_member, caller_ids=[ada.pk, bob.pk], body="one")
    do_notify(clinic, actor=team_member, caller_ids=[ada.pk], body="two")
    staff = Listener(staff_group(clinic.pk))
    with django_capture_on_commit_callbacks(execute=True):
        assert do_record_many_receipts({ada.pk: (2, 1), bob.pk: (1, 0)}) == (3, 1)

    receipts = {
        (m.caller_id, m.seq): (m.delivered_at is not None, m.seen_at is not None)
        for m in Message.objects.filter(caller__in=[ada, bob])
    }
    assert receipts == {(ada.pk, 1): (True, True), (ada.pk, 2): (True, False), (bob.pk, 1): (True, False)}
    (event,) = staff.events()
    assert sorted(r["caller_id"] for r in event["receipts"]) == sorted([ada.pk, bob.pk])


@pytest.mark.django_db(transaction=True)  # written by the database thread, as the watchdog has it
def test_the_receipts_gathered_from_many_pages_are_written_a_part_at_a_time(clinic, team_member, monkeypatch):
    """Each part is a transaction of its own, so that a staff member's send
    does not wait for the receipts of ten thousand pages; every one is kept."""
    callers = [make_caller(clinic, f"Caller {i}") for i in range(5)]
    do_notify(clinic, actor=team_member, caller_ids=[c.pk for c in callers], body="one")
    staff = Listener(staff_group(clinic.pk))
    monkeypatch.setattr(receipts, "WRITE_AT_ONCE", 2)
    for caller in callers:
        receipts.add(caller.pk, 1, 1)
    async_to_sync(receipts.write)()
    assert [len(event["receipts"]) for event in staff.events()] == [2, 2, 1]  # one announcement a transaction
    assert all(marks(caller) == {1: (True, True)} for caller in callers)
