"""The one-process channel layer: a page's group membership lasts as long as
the page, however long that is."""

import asyncio
import time

from waitroom.server import layers
from testkit.helpers import in_own_loop


@in_own_loop
async def test_a_page_open_for_days_still_hears_its_group(monkeypatch):
    layer = layers.LocalChannelLayer()
    channel = await layer.new_channel()
    await layer.group_add("clinic-1.staff", channel)
    days_later = time.time() + 3 * 86400

    class DaysLater:  # the layer's clock only (the event loop's keeps going)
        time = monotonic = staticmethod(lambda: days_later)  # monotonic: the sweep is due

    monkeypatch.setattr(layers, "time", DaysLater)
    monkeypatch.setattr("channels.layers.time", DaysLater)  # the stock sweep's clock
    await layer.group_send("clinic-1.staff", {"type": "callers.changed"})
    assert await asyncio.wait_for(layer.receive(channel), 1) == {"type": "callers.changed"}
