"""Notify: the clinic sends a message to one caller or to the callers shown."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AuditEvent
from messaging import actions as messaging_actions
from messaging.actions import do_notify, do_record_many_receipts, do_send_caller_message
from messaging.models import Message
from realtime.events import (
    THREADS_GREW,
    THREAD_BROADCAST,
    THREAD_MESSAGES,
    caller_group,
    callers_group,
    staff_group,
)
from waitroom.errors import ActionError
from testkit.helpers import Listener, make_caller, post_json
from waiting.actions import do_leave_waiting_area
from waiting.models import Caller, Sender, Status

LATE = "Dr Lee is running 15 minutes late"


def test_it_notifies_one_caller(clinic, team_member, django_capture_on_commit_callbacks):
    sue = make_caller(clinic, name="Sue Smith")
    tom = make_caller(clinic, name="Tom Berg")
    staff = Listener(staff_group(clinic.pk))
    sues_page = Listener(caller_group(sue.pk), callers_group(clinic.pk))
    toms_page = Listener(caller_group(tom.pk), callers_group(clinic.pk))
    with django_capture_on_commit_callbacks(execute=True):
        (sent,) = do_notify(clinic, actor=team_member, caller_ids=[sue.pk], body=LATE)

    message = Message.objects.get(caller=sue, seq=sent.seq)
    assert (message.caller, message.seq, message.sender, message.author, message.body) == (
        sue, 1, Sender.CLINIC, team_member, LATE
    )
    sue.refresh_from_db()
    assert sue.message_count == 1
    assert sue.last_message_from == Sender.CLINIC
    assert sue.last_message_at == message.created_at
    assert sue.version == 2
    tom.refresh_from_db()
    assert tom.message_count == 0 and tom.version == 1

    (event,) = sues_page.events()
    assert event["type"] == THREAD_MESSAGES
    assert event["messages"] == [
        {"seq": 1, "sender": "clinic", "body": LATE, "created_at": message.created_at.isoformat()}
    ]
    assert toms_page.events() == []
    (event,) = staff.events()
    assert event["type"] == THREADS_GREW
    assert (event["sender"], event["at"]) == ("clinic", message.created_at.isoformat())
    assert event["counts"] == [[sue.pk, 2, 1]]  # id, version, message_count: the badge

    audit = AuditEvent.objects.get(action="message.notify")
    assert audit.actor == team_member and audit.caller_id == sue.pk
    assert audit.details == {"recipients": 1}  # the audit trail keeps no message text


def test_it_notifies_many(clinic, team_member, django_capture_on_commit_callbacks):
    callers = [make_caller(clinic, name=name) for name in ("Ann", "Ben", "Cem")]
    do_notify(clinic, actor=team_member, caller_ids=[callers[1].pk], body="Only for Ben")
    staff = Listener(staff_group(clinic.pk))
    pages = Listener(callers_group(clinic.pk))
    with django_capture_on_commit_callbacks(execute=True):
        messages = do_notify(clinic, actor=team_member, caller_ids=[c.pk for c in callers], body=LATE)

    assert len(messages) == 3
    for caller, count in zip(callers, (1, 2, 1)):
        caller.refresh_from_db()
        assert caller.message_count == count
        assert caller.last_message_from == Sender.CLINIC
        assert caller.messages.get(seq=count).body == LATE

    (event,) = pages.events()
    assert event["type"] == THREAD_BROADCAST
    assert event["message"]["body"] == LATE
    assert event["seqs"] == {str(callers[0].pk): 1, str(callers[1].pk): 2, str(callers[2].pk): 1}
    (event,) = staff.events()
    assert {caller_id: count for caller_id, _, count in event["counts"]} == {
        callers[0].pk: 1, callers[1].pk: 2, callers[2].pk: 1
    }
    assert AuditEvent.objects.filter(action="message.notify").latest("id").details == {"recipients": 3}


def test_it_reaches_callers_whatever_their_status(clinic, team_member):
    callers = []
    for status in (Status.WAITING, Status.BEING_SEEN, Status.ON_HOLD, Status.OFFLINE):
        caller = make_caller(clinic, name=status.label)
        Caller.objects.filter(pk=caller.pk).update(status=status, status_before_offline=Status.WAITING)
        callers.append(caller)
    messages = do_notify(clinic, actor=team_member, caller_ids=[c.pk for c in callers], body=LATE)
    assert sorted(m.caller_id for m in messages) == sorted(c.pk for c in callers)


def test_it_skips_callers_of_other_clinics(clinic, other_clinic, team_member):
    ours = make_caller(clinic)
    theirs = make_caller(other_clinic)
    messages = do_notify(clinic, actor=team_member, caller_ids=[ours.pk, theirs.pk], body=LATE)
    assert [m.caller_id for m in messages] == [ours.pk]
    theirs.refresh_from_db()
    assert theirs.message_count == 0
    assert not theirs.messages.exists()


def test_it_skips_callers_who_left(clinic, team_member):
    here = make_caller(clinic, name="Here")
    gone = make_caller(clinic, name="Gone")
    do_leave_waiting_area(gone.pk)
    messages = do_notify(clinic, actor=team_member, caller_ids=[here.pk, gone.pk], body=LATE)
    assert [m.caller_id for m in messages] == [here.pk]
    assert not gone.messages.exists()


def test_it_refuses_when_none_of_the_callers_is_there(clinic, other_clinic, team_member):
    gone = make_caller(clinic)
    do_leave_waiting_area(gone.pk)
    theirs = make_caller(other_clinic)
    with pytest.raises(ActionError) as e:
        do_notify(clinic, actor=team_member, caller_ids=[gone.pk, theirs.pk, 4242], body=LATE)
    assert e.value.code == "no_callers"
    assert not Message.objects.exists()
    assert not AuditEvent.objects.filter(action="message.notify").exists()


def test_a_retried_send_is_stored_once(clinic, team_member, django_capture_on_commit_callbacks):
    caller = make_caller(clinic)
    page = Listener(caller_group(caller.pk))
    with django_capture_on_commit_callbacks(execute=True):
        first = do_notify(clinic, actor=team_member, caller_ids=[caller.pk], body=LATE, client_id="c-1")
        again = do_notify(clinic, actor=team_member, caller_ids=[caller.pk], body=LATE, client_id="c-1")
    assert len(first) == 1
    assert again == []
    assert caller.messages.count() == 1
    caller.refresh_from_db()
    assert caller.message_count == 1 and caller.version == 2
    assert page.types() == [THREAD_MESSAGES]
    assert AuditEvent.objects.filter(action="message.notify").count() == 1


def test_a_retried_broadcast_reaches_only_whom_it_missed(clinic, team_member):
    ann = make_caller(clinic, name="Ann")
    ben = make_caller(clinic, name="Ben")
    do_notify(clinic, actor=team_member, caller_ids=[ann.pk], body=LATE, client_id="c-1")
    messages = do_notify(clinic, actor=team_member, caller_ids=[ann.pk, ben.pk], body=LATE, client_id="c-1")
    assert [m.caller_id for m in messages] == [ben.pk]
    assert ann.messages.count() == 1 and ben.messages.count() == 1


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner; PostgreSQL plans from statistics")
def test_a_retry_is_looked_up_by_the_client_id_index_not_by_walking_threads(clinic, team_member):
    # Without the index, the retry check of a notification to 10,000 callers
    # read every message of every thread: 80 ms, growing as the threads grow.
    callers = [make_caller(clinic).pk for _ in range(3)]
    with CaptureQueriesContext(connection) as queries:
        do_notify(clinic, actor=team_member, caller_ids=callers, body=LATE, client_id="c-1")
    (check,) = [q["sql"] for q in queries if q["sql"].startswith('SELECT "messaging_message"."caller_id"')]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {check}")
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "one_message_per_client_id" in plan, plan


def test_a_new_client_id_is_a_new_message(clinic, team_member):
    caller = make_caller(clinic)
    do_notify(clinic, actor=team_member, caller_ids=[caller.pk], body=LATE, client_id="c-1")
    do_notify(clinic, actor=team_member, caller_ids=[caller.pk], body=LATE, client_id="c-2")
    do_notify(clinic, actor=team_member, caller_ids=[caller.pk], body=LATE)
    do_notify(clinic, actor=team_member, caller_ids=[caller.pk], body=LATE)
    assert list(caller.messages.values_list("seq", flat=True)) == [1, 2, 3, 4]


@pytest.mark.parametrize(
    "body, code",
    [("", "empty"), ("   \n\t ", "empty"), ("x" * 1001, "too_long"), (None, "invalid"), (42, "invalid")],
)
def test_it_refuses_bad_messages_and_stores_nothing(clinic, team_member, body, code, django_capture_on_commit_callbacks):
    caller = make_caller(clinic)
    staff = Listener(staff_group(clinic.pk))
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(ActionError) as e:
            do_notify(clinic, actor=team_member, caller_ids=[caller.pk], body=body)
    assert e.value.code == code
    assert not Message.objects.exists()
    caller.refresh_from_db()
    assert caller.message_count == 0 and caller.version == 1
    assert staff.events() == []


def test_it_takes_a_message_of_1000_characters(clinic, team_member):
    caller = make_caller(clinic)
    do_notify(clinic, actor=team_member, caller_ids=[caller.pk], body="x" * 1000)
    assert len(caller.messages.get().body) == 1000


def test_it_trims_the_message(clinic, team_member):
    caller = make_caller(clinic)
    do_notify(clinic, actor=team_member, caller_ids=[caller.pk], body="  Five more minutes.\n")
    assert caller.messages.get().body == "Five more minutes."


def test_it_counts_both_directions_and_remembers_who_wrote_last(clinic, team_member):
    clinic.guest_messaging_enabled = True
    clinic.save()
    caller = make_caller(clinic)
    for sender in ("clinic", "caller", "caller", "clinic", "caller"):
        if sender == "clinic":
            do_notify(clinic, actor=team_member, caller_ids=[caller.pk], body="from the clinic")
        else:
            do_send_caller_message(caller.pk, body="from the caller")
        caller.refresh_from_db()
        assert caller.last_message_from == sender
    assert caller.message_count == 5
    assert caller.version == 6
    # Numbered 1, 2, 3 … with no gaps, whoever wrote.
    assert list(caller.messages.values_list("seq", "sender")) == [
        (1, "clinic"), (2, "caller"), (3, "caller"), (4, "clinic"), (5, "caller")
    ]


def test_each_callers_thread_is_numbered_on_its_own(clinic, team_member):
    ann = make_caller(clinic, name="Ann")
    ben = make_caller(clinic, name="Ben")
    for _ in range(3):
        do_notify(clinic, actor=team_member, caller_ids=[ann.pk], body="to Ann")
    do_notify(clinic, actor=team_member, caller_ids=[ann.pk, ben.pk], body="to both")
    assert list(ann.messages.values_list("seq", flat=True)) == [1, 2, 3, 4]
    assert list(ben.messages.values_list("seq", flat=True)) == [1]


def test_it_announces_nothing_when_rolled_back(clinic, team_member, django_capture_on_commit_callbacks):
    caller = make_caller(clinic)
    staff = Listener(staff_group(clinic.pk))
    page = Listener(caller_group(caller.pk), callers_group(clinic.pk))
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                do_notify(clinic, actor=team_member, caller_ids=[caller.pk], body=LATE)
                raise RuntimeError
        assert staff.events() == [] and page.events() == []
    assert not Message.objects.exists()
    caller.refresh_from_db()
    assert caller.message_count == 0
    assert staff.events() == [] and page.events() == []


def test_it_announces_only_after_the_commit(clinic, team_member, django_capture_on_commit_callbacks):
    caller = make_caller(clinic)
    page = Listener(caller_group(caller.pk))
    with django_capture_on_commit_callbacks(execute=True):
        do_notify(clinic, actor=team_member, caller_ids=[caller.pk], body=LATE)
        assert page.events() == []
    assert page.types() == [THREAD_MESSAGES]


# The HTTP endpoint the dashboard posts to -----------------------------------


def test_the_endpoint_sends(client, clinic, team_member):
    ann = make_caller(clinic, name="Ann")
    ben = make_caller(clinic, name="Ben")
    client.force_login(team_member)
    response = post_json(client, "/clinics/sunrise/notify/", {"caller_ids": [ann.pk, ben.pk], "body": LATE, "client_id": "c-1"})
    assert response.status_code == 200
    assert response.json() == {"sent": 2}
    assert Message.objects.filter(body=LATE, author=team_member, client_id="c-1").count() == 2

    # The same send again (the answer got lost): nothing more.
    response = post_json(client, "/clinics/sunrise/notify/", {"caller_ids": [ann.pk, ben.pk], "body": LATE, "client_id": "c-1"})
    assert response.json() == {"sent": 0}
    assert Message.objects.count() == 2


@pytest.mark.django_db(transaction=True)  # announcements on the real commit, inside the request
def test_a_notification_to_many_reaches_the_pages_once_staff_have_their_answer(client, clinic, team_member, monkeypatch):
    from django.http import JsonResponse

    ann, ben = make_caller(clinic, name="Ann"), make_caller(clinic, name="Ben")
    pages = Listener(callers_group(clinic.pk))
    client.force_login(team_member)
    seen_at_close = []
    close = JsonResponse.close

    def closing(response):  # Django closes the response once it is sent
        seen_at_close.append(pages.types())
        close(response)

    monkeypatch.setattr(JsonResponse, "close", closing)
    response = post_json(client, "/clinics/sunrise/notify/", {"caller_ids": [ann.pk, ben.pk], "body": LATE})
    assert response.json() == {"sent": 2}
    # Nothing had gone to the pages when the response was done; then the broadcast, once.
    assert seen_at_close == [[]]
    assert pages.types() == ["thread.broadcast"]


@pytest.mark.parametrize(
    "data",
    [
        "not json",
        [1, 2],
        {"body": LATE},
        {"caller_ids": "1", "body": LATE},
        {"caller_ids": ["1"], "body": LATE},
        {"caller_ids": [1.5], "body": LATE},
        {"caller_ids": [True], "body": LATE},
        {"caller_ids": [2**70], "body": LATE},
        {"caller_ids": [-1], "body": LATE},
    ],
)
def test_the_endpoint_refuses_malformed_requests(client, clinic, team_member, data):
    make_caller(clinic)
    client.force_login(team_member)
    if isinstance(data, str):
        response = client.post("/clinics/sunrise/notify/", data, content_type="application/json")
    else:
        response = post_json(client, "/clinics/sunrise/notify/", data)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"
    assert not Message.objects.exists()


@pytest.mark.parametrize("body, code", [("", "empty"), ("x" * 1001, "too_long"), (None, "invalid")])
def test_the_endpoint_explains_a_refused_message(client, clinic, team_member, body, code):
    caller = make_caller(clinic)
    client.force_login(team_member)
    response = post_json(client, "/clinics/sunrise/notify/", {"caller_ids": [caller.pk], "body": body})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]
    assert not Message.objects.exists()


def test_the_endpoint_requires_sign_in(client, clinic):
    caller = make_caller(clinic)
    response = post_json(client, "/clinics/sunrise/notify/", {"caller_ids": [caller.pk], "body": LATE})
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert not Message.objects.exists()


def test_the_endpoint_requires_post(client, clinic, team_member):
    client.force_login(team_member)
    assert client.get("/clinics/sunrise/notify/").status_code == 405


def test_simultaneous_senders_get_consecutive_numbers(transactional_db, clinic, team_member, clinic_admin, monkeypatch):
    # Two team members and the caller write at the same moment, each from its
    # own connection: every message gets its own number, none is skipped.
    monkeypatch.setattr(messaging_actions, "CALLER_SENDS_BURST", 5)  # the caller's five at once
    clinic.guest_messaging_enabled = True
    clinic.save()
    caller = make_caller(clinic)

    def send(who):
        try:
            for n in range(5):
                if who == "caller":
                    do_send_caller_message(caller.pk, body=f"caller {n}")
                else:
                    do_notify(clinic, actor=who, caller_ids=[caller.pk], body=f"clinic {n}")
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=3) as pool:
        for result in [pool.submit(send, who) for who in (team_member, clinic_admin, "caller")]:
            result.result()

    assert list(caller.messages.order_by("seq").values_list("seq", flat=True)) == list(range(1, 16))
    caller.refresh_from_db()
    assert caller.message_count == 15
    assert caller.version == 16


def test_a_notification_to_a_crowd(clinic, team_member, django_capture_on_commit_callbacks):
    """More callers than one statement could name one by one on SQLite (999)."""
    now = timezone.now()
    crowd = Caller.objects.bulk_create(
        [Caller(clinic=clinic, name=f"Caller {i}", arrived_at=now, status_changed_at=now) for i in range(1500)]
    )
    ids = [c.pk for c in crowd]
    do_notify(clinic, actor=team_member, caller_ids=ids[:10], body="First")
    pages = Listener(callers_group(clinic.pk))
    with django_capture_on_commit_callbacks(execute=True):
        sent = do_notify(clinic, actor=team_member, caller_ids=ids, body=LATE, client_id="crowd-1")
    assert len(sent) == 1500
    assert do_notify(clinic, actor=team_member, caller_ids=ids, body=LATE, client_id="crowd-1") == []

    (event,) = pages.events()
    assert len(event["seqs"]) == 1500
    assert {event["seqs"][str(i)] for i in ids[:10]} == {2} and {event["seqs"][str(i)] for i in ids[10:]} == {1}
    assert Message.objects.filter(body=LATE).count() == 1500
    assert set(Caller.objects.filter(clinic=clinic).values_list("message_count", flat=True)) == {1, 2}
    assert do_record_many_receipts({i: (event["seqs"][str(i)], 0) for i in ids}) == (1510, 0)


def test_a_team_members_messages_stay_when_they_are_deleted(clinic, team_member):
    # The author reference is kept by Django alone (no database constraint).
    sue = make_caller(clinic)
    do_notify(clinic, actor=team_member, caller_ids=[sue.pk], body=LATE)
    team_member.delete()
    (message,) = Message.objects.filter(caller=sue)
    assert message.body == LATE and message.author is None
