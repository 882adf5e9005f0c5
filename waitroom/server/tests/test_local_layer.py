"""The one-process channel layer: a page's group membership lasts as long as
the page, however long that is; a group's first pages have its event before
it is queued for the rest of ten thousand, and still every page has a group's
events in the order they were sent."""

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


async def pages(layer, group, n):
    channels = [await layer.new_channel() for _ in range(n)]
    for channel in channels:
        await layer.group_add(group, channel)
    return channels


@in_own_loop
async def test_the_first_pages_have_a_big_groups_event_before_the_rest_are_queued():
    layer = layers.LocalChannelLayer()
    channels = await pages(layer, "clinic-1.callers", layers.FIRST_FEW + 50)
    finished = []
    first = asyncio.ensure_future(layer.receive(channels[0]))
    last = asyncio.ensure_future(layer.receive(channels[-1]))
    await asyncio.sleep(0)  # both pages wait

    sending = asyncio.ensure_future(layer.group_send("clinic-1.callers", {"type": "thread.broadcast"}))
    for name, task in (("first page", first), ("last page", last), ("queued for all", sending)):
        task.add_done_callback(lambda _, name=name: finished.append(name))
    await asyncio.wait_for(asyncio.gather(first, last, sending), 1)

    assert finished.index("first page") < finished.index("queued for all")
    assert last.result() == {"type": "thread.broadcast"}


@in_own_loop
async def test_every_page_has_its_events_in_the_order_they_were_sent():
    # A notification to the whole clinic, then one to the last caller alone:
    # that caller's page has them in this order, as they were numbered.
    layer = layers.LocalChannelLayer()
    channels = await pages(layer, "clinic-1.callers", layers.FIRST_FEW + 50)
    await layer.group_add("caller-7", channels[-1])
    to_all = asyncio.ensure_future(layer.group_send("clinic-1.callers", {"type": "thread.broadcast", "seq": 1}))
    to_one = asyncio.ensure_future(layer.group_send("caller-7", {"type": "thread.messages", "seq": 2}))
    await asyncio.gather(to_all, to_one)
    got = [await asyncio.wait_for(layer.receive(channels[-1]), 1) for _ in range(2)]
    assert [event["seq"] for event in got] == [1, 2]


@in_own_loop
async def test_a_page_that_leaves_while_a_big_group_is_told_is_not_given_an_inbox_again():
    layer = layers.LocalChannelLayer()
    channels = await pages(layer, "clinic-1.callers", layers.FIRST_FEW + 50)
    sending = asyncio.ensure_future(layer.group_send("clinic-1.callers", {"type": "thread.broadcast"}))
    await asyncio.sleep(0)
    await layer.group_discard("clinic-1.callers", channels[-1])  # its page closed meanwhile
    await sending
    assert channels[-1] not in layer.channels and channels[-2] in layer.channels


@in_own_loop
async def test_a_page_that_serves_now_has_a_groups_events_at_once_and_in_order():
    layer = layers.LocalChannelLayer()
    [channel] = await pages(layer, "clinic-1.callers", 1)
    taken = []

    def take(message):  # a page whose socket takes frames now, until it cannot
        if message["n"] == 2:
            return False
        taken.append(message["n"])
        return True

    layer.serve_now(channel, take)
    reader = asyncio.ensure_future(layer.receive(channel))
    await asyncio.sleep(0)  # the page waits
    for n in range(1, 5):
        await layer.group_send("clinic-1.callers", {"type": "thread.broadcast", "n": n})
    assert taken == [1]  # 2 could not be taken now: the page's task has it, and 3 and 4 wait behind it
    assert (await asyncio.wait_for(reader, 1))["n"] == 2
    assert [(await layer.receive(channel))["n"] for _ in range(2)] == [3, 4]
