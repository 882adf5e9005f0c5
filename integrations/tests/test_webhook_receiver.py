"""A practice system's receiver, for real on 127.0.0.1: it checks every
signature; when it dies mid-way the delivery it missed arrives once more
when it is back, and nothing is sent twice; two workers at once never send
one event twice."""

import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection

from integrations.delivery import deliver_due
from integrations.webhooks import WebhookDelivery, do_add_endpoint
from testkit.helpers import make_caller
from waiting.actions import do_leave_waiting_area

from .receiver import Receiver


def test_a_receiver_killed_mid_way_gets_the_missed_event_once_when_it_is_back(clinic, clinic_admin, local_hooks, clock):
    receiver = Receiver(answers=[204, "drop"])  # the second request: read, then the receiver dies
    endpoint = do_add_endpoint(clinic, actor=clinic_admin, url=receiver.url, events=["caller.entered", "visit.ended"])
    receiver.secret = endpoint.secret
    port = receiver.port
    sue = make_caller(clinic, name="Sue")
    do_leave_waiting_area(sue.pk)
    call_command("deliver_webhooks", "--once")
    receiver.kill()
    assert [h["webhook-id"] for h, _, valid in receiver.received if valid] == receiver.ids() and len(receiver.ids()) == 2
    first, missed = WebhookDelivery.objects.order_by("id")
    assert first.status == "delivered"
    missed.refresh_from_db()
    assert (missed.status, missed.attempts, missed.last_error) == ("pending", 1, "connection failed: RemoteDisconnected")

    tom = make_caller(clinic, name="Tom")  # while the receiver is down
    clock.advance(seconds=1)
    call_command("deliver_webhooks", "--once")
    assert WebhookDelivery.objects.get(event__data__caller_id=tom.pk).last_error == "connection refused"

    back = Receiver(secret=endpoint.secret, port=port)
    call_command("deliver_webhooks", "--once")
    assert back.received == []  # retries wait their turn
    clock.advance(seconds=30)
    call_command("deliver_webhooks", "--once")
    clock.advance(minutes=5)
    call_command("deliver_webhooks", "--once")
    back.kill()
    missed_id = missed.event.msg_id
    assert Counter(back.ids()) == {missed_id: 1, WebhookDelivery.objects.get(event__data__caller_id=tom.pk).event.msg_id: 1}
    assert all(valid for _, _, valid in back.received)
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"delivered"}


def _worker(sent, errors):
    try:
        while True:
            tried = deliver_due(limit=3)
            sent.append(tried)
            if not tried:
                return
    except Exception as e:  # pragma: no cover - shown by the assertion below
        errors.append(e)
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_send_one_event_twice(local_hooks, monkeypatch):
    from clinics.models import Clinic
    from integrations import delivery

    clinic = Clinic.objects.create(name="Sunrise Clinic", slug="sunrise")
    with Receiver(delay=0.01) as receiver:
        do_add_endpoint(clinic, actor=None, url=receiver.url, events=["caller.entered"])
        do_add_endpoint(clinic, actor=None, url=receiver.url.replace("/hooks", "/second"), events=["caller.entered"])
        for n in range(30):
            make_caller(clinic, name=f"Caller {n}")
        monkeypatch.setattr(delivery, "clock", lambda: delivery.timezone.now() + timedelta(minutes=1))
        sent, errors = ([], []), []
        workers = [threading.Thread(target=_worker, args=(sent[n], errors)) for n in range(2)]
        for w in workers:
            w.start()
        for w in workers:
            w.join(60)
        arrived = Counter((h["webhook-id"], h[":path"]) for h, _, _ in receiver.received)
    assert errors == []
    assert len(arrived) == 60 and set(arrived.values()) == {1}  # 30 events to 2 endpoints, each once
    per_endpoint = Counter(d for d in WebhookDelivery.objects.values_list("endpoint_id", flat=True))
    assert set(per_endpoint.values()) == {30}
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"delivered"}
    assert set(WebhookDelivery.objects.values_list("attempts", flat=True)) == {1}  # each sent once
    assert sum(sent[0]) + sum(sent[1]) == 60
    assert sum(sent[0]) > 0 and sum(sent[1]) > 0  # both workers sent some
