"""What a closed page leaves behind. A server freezes what survives a full
collection (waitroom/server/heap.py): that is only cheap if a closed page's
objects go without the cycle collector; and the channel layer must forget its
inbox."""

import asyncio
import gc
import socket
import weakref

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from messaging.actions import do_notify
from waiting.consumers import CallerConsumer, DashboardConsumer
from testkit.sockets import FRAME, enter
from waitroom.server.heap import PAGE_OBJECTS, FreezeSurvivors, collect_young_regularly, open_sockets
from testkit.helpers import in_own_loop


@pytest.fixture
def freezer():
    """A FreezeSurvivors of the test's own (instead of the process's, if a
    test before started one), and only the test's own collections."""
    callback, installed = FreezeSurvivors(count_every=0), gc.callbacks[:]
    gc.callbacks[:] = [c for c in installed if not isinstance(c, FreezeSurvivors)] + [callback]
    gc.disable()
    yield callback
    gc.enable()
    gc.callbacks[:] = installed
    gc.unfreeze()


class Node:
    def __init__(self):
        self.other = None


def cycle():
    a, b = Node(), Node()
    a.other, b.other = b, a
    return weakref.ref(a)


def test_what_survives_a_full_collection_is_frozen_and_newer_garbage_still_goes(freezer):
    gc.collect()
    assert freezer.kept > 0 and gc.get_freeze_count() > 0
    gone = cycle()
    gc.collect()
    assert gone() is None


def test_a_cycle_frozen_alive_goes_once_the_frozen_set_has_doubled(freezer):
    kept = [Node()]
    kept[0].other = kept[0]
    garbage = weakref.ref(kept[0])
    gc.collect()  # survives: frozen
    kept.clear()  # garbage now, but in a cycle the collector no longer walks
    gc.collect()
    assert garbage() is not None
    more = [Node() for _ in range(2 * freezer.kept)]
    gc.collect()  # frozen too: now more than twice what the thorough one kept
    gc.collect()  # so this one thaws instead of freezing
    assert gc.get_freeze_count() == 0
    gc.collect()  # walks everything
    assert garbage() is None
    assert freezer.kept >= len(more)


def test_pages_opened_since_explain_what_was_frozen_for_them(freezer, monkeypatch):
    # Without this, a process growing to 10,000 pages walked everything it
    # holds, every page's objects, each time they doubled: 335 ms at 10,000.
    pages = [0]
    monkeypatch.setattr(freezer, "open_pages", lambda: pages[0])
    gc.collect()  # a thorough one
    for_pages = [Node() for _ in range(2 * freezer.kept)]
    pages[0] = len(for_pages) // PAGE_OBJECTS  # as many pages as explain them
    gc.collect()
    gc.collect()
    assert gc.get_freeze_count() >= len(for_pages)  # still frozen: not walked again
    unexplained = [Node() for _ in range(4 * freezer.kept)]
    gc.collect()
    gc.collect()
    assert gc.get_freeze_count() == 0  # thawed: the next full collection walks everything
    assert for_pages and unexplained


def test_young_garbage_is_collected_before_what_survives_is_frozen(freezer):
    gc.collect()  # a thorough one: what the process holds is frozen
    frozen = gc.get_freeze_count()
    gone = cycle()
    kept = [Node() for _ in range(100)]
    freezer.freeze_young()
    assert gone() is None
    assert gc.get_freeze_count() >= frozen + len(kept)


@in_own_loop
async def test_a_server_loop_collects_its_young_garbage_on_a_timer(freezer):
    # The collector is off (freezer): only the timer collects.
    collect_young_regularly(asyncio.get_running_loop(), every=0.01)
    gone = cycle()
    await asyncio.sleep(0.1)
    assert gone() is None


@pytest.mark.django_db(transaction=True)
async def test_closed_pages_are_freed_without_the_cycle_collector(sockets, clinic, team_member, monkeypatch):
    alive = weakref.WeakSet()

    def counted(consumer):
        def __init__(self, *args, **kwargs):
            super(consumer, self).__init__(*args, **kwargs)
            alive.add(self)

        monkeypatch.setattr(consumer, "__init__", __init__)

    counted(CallerConsumer)
    counted(DashboardConsumer)
    visits = [await enter(clinic, f"Caller {i}") for i in range(10)]
    gc.collect()
    gc.disable()
    try:
        pages = [(await sockets.caller(visit))[0] for visit in visits]
        await sockets.dashboard(team_member, clinic.slug)
        await database_sync_to_async(do_notify)(
            clinic, actor=team_member, caller_ids=[v.caller_id for v in visits], body="Dr Lee is ready"
        )
        for page in pages:
            assert (await page.receive_json_from(timeout=FRAME))["type"] == "message"
        assert len(alive) == 11
        await sockets.close_all()
        await asyncio.sleep(0.1)
        assert len(alive) == 0
    finally:
        gc.enable()


@pytest.mark.django_db(transaction=True)
async def test_closed_pages_leave_nothing_in_the_channel_layer(sockets, clinic, team_member):
    layer = get_channel_layer()
    before = len(layer.channels)
    for visit in [await enter(clinic, f"Caller {i}") for i in range(5)]:
        await sockets.caller(visit)
    await sockets.dashboard(team_member, clinic.slug)
    assert len(layer.channels) == before + 6
    await sockets.close_all()
    await asyncio.sleep(0.1)
    assert len(layer.channels) == before
    assert not any(layer.groups.values())


def test_a_process_counts_its_open_sockets():
    before = open_sockets()
    with socket.socket() as one, socket.socket() as two:
        assert open_sockets() == before + 2
