"""Store first: each event is written to the outbox in the transaction of the
change itself — a change rolled back leaves no event — and only for clinics
with an endpoint that chose it. Payloads carry ids and statuses; names,
entry fields and message bodies only to an endpoint that asked for them."""

import json
from datetime import date

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from calls.actions import do_end_call, do_hold, do_join_call
from integrations.signals import invitation_used
from integrations.webhooks import WebhookDelivery, WebhookEvent
from messaging.actions import do_send_caller_message
from testkit.helpers import make_caller
from waiting.actions import do_leave_waiting_area, do_see_caller
from waiting.models import Caller

from .conftest import add_endpoint


def events_of(clinic):
    return [e.type for e in WebhookEvent.objects.filter(clinic=clinic).order_by("id")]


def test_a_visit_writes_its_events_in_order(messaging_clinic, team_member, endpoint):
    clinic = messaging_clinic
    caller = make_caller(clinic, name="Sue Smith", phone="0151 123")
    do_send_caller_message(caller.pk, body="I am here", client_id="c1")
    call, _ = do_join_call(caller.pk, actor=team_member)
    do_hold(call.pk, actor=team_member)
    do_end_call(call.pk, actor=team_member)
    assert events_of(clinic) == [
        "caller.entered",
        "caller.message_received",
        "caller.status_changed",  # being seen: the call
        "call.started",
        "caller.status_changed",  # on hold
        "call.ended",
        "visit.ended",  # End call ends the visit
    ]
    # One delivery per event for the one endpoint, all due now.
    assert WebhookDelivery.objects.filter(endpoint=endpoint, status="pending").count() == 7
    ended = WebhookEvent.objects.get(type="call.ended").payload(with_details=False)
    assert ended["data"] == {
        "call_id": call.pk, "caller_id": caller.pk, "started_at": ended["data"]["started_at"],
        "ended_at": ended["data"]["ended_at"], "duration_seconds": ended["data"]["duration_seconds"],
    }
    assert 0 <= ended["data"]["duration_seconds"] <= 5
    statuses = [e.data["status"] for e in WebhookEvent.objects.filter(type="caller.status_changed").order_by("id")]
    assert statuses == ["being_seen", "on_hold"]
    assert WebhookEvent.objects.get(type="visit.ended").data["reason"] == "ended"


def test_a_change_rolled_back_leaves_no_event(clinic, team_member, endpoint):
    caller = make_caller(clinic)
    WebhookEvent.objects.all().delete()
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            do_see_caller(caller.pk, actor=team_member)
            assert events_of(clinic) == ["caller.status_changed"]  # written inside the transaction
            raise RuntimeError("the request failed after the action")
    assert events_of(clinic) == []
    assert WebhookDelivery.objects.count() == 0
    assert Caller.objects.get(pk=caller.pk).status == "waiting"


def test_nothing_is_written_without_an_endpoint_and_it_costs_one_query(clinic, other_clinic, team_member):
    add_endpoint(other_clinic)  # another clinic's endpoint hears nothing of this one
    caller = make_caller(clinic)
    with CaptureQueriesContext(connection) as with_hooks_elsewhere:
        do_see_caller(caller.pk, actor=team_member)
    assert WebhookEvent.objects.count() == 0
    webhook_queries = [q["sql"] for q in with_hooks_elsewhere.captured_queries if "integrations_" in q["sql"]]
    assert len(webhook_queries) == 1 and webhook_queries[0].startswith("SELECT")


def test_an_endpoint_hears_only_the_events_it_chose(clinic, team_member):
    entered_only = add_endpoint(clinic, events=["caller.entered"])
    paused = add_endpoint(clinic, url="https://paused.example/", events=["caller.entered"])
    paused.active = False
    paused.save()
    caller = make_caller(clinic)
    do_leave_waiting_area(caller.pk)
    assert events_of(clinic) == ["caller.entered"]
    assert [d.endpoint_id for d in WebhookDelivery.objects.all()] == [entered_only.pk]


def test_payloads_carry_ids_and_statuses_unless_details_are_ticked(messaging_clinic):
    clinic = messaging_clinic
    plain = add_endpoint(clinic)
    caller = make_caller(clinic, name="Sue Smith", phone="0151 123", date_of_birth=date(1970, 5, 1))
    do_send_caller_message(caller.pk, body="My back hurts")
    for event in WebhookEvent.objects.all():
        assert event.details is None  # nobody asked: not even stored
        text = json.dumps(event.payload(with_details=False))
        assert "Sue" not in text and "0151" not in text and "back hurts" not in text
    entered = WebhookEvent.objects.get(type="caller.entered").payload(with_details=False)
    assert entered["type"] == "caller.entered"
    assert set(entered["data"]) == {"caller_id", "status", "arrived_at"}
    assert entered["data"]["caller_id"] == caller.pk and entered["data"]["status"] == "waiting"

    add_endpoint(clinic, url="https://emr.example/hooks", include_details=True)
    second = make_caller(clinic, name="Tom Jones", phone="0171 999", date_of_birth=date(1980, 1, 2))
    do_send_caller_message(second.pk, body="Is the doctor late?")
    entered = WebhookEvent.objects.filter(type="caller.entered").latest("id")
    assert entered.payload(with_details=True)["data"] == {
        "caller_id": second.pk, "status": "waiting", "arrived_at": entered.data["arrived_at"],
        "name": "Tom Jones", "phone": "0171 999", "date_of_birth": "1980-01-02", "extra_answer": "", "language": "",
    }
    message = WebhookEvent.objects.filter(type="caller.message_received").latest("id")
    assert message.payload(with_details=True)["data"]["body"] == "Is the doctor late?"
    assert "body" not in message.payload(with_details=False)["data"]  # what the plain endpoint gets
    assert WebhookDelivery.objects.filter(event=message).count() == 2
    assert plain.include_details is False


def test_an_invitation_used_is_an_event(clinic, endpoint):
    class Invitation:
        pk = 42

    with transaction.atomic():
        caller = make_caller(clinic)
        invitation_used.send(sender=object, invitation=Invitation(), caller=caller)
    assert WebhookEvent.objects.get(type="invitation.used").data == {"invitation_id": 42, "caller_id": caller.pk}


def test_details_are_forgotten_when_the_visit_is_purged(messaging_clinic):
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    clinic = messaging_clinic
    add_endpoint(clinic, include_details=True)
    old, recent = make_caller(clinic, name="Old Visit"), make_caller(clinic, name="Recent Visit")
    do_send_caller_message(old.pk, body="from long ago")
    for caller in (old, recent):
        do_leave_waiting_area(caller.pk)
    Caller.objects.filter(pk=old.pk).update(left_at=timezone.now() - timedelta(days=clinic.retention_days + 1))
    call_command("purge_visits")
    kept = {e.type: e.details for e in WebhookEvent.objects.filter(data__caller_id=old.pk)}
    assert set(kept) == {"caller.entered", "caller.message_received", "visit.ended"}
    assert set(kept.values()) == {None}  # ids and statuses stay for the log; names and bodies go
    assert WebhookEvent.objects.get(type="caller.entered", data__caller_id=recent.pk).details["name"] == "Recent Visit"
