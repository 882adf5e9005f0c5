"""One task per server process that (a) closes caller pages that went silent
— a tab on a dead network never says goodbye — and (b) sweeps presence every
few seconds: callers whose page never connected become Offline, Offline
callers whose grace period ran out leave the list, and calls that no team
member's page attends any more put their caller on hold.

One loop for all connections rather than a timer per connection: ten thousand
idle pages cost one pass over a set every couple of seconds.
"""

import asyncio
import logging
import time
import weakref
from collections import Counter
from datetime import timedelta

from channels.db import database_sync_to_async
from django.conf import settings

from calls.actions import do_mark_seats_of_silent_servers_away, do_release_abandoned_calls
from waiting.actions import (
    do_expire_offline_callers,
    do_mark_pages_of_silent_servers_offline,
    do_mark_unconnected_offline,
)

from . import presence

log = logging.getLogger(__name__)

CHECK_SECONDS = 1.0
SWEEP_EVERY_SECONDS = 10.0


class Watchdog:
    def __init__(self):
        self.pages = weakref.WeakSet()
        self.clinics = Counter()
        self.task = None
        self.last_sweep = 0.0

    def _ensure_running(self):
        loop = asyncio.get_running_loop()
        if self.task is None or self.task.done() or self.task.get_loop() is not loop:
            self.task = loop.create_task(self._run())

    def watch_page(self, consumer):
        self.pages.add(consumer)
        self._ensure_running()

    def unwatch_page(self, consumer):
        self.pages.discard(consumer)

    def watch_clinic(self, clinic_id):
        self.clinics[clinic_id] += 1
        self._ensure_running()

    def unwatch_clinic(self, clinic_id):
        self.clinics[clinic_id] -= 1
        if self.clinics[clinic_id] <= 0:
            del self.clinics[clinic_id]

    async def _run(self):
        while self.pages or self.clinics:
            await asyncio.sleep(CHECK_SECONDS)
            try:
                await self._check()
            except Exception:
                log.exception("watchdog pass failed")
        self.task = None

    async def _check(self):
        if presence.heartbeat_due():
            await database_sync_to_async(presence.server_heartbeat)()
        now = time.monotonic()
        timeout = settings.WAITROOM_HEARTBEAT_TIMEOUT
        for page in list(self.pages):
            if now - page.last_frame_at > timeout:
                self.pages.discard(page)
                asyncio.get_running_loop().create_task(page.went_silent())
        if now - self.last_sweep >= SWEEP_EVERY_SECONDS:
            self.last_sweep = now
            await database_sync_to_async(sweep)()


def sweep():
    # A page gets twice the heartbeat timeout to load and connect after entry.
    do_mark_unconnected_offline(older_than=timedelta(seconds=2 * settings.WAITROOM_HEARTBEAT_TIMEOUT))
    do_mark_pages_of_silent_servers_offline()
    do_mark_seats_of_silent_servers_away()
    do_expire_offline_callers()
    do_release_abandoned_calls()


watchdog = Watchdog()
