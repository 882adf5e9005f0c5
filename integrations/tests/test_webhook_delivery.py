"""The worker signs each delivery as the Standard Webhooks specification says,
retries with backoff for a day, then marks it failed; "send again" gives it
another day; a receiver that answers slowly, not at all, or with a redirect
is a failed try in a few words, and nothing of its answer is kept."""

import json
from datetime import timedelta

import pytest
from django.core.management import call_command

from integrations import delivery
from integrations.delivery import RETRY_SCHEDULE, deliver_due
from integrations.webhooks import (
    WebhookDelivery, WebhookEndpoint, WebhookEvent, do_purge_old_deliveries, do_rotate_secret, do_send_again,
)
from testkit.helpers import make_caller

from .conftest import add_endpoint
from .receiver import Receiver, verify


@pytest.fixture
def no_jitter(monkeypatch):
    monkeypatch.setattr(delivery, "jitter", lambda: 0.0)


def test_a_delivery_is_signed_as_the_specification_says(clinic, local_hooks, clock):
    with Receiver() as receiver:
        endpoint = add_endpoint(clinic, url=receiver.url, events=["caller.entered"])
        receiver.secret = endpoint.secret
        caller = make_caller(clinic)
        call_command("deliver_webhooks", "--once")
    [(headers, body, valid)] = receiver.received
    assert valid
    event = WebhookEvent.objects.get()
    assert headers["webhook-id"] == event.msg_id and event.msg_id.startswith("msg_")
    assert headers["webhook-timestamp"] == str(int(clock.now.timestamp()))
    assert headers["content-type"] == "application/json"
    assert json.loads(body) == {
        "type": "caller.entered",
        "timestamp": event.created_at.isoformat().replace("+00:00", "Z"),
        "data": {"caller_id": caller.pk, "status": "waiting", "arrived_at": event.data["arrived_at"]},
    }
    assert endpoint.secret.startswith("whsec_")
    # A tampered body or another secret does not verify.
    assert not verify(endpoint.secret, headers, body.replace(b"waiting", b"on_hold"))
    assert not verify(add_endpoint(clinic).secret, headers, body)
    sent = WebhookDelivery.objects.get()
    assert (sent.status, sent.attempts, sent.last_status_code, sent.next_attempt_at) == ("delivered", 1, 204, None)


def test_after_a_new_secret_both_sign_for_a_day(clinic, clinic_admin, local_hooks, clock):
    with Receiver() as receiver:
        endpoint = add_endpoint(clinic, url=receiver.url, events=["caller.entered"])
        old = endpoint.secret
        new = do_rotate_secret(clinic, endpoint.pk, actor=clinic_admin).secret
        make_caller(clinic)
        deliver_due()
        clock.advance(hours=25)
        make_caller(clinic)
        deliver_due()
    (first, body1, _), (second, body2, _) = receiver.received
    assert verify(old, first, body1) and verify(new, first, body1)
    assert verify(new, second, body2) and not verify(old, second, body2)


def failing(monkeypatch, code=500):
    tries = []

    def post(url, body, headers):
        tries.append(headers["webhook-id"])
        return code

    monkeypatch.setattr(delivery, "post", post)
    return tries


def test_retries_follow_the_schedule_then_the_delivery_fails(clinic, endpoint, clock, monkeypatch, no_jitter):
    tries = failing(monkeypatch)
    make_caller(clinic)
    row = WebhookDelivery.objects.get(event__type="caller.entered")
    WebhookDelivery.objects.exclude(pk=row.pk).delete()
    start = clock.now
    waits = []
    assert deliver_due() == 1
    while True:
        row.refresh_from_db()
        if row.status != "pending":
            break
        clock.to(row.next_attempt_at - timedelta(seconds=1))
        assert deliver_due() == 0  # not due yet: nobody sends it early
        clock.to(row.next_attempt_at)
        waits.append(round((row.next_attempt_at - row.last_attempt_at).total_seconds()))
        assert deliver_due() == 1
    assert waits == RETRY_SCHEDULE == [5, 30, 120, 600, 1800, 3600, 10800, 21600, 43200]
    assert (row.status, row.attempts, row.last_status_code, row.last_error) == ("failed", 10, 500, "HTTP 500")
    assert len(set(tries)) == 1 and len(tries) == 10  # the same webhook-id each time
    assert clock.now - start < timedelta(days=1)


