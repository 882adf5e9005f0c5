"""One task per server process that watches its pages.

- Every second: a page that sent nothing for WAITROOM_HEARTBEAT_TIMEOUT is told
  it went silent and closed (a tab on a dead network never says goodbye; a
  caller's shows them Offline). Every page sends heartbeats
  (static/waitroom/socket.js), so this is the only keepalive.
- Every few seconds: this process says it is alive (presence.py).
- The periodic work of the apps, which they register in their
  `AppConfig.ready` with `watchdog.every(...)`: catching caller pages up with
  the database, writing receipts, the presence sweep, offline expiry
  (waiting/apps.py, messaging/apps.py, calls/apps.py).

One loop for all connections rather than a timer each: ten thousand idle pages
cost a pass over a set per second, taken in slices so that no page or request
waits for the whole pass.
"""

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import Awaitable, Callable

from channels.db import database_sync_to_async
from django.conf import settings

from . import presence

log = logging.getLogger(__name__)

CHECK_SECONDS = 1.0
SLICE = 500  # pages looked at per turn of the event loop (a pass over 10,000 took 20-30 ms in one turn)


async def in_slices(items):
    """The items, a slice at a time, letting the event loop run between slices."""
    for start in range(0, len(items), SLICE):
        if start:
            await asyncio.sleep(0)
        yield items[start : start + SLICE]


@dataclass(eq=False)
class Job:
    """Periodic work of an app: `run(pages)` with the pages this process still
    hears from, every `seconds` (a number, or a function read each time, so
    that a setting changed at run time counts)."""

    run: Callable[[list], Awaitable[None]]
    seconds: float | Callable[[], float]
    after_last_page: bool = False  # run once more when the last page has gone (work the pages left)
    last_run: float = field(default=0.0)

    def due(self, now):
        seconds = self.seconds() if callable(self.seconds) else self.seconds
        return now - self.last_run >= seconds


class Watchdog:
    def __init__(self):
        self.consumers = set()  # every page leaves it when it closes (PageConsumer.__call__)
        self.jobs = []
        self.tasks = set()
        self.task = None

    def every(self, seconds, run, *, after_last_page=False):
        """Register periodic work: `await run(pages)` every `seconds` while this
        process serves pages (see Job)."""
        self.jobs.append(Job(run, seconds, after_last_page))

    def every_in_database(self, seconds, run):
        """Register periodic database work: `run()` in the database thread."""

        async def in_database(pages):
            await database_sync_to_async(run)()

        self.every(seconds, in_database)

    def watch(self, consumer):
        # Silence counts from now: connecting may have taken a while under load.
        consumer.last_frame_at = time.monotonic()
        self.consumers.add(consumer)
        loop = asyncio.get_running_loop()
        if self.task is None or self.task.done() or self.task.get_loop() is not loop:
            for job in self.jobs:
                job.last_run = time.monotonic()
            self.task = loop.create_task(self._run())

    def unwatch(self, consumer):
        self.consumers.discard(consumer)

    def forget_all(self):
        """Forget the pages and the loop (tests: each has a loop of its own);
        the registered work stays."""
        self.consumers.clear()
        self.task = None

    def spawn(self, coroutine):
        """Run a coroutine for one page on its own, so that one slow page does
        not hold up the pass."""
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
        while True:
            while self.consumers:
                await asyncio.sleep(CHECK_SECONDS)
                try:
                    await self._check()
                except Exception:
                    log.exception("watchdog pass failed")
            for job in self.jobs:
                if job.after_last_page:
                    try:
                        await job.run([])
                    except Exception:
                        log.exception("watchdog job failed")
            # A page that came meanwhile found this task still running and
            # started none: keep watching for it.
            if not self.consumers:
                return

    async def _check(self):
        now = time.monotonic()
        timeout = settings.WAITROOM_HEARTBEAT_TIMEOUT
        pages = []  # still heard from
        async for consumers in in_slices(list(self.consumers)):
            for page in consumers:
                if now - page.last_frame_at > timeout:
                    self.consumers.discard(page)
                    self.spawn(page.went_silent())
                else:
                    pages.append(page)
        if presence.heartbeat_due():
            await database_sync_to_async(presence.server_heartbeat)()
        for job in self.jobs:
            if job.due(now):
                job.last_run = now
                try:
                    await job.run(pages)
                except Exception:
                    log.exception("watchdog job failed")


watchdog = Watchdog()
