"""One task per server process that keeps its pages honest.

- Every second: a page that sent nothing for WAITROOM_HEARTBEAT_TIMEOUT is
  closed, and a caller's shows them Offline (a tab on a dead network never says
  goodbye). Every page sends heartbeats (static/waitroom/socket.js), so this is
  the only keepalive: uvicorn's own pings are off (waitroom/server/protocol.py).
- Every few seconds: this process says it is alive; caller pages that are
  behind the database (an announcement the channel layer dropped — over
  capacity, or Redis restarting) catch up from it, in one query for all; a
  dashboard whose cards differ from the database gets a fresh snapshot.
- Every ten seconds: the presence sweep — pages that never connected or whose
  process died are Offline, Offline callers past their grace period leave,
  calls no team member attends any more put the caller on hold.

One loop for all connections rather than a timer each: ten thousand idle pages
cost a pass over a set per second, taken in slices so that no page or request
waits for the whole pass.
"""

import asyncio
import logging
import time
from datetime import timedelta

from channels.db import database_sync_to_async
from django.conf import settings

from calls.actions import do_mark_seats_of_silent_servers_away, do_release_abandoned_calls
from messaging.actions import do_record_many_receipts
from waiting.actions import (
    do_expire_offline_callers,
    do_mark_pages_of_silent_servers_offline,
    do_mark_unconnected_offline,
)
from waiting.models import Caller
from waitroom.lookups import among

from . import presence

log = logging.getLogger(__name__)

CHECK_SECONDS = 1.0
SWEEP_EVERY_SECONDS = 10.0
SLICE = 500  # pages looked at per turn of the event loop (a pass over 10,000 took 20-30 ms in one turn)


async def in_slices(items):
    """The items, a slice at a time, letting the event loop run between slices."""
    for start in range(0, len(items), SLICE):
        if start:
            await asyncio.sleep(0)
        yield items[start : start + SLICE]


class Watchdog:
    def __init__(self):
        self.consumers = set()  # every page leaves it when it closes (PageConsumer.__call__)
        self.tasks = set()
        self.receipts = {}  # caller id -> (delivered, seen), written once a second
        self.behind = {}  # caller id -> thread length, of pages behind at the last check
        self.task = None
        self.last_catch_up = self.last_sweep = time.monotonic()

    def watch(self, consumer):
        # Silence counts from now: connecting may have taken a while under load.
        consumer.last_frame_at = time.monotonic()
        self.consumers.add(consumer)
        loop = asyncio.get_running_loop()
        if self.task is None or self.task.done() or self.task.get_loop() is not loop:
            self.last_catch_up = self.last_sweep = time.monotonic()
            self.task = loop.create_task(self._run())

    def unwatch(self, consumer):
        self.consumers.discard(consumer)

    def receipt(self, caller_id, delivered, seen):
        old = self.receipts.get(caller_id, (0, 0))
        self.receipts[caller_id] = (max(old[0], delivered), max(old[1], seen))

    def forget_all(self):
        self.consumers.clear()
        self.behind = {}
        self.receipts = {}
        self.task = None

    def _spawn(self, coroutine):
        # Keep a reference: asyncio holds tasks weakly.
        task = asyncio.get_running_loop().create_task(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task):
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            # A page that went away meanwhile: nothing to do for it any more.
            log.debug("watchdog task failed: %r", task.exception())

    async def _run(self):
        while self.consumers or self.receipts:
            await asyncio.sleep(CHECK_SECONDS)
            try:
                await self._check()
            except Exception:
                log.exception("watchdog pass failed")

    async def _check(self):
        if self.receipts:
            receipts, self.receipts = self.receipts, {}
            await database_sync_to_async(do_record_many_receipts)(receipts)
        now = time.monotonic()
        timeout = settings.WAITROOM_HEARTBEAT_TIMEOUT
        pages, dashboards = [], []  # caller pages still heard from; the clinics' dashboards
        async for consumers in in_slices(list(self.consumers)):
            for page in consumers:
                if now - page.last_frame_at > timeout:
                    self.consumers.discard(page)
                    self._spawn(page.went_silent())
                elif getattr(page, "caller_id", None) and page.serving:
                    pages.append(page)
                elif hasattr(page, "check_cards"):
                    dashboards.append(page)
        if now - self.last_catch_up >= settings.WAITROOM_CATCH_UP_SECONDS:
            self.last_catch_up = now
            if presence.heartbeat_due():
                await database_sync_to_async(presence.server_heartbeat)()
            await self._catch_up(pages)
            for dashboard in dashboards:
                self._spawn(dashboard.check_cards())
        if now - self.last_sweep >= SWEEP_EVERY_SECONDS:
            self.last_sweep = now
            await database_sync_to_async(sweep)()

    async def _catch_up(self, pages):
        """A page behind the database now may only have its message on the way
        (a broadcast to thousands takes a while): it is caught up if it is
        still behind what it lacked at the last check."""
        suspects, self.behind = self.behind, {}
        if not pages:
            return
        counts = await database_sync_to_async(thread_counts)([p.caller_id for p in pages])
        async for some in in_slices(pages):
            for page in some:
                count = counts.get(page.caller_id, 0)
                if count > page.last_seq:
                    self.behind[page.caller_id] = count
                    if page.last_seq < suspects.get(page.caller_id, 0):
                        self._spawn(page.catch_up())


def thread_counts(caller_ids):
    return dict(Caller.objects.filter(among("pk", caller_ids)).values_list("pk", "message_count"))


def sweep():
    # A page gets twice the heartbeat timeout to load and connect after entry.
    do_mark_unconnected_offline(older_than=timedelta(seconds=2 * settings.WAITROOM_HEARTBEAT_TIMEOUT))
    do_mark_pages_of_silent_servers_offline()
    do_mark_seats_of_silent_servers_away()
    do_expire_offline_callers()
    do_release_abandoned_calls()


watchdog = Watchdog()
