"""A page that goes is released with the work its going needs and no more:
ten thousand go together in a network blip, and each extra trip to the one
thread that runs database code queues before the pages coming back."""

import pytest

from testkit.sockets import caller, enter
from waiting.models import Status

pytestmark = pytest.mark.django_db(transaction=True)


async def test_a_page_that_goes_makes_no_trip_to_close_stale_connections(sockets, clinic, monkeypatch):
    trips = []

    async def close_old_connections():
        trips.append("close_old_connections")

    # Channels' own websocket_disconnect makes this trip for every page.
    monkeypatch.setattr("channels.generic.websocket.aclose_old_connections", close_old_connections)
    monkeypatch.setattr("channels.consumer.aclose_old_connections", close_old_connections)
    ada = await enter(clinic)
    page, _ = await sockets.caller(ada)

    await page.disconnect()

    assert (await caller(ada.caller_id)).status == Status.OFFLINE  # released as ever
    assert trips == []
