import pytest

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