def test_with_jitter_the_retries_still_end_after_a_day(clinic, endpoint, clock, monkeypatch):
    monkeypatch.setattr(delivery, "jitter", lambda: 1.0)  # every wait 20 % longer
    failing(monkeypatch)
    make_caller(clinic)
    row = WebhookDelivery.objects.get()
    start = row.tries_since
    deliver_due()
    row.refresh_from_db()
    assert row.next_attempt_at - row.last_attempt_at == timedelta(seconds=6)
    while row.status == "pending":
        clock.to(row.next_attempt_at)
        deliver_due()
        row.refresh_from_db()
    assert row.status == "failed"
    assert row.last_attempt_at == start + timedelta(days=1)  # the last try at the day's end, not after


def test_a_delivery_is_failed_once_its_day_is_over(clinic, endpoint, clock, monkeypatch):
    """The worker was stopped for a day: the first try that fails is the last."""
    failing(monkeypatch, code=503)
    make_caller(clinic)
    clock.advance(hours=25)
    deliver_due()
    assert WebhookDelivery.objects.get().status == "failed"


def test_send_again_gives_a_failed_delivery_another_day(clinic, clinic_admin, endpoint, clock, monkeypatch):
    tries = failing(monkeypatch)
    make_caller(clinic)
    clock.advance(hours=25)
    deliver_due()
    row = WebhookDelivery.objects.get()
    assert row.status == "failed"
    do_send_again(clinic, endpoint.pk, row.pk, actor=clinic_admin)
    monkeypatch.setattr(delivery, "post", lambda url, body, headers: tries.append(headers["webhook-id"]) or 200)
    clock.to(WebhookDelivery.objects.get().next_attempt_at)
    deliver_due()
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_status_code) == ("delivered", 1, 200)
    assert tries[0] == tries[1]  # the same event, so the receiver can tell


@pytest.mark.parametrize(
    "answer, error",
    [
        (302, "HTTP 302 (redirects are not followed)"),
        ("drop", "connection failed: RemoteDisconnected"),
        ("hang", "timed out"),
        ("drip", "timed out"),
    ],
)
def test_a_receiver_that_does_not_answer_well_is_a_failed_try(clinic, local_hooks, clock, monkeypatch, answer, error):
    monkeypatch.setattr(delivery, "TOTAL_TIMEOUT", 0.5)
    with Receiver(answers=[answer]) as receiver:
        add_endpoint(clinic, url=receiver.url, events=["caller.entered"])
        make_caller(clinic)
        deliver_due()
        row = WebhookDelivery.objects.get()
        assert (row.status, row.last_error) == ("pending", error)
        assert len(receiver.received) == 1  # the redirect was not followed
        assert row.next_attempt_at > clock.now


def test_a_receiver_that_is_gone_is_a_failed_try(clinic, local_hooks, clock):
    receiver = Receiver()
    receiver.kill()
    add_endpoint(clinic, url=receiver.url, events=["caller.entered"])
    make_caller(clinic)
    deliver_due()
    assert WebhookDelivery.objects.get().last_error == "connection refused"


def test_a_paused_endpoint_keeps_its_deliveries_until_it_is_on_again(clinic, endpoint, clock, monkeypatch):
    tries = failing(monkeypatch, code=200)
    make_caller(clinic)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(active=False)
    assert deliver_due() == 0
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(active=True)
    assert deliver_due() == 1 and len(tries) == 1


def test_old_deliveries_are_purged_with_the_visits(clinic, endpoint, clock, monkeypatch, settings):
    settings.WAITROOM_WEBHOOKS_KEEP_DAYS = 7
    failing(monkeypatch, code=200)
    make_caller(clinic)
    deliver_due()
    make_caller(clinic)  # still pending: kept whatever its age
    assert do_purge_old_deliveries() == 0
    WebhookDelivery.objects.update(tries_since=clock.now - timedelta(days=8))
    WebhookEvent.objects.update(created_at=clock.now - timedelta(days=8))
    call_command("purge_visits")
    assert list(WebhookDelivery.objects.values_list("status", flat=True)) == ["pending"]
    assert WebhookEvent.objects.count() == 1


def test_a_delivery_that_cannot_be_sent_does_not_stop_the_worker(clinic, clock, monkeypatch):
    bad = add_endpoint(clinic, events=["caller.entered"])
    good = add_endpoint(clinic, url="https://good.example/", events=["caller.entered"])
    sent = []

    def post(url, body, headers):
        if url == bad.url:
            raise KeyError("a bug")
        sent.append(url)
        return 200

    monkeypatch.setattr(delivery, "post", post)
    make_caller(clinic)
    call_command("deliver_webhooks", "--once")
    assert sent == [good.url]
    failed = WebhookDelivery.objects.get(endpoint=bad)
    assert (failed.status, failed.last_error) == ("pending", "could not be sent (see the worker's log)")
