import json

import pytest

from integrations.api_keys import do_create_api_key


class Api:
    """A practice system's HTTP client: the Django test client with a key."""

    def __init__(self, client, key_text):
        self.client = client
        self.key_text = key_text

    def headers(self, extra=None):
        headers = {"Authorization": f"Bearer {self.key_text}"} if self.key_text else {}
        return {**headers, **(extra or {})}

    def get(self, path, **headers):
        return self.client.get(f"/api/v1{path}", headers=self.headers(headers))

    def post(self, path, data=None, *, raw=None, **headers):
        body = raw if raw is not None else json.dumps(data if data is not None else {})
        return self.client.post(f"/api/v1{path}", body, content_type="application/json", headers=self.headers(headers))


@pytest.fixture
def make_key(clinic, clinic_admin):
    def make(*scopes, clinic=clinic, name="Practice system"):
        return do_create_api_key(clinic, actor=None, name=name, scopes=list(scopes or ["read", "notify", "invite"]))

    return make


@pytest.fixture
def api(client, make_key):
    """A client with a key of the clinic that may do everything."""
    _key, text = make_key("read", "notify", "invite")
    return Api(client, text)


@pytest.fixture
def api_as(client, make_key):
    def as_key(*scopes, **kwargs):
        _key, text = make_key(*scopes, **kwargs)
        return Api(client, text)

    return as_key


from integrations.webhooks import WebhookEndpoint, new_secret


@pytest.fixture
def endpoint(clinic):
    """An endpoint of the clinic for every event, ids and statuses only."""
    return add_endpoint(clinic)


def add_endpoint(clinic, url="https://practice.example/hooks", events=None, include_details=False):
    from integrations.webhooks import EVENTS

    return WebhookEndpoint.objects.create(
        clinic=clinic, url=url, events=list(events or EVENTS), include_details=include_details, secret=new_secret()
    )


class FakeClock:
    """The worker's clock (integrations.delivery.clock), moved by the test."""

    def __init__(self, monkeypatch):
        from datetime import timedelta

        from django.utils import timezone

        # A minute ahead: what the test makes now (with the real clock) is due.
        self.now = timezone.now() + timedelta(minutes=1)
        monkeypatch.setattr("integrations.delivery.clock", lambda: self.now)

    def advance(self, **kwargs):
        from datetime import timedelta

        self.now += timedelta(**kwargs)

    def to(self, moment):
        self.now = moment


@pytest.fixture
def clock(monkeypatch):
    return FakeClock(monkeypatch)


@pytest.fixture
def local_hooks(settings):
    """Deliveries may go to this machine over http (a receiver in the test)."""
    settings.WAITROOM_WEBHOOKS_ALLOW_PRIVATE = True
    settings.WAITROOM_WEBHOOKS_ALLOW_HTTP = True
