"""The clinic admin's webhook pages: register an endpoint (the secret shown
once), change it, make a new secret, remove it, read the delivery log and
send a delivery again — each audited. A team member is refused (403),
another clinic's staff find nothing (404), the signed-out and callers are
sent to sign in; bad URLs are refused with a clear error and change nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from clinics.audit_words import action_text
from integrations.webhooks import WebhookDelivery, WebhookEndpoint, WebhookEvent
from testkit.helpers import enter, make_caller

from .conftest import add_endpoint

URL = "/clinics/sunrise/integrations/webhooks/"


def add(client, url="https://practice.example/hooks", events=("caller.entered", "visit.ended"), **extra):
    return client.post(URL, {"url": url, "events": list(events), **extra})


def test_an_admin_registers_an_endpoint_and_sees_its_secret_once(client, clinic, clinic_admin):
    client.force_login(clinic_admin)
    page = client.get(URL).content.decode()
    assert "No webhooks yet." in page and "caller.message_received" in page
    assert '<a href="/clinics/sunrise/integrations/" aria-current="page">Integrations</a>' in page

    response = add(client, description="Practice system")
    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 302 and response["location"] == f"{URL}{endpoint.pk}/"
    assert endpoint.secret.startswith("whsec_") and endpoint.secret in client.get(response["location"]).content.decode()
    assert (endpoint.url, endpoint.events, endpoint.include_details) == (
        "https://practice.example/hooks", ["caller.entered", "visit.ended"], False,
    )
    again = client.get(f"{URL}{endpoint.pk}/").content.decode()
    assert endpoint.secret not in again and "whsec_" not in again
    assert "https://practice.example/hooks" in client.get(URL).content.decode()
    event = AuditEvent.objects.get(action="webhook.added")
    assert event.details == {
        "endpoint": endpoint.pk, "url": "https://practice.example/hooks", "events": ["caller.entered", "visit.ended"],
        "details_included": False,
    }
    assert action_text("webhook.added") == "Added a webhook"


def test_an_admin_changes_rotates_and_removes_an_endpoint(client, clinic, clinic_admin):
    client.force_login(clinic_admin)
    endpoint = add_endpoint(clinic)
    old = endpoint.secret
    response = client.post(f"{URL}{endpoint.pk}/", {
        "url": "https://practice.example/v2", "events": ["call.ended"], "include_details": "on", "active": "on",
    })
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.events, endpoint.include_details) == ("https://practice.example/v2", ["call.ended"], True)
    changes = AuditEvent.objects.get(action="webhook.changed").details["changes"]
    assert set(changes) == {"url", "events", "include_details"}

    rotated = client.post(f"{URL}{endpoint.pk}/secret/", follow=True)
    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.secret in rotated.content.decode()
    assert endpoint.secret not in client.get(f"{URL}{endpoint.pk}/").content.decode()
    assert endpoint.previous_secret == old
    assert AuditEvent.objects.filter(action="webhook.secret_rotated").count() == 1

    assert client.post(f"{URL}{endpoint.pk}/remove/").status_code == 302
    assert not WebhookEndpoint.objects.exists()
    assert AuditEvent.objects.get(action="webhook.removed").details["url"] == "https://practice.example/v2"


def test_the_delivery_log_shows_each_delivery_and_sends_one_again(client, clinic, clinic_admin):
    client.force_login(clinic_admin)
    endpoint = add_endpoint(clinic, events=["caller.entered"])
    for n in range(30):
        make_caller(clinic, name=f"Caller {n}")
    WebhookDelivery.objects.filter(pk=WebhookDelivery.objects.order_by("id").first().pk).update(
        status="failed", attempts=10, last_status_code=500, last_error="HTTP 500", next_attempt_at=None
    )
    first_page = client.get(f"{URL}{endpoint.pk}/").content.decode()
    row = '<th scope="row"><code>caller.entered</code>'
    assert first_page.count(row) == 25 and "Page 1 of 2" in first_page
    assert "Caller 1" not in first_page  # ids and statuses, never names
    second = client.get(f"{URL}{endpoint.pk}/?page=2").content.decode()
    assert second.count(row) == 5 and "Failed" in second and "500 HTTP 500" in second
    assert client.get(f"{URL}{endpoint.pk}/?page=x%00").status_code == 200

    failed = WebhookDelivery.objects.get(status="failed")
    response = client.post(f"{URL}{endpoint.pk}/deliveries/{failed.pk}/send-again/", {"page": "2"})
    assert response.status_code == 302 and response["location"].endswith(f"{endpoint.pk}/?page=2")
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("pending", 0)
    assert AuditEvent.objects.get(action="webhook.sent_again").details == {
        "endpoint": endpoint.pk, "delivery": failed.pk, "event": "caller.entered",
    }


def test_details_need_the_tick(client, clinic, clinic_admin):
    client.force_login(clinic_admin)
    add(client, events=["caller.entered"])
    enter(client, clinic, name="Sue Smith")
    assert WebhookEvent.objects.get().details is None


# Refusals -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url, error",
    [
        ("http://practice.example/hooks", "Webhooks are sent over HTTPS only"),
        ("file:///etc/passwd", "Enter an address starting with https://."),
        ("gopher://practice.example/", "Enter an address starting with https://."),
        ("https://", "Enter an address starting with https://."),
        ("https://user:pw@practice.example/", "user name or password"),
        ("https://127.0.0.1/hooks", "not sent to local or private network addresses"),
        ("https://[::1]/hooks", "not sent to local or private network addresses"),
        ("https://169.254.169.254/latest/meta-data/", "not sent to local or private network addresses"),
        ("https://localhost:8000/", "not sent to local or private network addresses"),
        ("https://practice.example:99999/", "This is not a URL."),
        ("https://practice.example/" + "a" * 600, "at most 500 characters"),
        ("https://practice.example/" + "a" * 100_000, "at most 2000 characters"),
        ("https://practice .example/", "no spaces or control characters"),
        ("javascript:alert(1)", "Enter an address starting with https://."),
    ],
)
def test_bad_urls_are_refused_and_nothing_is_stored(client, clinic, clinic_admin, url, error):
    client.force_login(clinic_admin)
    response = add(client, url=url)
    assert response.status_code == 400
    assert error in response.content.decode().replace("&#x27;", "'")
    assert not WebhookEndpoint.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="webhook.").exists()


def test_http_is_allowed_where_the_settings_allow_it(client, clinic, clinic_admin, settings):
    settings.WAITROOM_WEBHOOKS_ALLOW_HTTP = True
    client.force_login(clinic_admin)
    assert add(client, url="http://practice.example/hooks").status_code == 302


def test_lone_surrogates_and_no_events_are_refused(client, clinic, clinic_admin):
    client.force_login(clinic_admin)
    # What a browser cannot send, a script can: %ED%A0%80 is a lone surrogate in UTF-8.
    body = "url=https%3A%2F%2Fx%ED%A0%80.example%2F&events=caller.entered&description=x%ED%A0%80"
    response = client.post(URL, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert add(client, events=[]).status_code == 400
    assert "Choose at least one event." in add(client, events=[]).content.decode()
    assert add(client, events=["caller.entered", "everything"]).status_code == 400
    assert not WebhookEndpoint.objects.exists()


def test_a_change_with_a_bad_url_changes_nothing(client, clinic, clinic_admin):
    client.force_login(clinic_admin)
    endpoint = add_endpoint(clinic)
    response = client.post(f"{URL}{endpoint.pk}/", {"url": "http://10.0.0.1/", "events": ["call.ended"], "active": "on"})
    assert response.status_code == 400
    endpoint.refresh_from_db()
    assert endpoint.url == "https://practice.example/hooks" and "call.started" in endpoint.events


def pages(endpoint, delivery):
    base = f"{URL}{endpoint.pk}/"
    return [
        ("get", URL), ("post", URL), ("get", base), ("post", base), ("post", f"{base}secret/"),
        ("post", f"{base}remove/"), ("post", f"{base}deliveries/{delivery.pk}/send-again/"),
    ]


@pytest.fixture
def delivery(clinic):
    add_endpoint(clinic, events=["caller.entered"])
    make_caller(clinic)
    return WebhookDelivery.objects.get()


def test_a_team_member_is_refused(client, clinic, team_member, delivery):
    client.force_login(team_member)
    for method, url in pages(delivery.endpoint, delivery):
        assert getattr(client, method)(url).status_code == 403, url
    assert WebhookEndpoint.objects.get().secret == delivery.endpoint.secret


def test_another_clinics_staff_find_nothing(client, clinic, other_clinic, outsider, delivery):
    client.force_login(outsider)
    for method, url in pages(delivery.endpoint, delivery):
        assert getattr(client, method)(url).status_code == 404, url
    # Their own clinic's pages do not reach this clinic's endpoint either.
    theirs = f"/clinics/harbour/integrations/webhooks/{delivery.endpoint.pk}/"
    for method, url in [("get", theirs), ("post", f"{theirs}secret/"), ("post", f"{theirs}remove/"),
                        ("post", f"{theirs}deliveries/{delivery.pk}/send-again/")]:
        assert getattr(client, method)(url).status_code == 404, url
    assert WebhookEndpoint.objects.filter(pk=delivery.endpoint.pk).exists()


def test_a_delivery_of_another_endpoint_is_not_found(client, clinic, clinic_admin, delivery):
    client.force_login(clinic_admin)
    other = add_endpoint(clinic, url="https://other.example/")
    url = f"{URL}{other.pk}/deliveries/{delivery.pk}/send-again/"
    assert client.post(url).status_code == 404
    assert client.post(f"{URL}{other.pk}/deliveries/99999999999999999999/send-again/").status_code == 404


def test_the_signed_out_and_callers_are_sent_to_sign_in(client, clinic, delivery):
    for method, url in pages(delivery.endpoint, delivery):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response["location"].startswith("/login/"), url
    enter(client, clinic)  # a caller's session
    for method, url in pages(delivery.endpoint, delivery):
        assert getattr(client, method)(url).status_code == 302, url
    assert WebhookDelivery.objects.get(pk=delivery.pk).attempts == 0
    assert timezone.now() - WebhookEndpoint.objects.get().created_at < timedelta(minutes=1)


def test_a_clinic_has_at_most_ten_webhooks(client, clinic, clinic_admin):
    client.force_login(clinic_admin)
    for n in range(10):
        add_endpoint(clinic, url=f"https://practice.example/{n}")
    response = add(client)
    assert response.status_code == 400 and "A clinic has at most 10 webhooks." in response.content.decode()
    assert WebhookEndpoint.objects.count() == 10
