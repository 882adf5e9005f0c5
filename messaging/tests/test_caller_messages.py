"""A caller writes to the clinic: only when the clinic allows guest messaging,
only while waiting or on hold, and a retried send is stored once."""

import pytest
from django.db import transaction

from audit.models import AuditEvent
from clinics.actions import do_change_configuration
from messaging.actions import do_send_caller_message
from messaging.models import Message
from realtime.events import CALLERS_CHANGED, THREAD_MESSAGES, caller_group, staff_group
from waitroom.errors import ActionError
from testkit.helpers import Listener, make_caller
from waiting.actions import do_hold_caller, do_leave_waiting_area, do_page_connected, do_page_disconnected, do_see_caller
from waiting.models import Caller, Sender

QUESTION = "Can I bring my daughter in too?"


@pytest.fixture
def open_clinic(clinic):
    clinic.guest_messaging_enabled = True
    clinic.save()
    return clinic


def test_it_is_refused_when_guest_messaging_is_off(clinic, django_capture_on_commit_callbacks):
    caller = make_caller(clinic)
    staff = Listener(staff_group(clinic.pk))
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(ActionError) as e:
            do_send_caller_message(caller.pk, body=QUESTION)
    assert e.value.code == "messaging_disabled"
    assert not Message.objects.exists()
    caller.refresh_from_db()
    assert caller.message_count == 0
    assert staff.events() == []


def test_it_is_refused_as_soon_as_the_admin_turns_messaging_off(open_clinic, clinic_admin):
    caller = make_caller(open_clinic)
    do_send_caller_message(caller.pk, body="first")
    do_change_configuration(open_clinic.pk, actor=clinic_admin, guest_messaging_enabled=False)
    with pytest.raises(ActionError) as e:
        do_send_caller_message(caller.pk, body="second")
    assert e.value.code == "messaging_disabled"
    assert list(caller.messages.values_list("body", flat=True)) == ["first"]


def test_a_waiting_caller_writes(open_clinic, django_capture_on_commit_callbacks):
    caller = make_caller(open_clinic)
    staff = Listener(staff_group(open_clinic.pk))
    page = Listener(caller_group(caller.pk))
    with django_capture_on_commit_callbacks(execute=True):
        message, created = do_send_caller_message(caller.pk, body=QUESTION, client_id="c-1")

    assert created is True
    message.refresh_from_db()
    assert (message.seq, message.sender, message.author, message.body) == (1, Sender.CALLER, None, QUESTION)
    caller.refresh_from_db()
    assert caller.message_count == 1
    assert caller.last_message_from == Sender.CALLER
    assert caller.awaiting_reply

    (event,) = staff.events()
    assert event["type"] == CALLERS_CHANGED
    assert event["cards"][0]["message_count"] == 1
    assert event["cards"][0]["last_message_from"] == "caller"
    # The caller's other tabs get it too.
    (event,) = page.events()
    assert event["type"] == THREAD_MESSAGES
    assert event["messages"][0]["body"] == QUESTION

    audit = AuditEvent.objects.get(action="message.from_caller")
    assert audit.caller_id == caller.pk and audit.actor is None
    assert QUESTION not in str(audit.details)


def test_a_caller_on_hold_writes(open_clinic, team_member):
    caller = make_caller(open_clinic)
    do_see_caller(caller.pk, actor=team_member)
    do_hold_caller(caller.pk, actor=team_member)
    message, created = do_send_caller_message(caller.pk, body=QUESTION)
    assert created and message.sender == Sender.CALLER


def test_a_caller_whose_page_is_reconnecting_writes(open_clinic):
    # Offline is the connection, not the status: a waiting caller may still write.
    caller = make_caller(open_clinic)
    do_page_connected(caller.pk, "page-1")
    do_page_disconnected(caller.pk, "page-1")
    message, created = do_send_caller_message(caller.pk, body=QUESTION)
    assert created


def test_a_caller_in_a_call_writes_in_the_calls_panel(open_clinic, team_member):
    caller = make_caller(open_clinic)
    do_see_caller(caller.pk, actor=team_member)
    message, created = do_send_caller_message(caller.pk, body=QUESTION)
    assert created and Message.objects.get().body == QUESTION


def test_a_caller_who_left_cannot_write(open_clinic):
    caller = make_caller(open_clinic)
    do_leave_waiting_area(caller.pk)
    with pytest.raises(ActionError) as e:
        do_send_caller_message(caller.pk, body=QUESTION)
    assert e.value.code == "visit_ended"
    assert not Message.objects.exists()


def test_a_retried_send_is_stored_once(open_clinic, django_capture_on_commit_callbacks):
    caller = make_caller(open_clinic)
    staff = Listener(staff_group(open_clinic.pk))
    with django_capture_on_commit_callbacks(execute=True):
        first, created = do_send_caller_message(caller.pk, body=QUESTION, client_id="c-1")
        again, created_again = do_send_caller_message(caller.pk, body=QUESTION, client_id="c-1")
    assert created is True and created_again is False
    assert again.pk == first.pk and again.seq == 1
    assert caller.messages.count() == 1
    caller.refresh_from_db()
    assert caller.message_count == 1
    assert staff.types() == [CALLERS_CHANGED]
    assert AuditEvent.objects.filter(action="message.from_caller").count() == 1


def test_a_retry_after_the_visit_ended_gets_the_stored_message(open_clinic):
    # The send was stored, the answer lost, then the visit ended: the retry is
    # told "stored" rather than "refused", so the page does not show it as failed.
    caller = make_caller(open_clinic)
    first, _ = do_send_caller_message(caller.pk, body=QUESTION, client_id="c-1")
    do_leave_waiting_area(caller.pk)
    again, created = do_send_caller_message(caller.pk, body=QUESTION, client_id="c-1")
    assert (again.pk, created) == (first.pk, False)


def test_different_client_ids_are_different_messages(open_clinic):
    caller = make_caller(open_clinic)
    do_send_caller_message(caller.pk, body="Hello", client_id="c-1")
    do_send_caller_message(caller.pk, body="Hello", client_id="c-2")
    assert list(caller.messages.values_list("seq", flat=True)) == [1, 2]


@pytest.mark.parametrize(
    "body, code", [("", "empty"), ("  \n ", "empty"), ("x" * 1001, "too_long"), (None, "invalid"), (["hi"], "invalid")]
)
def test_bad_messages_are_refused_and_nothing_is_stored(open_clinic, body, code):
    caller = make_caller(open_clinic)
    with pytest.raises(ActionError) as e:
        do_send_caller_message(caller.pk, body=body)
    assert e.value.code == code
    assert not Message.objects.exists()
    caller.refresh_from_db()
    assert caller.message_count == 0


@pytest.mark.parametrize("client_id", [42, "x" * 65, ["c-1"]])
def test_a_bad_client_id_is_refused(open_clinic, client_id):
    caller = make_caller(open_clinic)
    with pytest.raises(ActionError) as e:
        do_send_caller_message(caller.pk, body=QUESTION, client_id=client_id)
    assert e.value.code == "invalid"
    assert not Message.objects.exists()


def test_nothing_is_announced_when_rolled_back(open_clinic, django_capture_on_commit_callbacks):
    caller = make_caller(open_clinic)
    staff = Listener(staff_group(open_clinic.pk))
    page = Listener(caller_group(caller.pk))
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                do_send_caller_message(caller.pk, body=QUESTION)
                raise RuntimeError
    assert not Message.objects.exists()
    assert Caller.objects.get(pk=caller.pk).message_count == 0
    assert staff.events() == [] and page.events() == []

