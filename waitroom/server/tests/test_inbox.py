"""A channel's (and a page socket's) queue: every event reaches its reader once,
in order, whether the reader was waiting or busy, and none is lost to a reader
that gave up waiting."""

import asyncio

import pytest

from waitroom.server.layers import Inbox
from testkit.helpers import in_own_loop


@in_own_loop
async def test_events_reach_a_waiting_reader_and_a_busy_one_in_order():
    inbox = Inbox(maxsize=10)
    waiting = inbox.get()
    inbox.put_nowait("first")  # handed to the waiting reader
    inbox.put_nowait("second")  # kept: the reader is busy with the first
    inbox.put_nowait("third")
    assert await waiting == "first"
    assert [await inbox.get(), await inbox.get()] == ["second", "third"]
    assert inbox.empty()


@in_own_loop
async def test_an_event_for_a_reader_that_gave_up_waits_for_the_next_reader():
    inbox = Inbox(maxsize=10)
    reader = asyncio.ensure_future(inbox.get())
    await asyncio.sleep(0)
    reader.cancel()
    inbox.put_nowait("kept")
    assert len(inbox) == 1
    assert await inbox.get() == "kept"


@in_own_loop
async def test_a_full_inbox_refuses_more_and_keeps_what_it_has():
    inbox = Inbox(maxsize=2)
    inbox.put_nowait(1)
    inbox.put_nowait(2)
    with pytest.raises(asyncio.QueueFull):
        inbox.put_nowait(3)
    assert [await inbox.get(), await inbox.get()] == [1, 2]


@in_own_loop
async def test_a_waiting_reader_takes_what_it_can_at_once_and_keeps_waiting():
    inbox = Inbox(maxsize=10)
    taken = []
    inbox.take_now = lambda item: item.startswith("now") and not taken.append(item)
    waiting = inbox.get()
    inbox.put_nowait("now 1")  # taken at once: the reader still waits
    inbox.put_nowait("now 2")
    assert taken == ["now 1", "now 2"] and not waiting.done()
    inbox.put_nowait("later 3")  # not taken: handed to the waiting reader, as without take_now
    inbox.put_nowait("now 4")  # the reader is busy with "later 3": queued behind it, never before
    assert await waiting == "later 3"
    assert await inbox.get() == "now 4"
    assert taken == ["now 1", "now 2"] and inbox.empty()


@in_own_loop
async def test_a_busy_reader_is_not_offered_an_item_before_those_queued():
    inbox = Inbox(maxsize=10)
    taken = []
    inbox.take_now = taken.append
    inbox.put_nowait("first")  # no reader waits
    inbox.put_nowait("second")
    assert taken == []
    assert [await inbox.get(), await inbox.get()] == ["first", "second"]
