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
