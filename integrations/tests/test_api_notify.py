"""Notifications sent by a practice system: the dashboard's action and
rules, the key in the audit trail, idempotent by a client key, limited per key."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from messaging.actions import do_add_quick_reply
from messaging.models import Message
from realtime.events import caller_group, staff_group
from testkit.helpers import Listener, make_caller
from waiting.actions import do_leave_waiting_area, do_see_caller
from waiting.models import Caller


def test_notify_one_caller_reaches_their_page_and_the_dashboard(api, clinic, django_capture_on_commit_callbacks):
    sue = make_caller(clinic)
    page, staff = Listener(caller_group(sue.pk)), Listener(staff_group(clinic.pk))

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/callers/{sue.pk}/notify", {"body": "The doctor is ready in 5 minutes."})

    assert response.status_code == 200
    assert response.json() == {"sent": 1, "messages": [{"caller_id": sue.pk, "seq": 1}]}
    [message] = Message.objects.filter(caller=sue)
    assert message.body == "The doctor is ready in 5 minutes."
    assert message.author is None  # no person: a practice system sent it
    assert page.types() and staff.types()


def test_the_trail_names_the_key_never_a_person(api, clinic, make_key):
    sue = make_caller(clinic)
    api.post(f"/callers/{sue.pk}/notify", {"body": "Hello"})

    event = AuditEvent.objects.get(action="message.notify")
    key_id = AuditEvent.objects.filter(action="api.key_created").latest("id").details["api_key"]
    assert event.actor is None
    assert event.details == {"recipients": 1, "api_key": key_id}
    assert event.caller_id == sue.pk


def test_notify_all_waiting_skips_callers_being_seen(api, clinic):
    sue, tom, ann = make_caller(clinic, name="Sue"), make_caller(clinic, name="Tom"), make_caller(clinic, name="Ann")
    do_see_caller(tom.pk, actor=None)

    response = api.post("/notify", {"all_waiting": True, "body": "Sorry for the wait."})

    assert response.json()["sent"] == 2
    assert set(Message.objects.values_list("caller_id", flat=True)) == {sue.pk, ann.pk}


def test_notify_many_by_ids_skips_callers_who_left(api, clinic):
    sue, tom = make_caller(clinic, name="Sue"), make_caller(clinic, name="Tom")
    do_leave_waiting_area(tom.pk)

    response = api.post("/notify", {"caller_ids": [sue.pk, tom.pk], "body": "Hello"})

    assert response.json() == {"sent": 1, "messages": [{"caller_id": sue.pk, "seq": 1}]}


def test_a_caller_who_left_cannot_be_notified(api, clinic):
    sue = make_caller(clinic)
    do_leave_waiting_area(sue.pk)

    response = api.post(f"/callers/{sue.pk}/notify", {"body": "Hello"})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "no_callers"


def test_a_quick_reply_is_filled_in_for_each_caller(api, clinic):
    reply = do_add_quick_reply(clinic, actor=None, title="Soon", text_en="{first_name}, you are next.")
    sue = make_caller(clinic, name="Sue Smith")

    api.post(f"/callers/{sue.pk}/notify", {"quick_reply": reply.pk})

    assert Message.objects.get().body == "Sue, you are next."


def test_a_quick_reply_of_another_clinic_is_not_found(api, clinic, other_clinic):
    reply = do_add_quick_reply(other_clinic, actor=None, title="Theirs", text_en="Hello")
    sue = make_caller(clinic)

    response = api.post(f"/callers/{sue.pk}/notify", {"quick_reply": reply.pk})

    assert response.status_code == 404
    assert not Message.objects.exists()


@pytest.mark.parametrize("scopes", [("read",), ("invite",), ("read", "invite")])
def test_a_key_without_notify_sends_nothing(api_as, clinic, scopes):
    sue = make_caller(clinic)
    api = api_as(*scopes)

    assert api.post(f"/callers/{sue.pk}/notify", {"body": "Hello"}).status_code == 403
    assert api.post("/notify", {"all_waiting": True, "body": "Hello"}).status_code == 403
    assert not Message.objects.exists()


def test_the_same_client_key_twice_sends_once_and_answers_the_same(api, clinic):
    sue = make_caller(clinic)

    first = api.post("/notify", {"all_waiting": True, "body": "Hello"}, **{"Idempotency-Key": "appt-1030"})
    tom = make_caller(clinic, name="Tom")  # a new caller since: the retry still changes nothing
    again = api.post("/notify", {"all_waiting": True, "body": "Hello"}, **{"Idempotency-Key": "appt-1030"})

    assert first.status_code == again.status_code == 200
    assert again.json() == first.json() == {"sent": 1, "messages": [{"caller_id": sue.pk, "seq": 1}]}
    assert Message.objects.count() == 1
    assert not Message.objects.filter(caller=tom).exists()


def test_the_client_key_in_the_body_counts_like_the_header(api, clinic):
    sue = make_caller(clinic)
    for _ in range(3):
        api.post(f"/callers/{sue.pk}/notify", {"body": "Hello", "client_key": "k-1"})
    api.post(f"/callers/{sue.pk}/notify", {"body": "Hello"}, **{"Idempotency-Key": "k-1"})
    assert Message.objects.count() == 1


def test_another_client_key_sends_again(api, clinic):
    sue = make_caller(clinic)
    api.post(f"/callers/{sue.pk}/notify", {"body": "Hello", "client_key": "a"})
    api.post(f"/callers/{sue.pk}/notify", {"body": "Hello", "client_key": "b"})
    assert Message.objects.filter(caller=sue).count() == 2


def test_client_keys_belong_to_their_api_key(api_as, clinic):
    sue = make_caller(clinic)
    api_as("notify").post(f"/callers/{sue.pk}/notify", {"body": "One", "client_key": "same"})
    api_as("notify").post(f"/callers/{sue.pk}/notify", {"body": "Two", "client_key": "same"})
    assert Message.objects.filter(caller=sue).count() == 2


def test_a_refused_request_is_not_remembered(api, clinic):
    sue = make_caller(clinic)
    assert api.post(f"/callers/{sue.pk}/notify", {"body": "", "client_key": "k"}).status_code == 400
    assert api.post(f"/callers/{sue.pk}/notify", {"body": "Hello", "client_key": "k"}).status_code == 200
    assert Message.objects.count() == 1


def test_a_client_key_is_forgotten_after_a_day(api, clinic):
    from integrations.api_keys import IdempotentRequest
    from testkit.helpers import ago

    sue = make_caller(clinic)
    api.post(f"/callers/{sue.pk}/notify", {"body": "Hello", "client_key": "k"})
    IdempotentRequest.objects.update(created_at=ago(hours=25))

    api.post(f"/callers/{sue.pk}/notify", {"body": "Hello", "client_key": "k"})

    assert Message.objects.count() == 2


def test_header_and_body_client_keys_that_differ_are_refused(api, clinic):
    sue = make_caller(clinic)
    response = api.post(f"/callers/{sue.pk}/notify", {"body": "Hi", "client_key": "a"}, **{"Idempotency-Key": "b"})
    assert response.status_code == 400
    assert not Message.objects.exists()


def test_requests_past_the_limit_wait(api, clinic, settings):
    settings.WAITROOM_API_REQUESTS_PER_MINUTE = 3
    answers = [api.get("/clinic") for _ in range(4)]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    refused = answers[-1]
    assert refused.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(refused["Retry-After"]) <= 61


def test_the_limit_is_per_key(api_as, clinic, settings):
    settings.WAITROOM_API_REQUESTS_PER_MINUTE = 1
    one, two = api_as("read"), api_as("read")
    assert one.get("/clinic").status_code == 200
    assert one.get("/clinic").status_code == 429
    assert two.get("/clinic").status_code == 200


def test_notifications_past_their_limit_wait_and_send_nothing(api, clinic, settings):
    settings.WAITROOM_API_NOTIFY_PER_MINUTE = 2
    sue = make_caller(clinic)
    answers = [api.post(f"/callers/{sue.pk}/notify", {"body": f"Hello {i}"}) for i in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 429]
    assert Message.objects.count() == 2
    assert api.get("/callers").status_code == 200  # reading goes on


def test_a_replay_does_not_count_against_the_notify_limit(api, clinic, settings):
    settings.WAITROOM_API_NOTIFY_PER_MINUTE = 1
    sue = make_caller(clinic)
    for _ in range(3):
        assert api.post(f"/callers/{sue.pk}/notify", {"body": "Hello", "client_key": "k"}).status_code == 200


def test_a_last_used_time_is_kept_to_the_minute(api, clinic):
    from integrations.api_keys import ApiKey
    from testkit.helpers import ago

    api.get("/clinic")
    key = ApiKey.objects.get()
    first = key.last_used_at
    assert first is not None

    api.get("/clinic")
    key.refresh_from_db()
    assert key.last_used_at == first  # not written again within a minute

    ApiKey.objects.update(last_used_at=ago(minutes=2))
    api.get("/clinic")
    key.refresh_from_db()
    assert key.last_used_at > first
    assert Caller.objects.count() == 0


def test_a_client_key_used_for_another_kind_of_request_is_refused(api, clinic):
    """Found by the schema fuzzing: a notification's key sent with an
    invitation replayed the notification's answer as the invitation's (a 500)."""
    sue = make_caller(clinic)
    assert api.post(f"/callers/{sue.pk}/notify", {"body": "Hello", "client_key": "k-7"}).status_code == 200
    booking = {"name": "Ann Lee", "appointment_at": (timezone.now() + timedelta(days=1)).isoformat()}
    response = api.post("/invitations", {**booking, "client_key": "k-7"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert "another kind of request" in response.json()["error"]["message"]
    assert not clinic.invitations.exists()
    assert api.post("/invitations", {**booking, "client_key": "k-8"}).status_code == 201
