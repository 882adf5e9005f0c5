"""Caller pages that connect together are opened together.

After a deploy, a restart or a network blip every page of a process comes
back at once: ten thousand in a few seconds. Opened one by one, each page
cost two trips to the one thread that runs database code and about ten
queries (session, clinic, visit, lock, write, thread, queue, call), and the
process opened about a hundred a second. Here the pages that arrive while a
batch is being opened wait for the next one, and a batch costs:

1. one trip: every session and every visit in one query each
   (`access.visits_of_sessions`, the same rule as for one page);
2. joining the groups, in the event loop (the tuned layer's is in memory);
3. one trip: the rows locked and taken over in one transaction with one
   UPDATE for all (`actions.do_pages_connected`), then each page's hello
   (whose parts skip their query when there is nothing to say).

No page waits for a timer: a batch starts as soon as the previous one is done.

**Load shedding.** A page that would wait longer than SHED_AFTER_SECONDS
(at the pace this process has measured opening pages) is not made to wait
until the proxy gives up on it: it is closed with CLOSE_TRY_LATER and the
reason "try again in N s" (N: until the pages ahead of it are open), and the
page (static/waitroom/socket.js) comes back after N seconds plus jitter.
This is decided late, DECIDE_BEFORE_SECONDS before the page's limit, not as
it arrives: the pace measured while thousands of handshakes come in at once
is a fraction of what it is a few seconds later (after a restart under
10,000 pages, 129 pages a second for the first two batches, then 2,000: a
decision on arrival sent 1,600–2,300 pages away for a minute that would
have been open in six seconds). A process that has not measured its pace
yet (just started) sends nobody away.
"""

import asyncio
import math
import time

from channels.db import database_sync_to_async
from django.http import Http404

from clinics import access as clinic_access
from realtime import events

from . import access, snapshots
from .actions import do_pages_connected, do_pages_disconnected

BATCH_MAX = 500  # pages opened per batch: one UPDATE's worth, and a bounded pause for the rest
# A page that would wait longer for its turn is told to come back later. A
# page waiting for its hello holds only its socket, and one sent away costs
# a second handshake and returns later than its turn would have come: the
# limit is what the proxy allows (nginx ends a proxied socket silent for
# 60 s, deploy/nginx-waitroom.conf), not what is comfortable.
SHED_AFTER_SECONDS = 40.0
# How long before its limit a page's fate is decided: longer than a batch
# takes at the slowest (500 pages at 129 a second: 3.9 s, measured).
DECIDE_BEFORE_SECONDS = 10.0
PACE_BATCH = 100  # the smallest batch whose time says how fast pages are opened


class TryLater(Exception):
    """The page is told to come back in `seconds` (CLOSE_TRY_LATER)."""

    def __init__(self, seconds):
        super().__init__(seconds)
        self.seconds = seconds


class Openings:
    def __init__(self):
        self.pending = []  # (consumer, future, since), in arrival order
        self.worker = None
        self.rate = None  # pages opened a second, recent batches (a moving average)

    def open(self, consumer):
        """The page's hello (a future), once its batch is opened; or TryLater."""
        future = asyncio.get_running_loop().create_future()
        self.pending.append((consumer, future, time.monotonic()))
        if self.worker is None or self.worker.done():
            self.worker = asyncio.ensure_future(self._work())
        return future

    def send_away_the_late(self):
        """The pages whose limit (SHED_AFTER_SECONDS after they came) is
        less than DECIDE_BEFORE_SECONDS away and that the pages ahead of
        them would keep waiting past it, at the pace measured, are told to
        come back once those are open. Nobody is sent away on a guess: not
        before the process has timed its pace."""
        if not self.rate:
            return
        now = time.monotonic()
        kept = []
        for i, (consumer, future, since) in enumerate(self.pending):
            limit = since + SHED_AFTER_SECONDS
            if limit - now >= DECIDE_BEFORE_SECONDS:  # (and every page behind it: they came later)
                kept.extend(self.pending[i:])
                break
            if future.done():
                continue  # (gone meanwhile)
            if now + (len(kept) + 1) / self.rate > limit:
                future.set_exception(TryLater(max(1, math.ceil(len(kept) / self.rate))))
            else:
                kept.append((consumer, future, since))
        self.pending = kept

    async def _work(self):
        while self.pending:
            self.send_away_the_late()
            batch, self.pending = self.pending[:BATCH_MAX], self.pending[BATCH_MAX:]
            batch = [(c, f) for c, f, _ in batch if not f.done()]  # (a page gone meanwhile is cancelled)
            if not batch:
                continue
            started = time.monotonic()
            try:
                hellos = await self._open([c for c, _ in batch])
            except Exception as error:  # the database is down: each page fails as it would alone
                for _, future in batch:
                    if not future.done():
                        future.set_exception(error)
                continue
            for (_, future), hello in zip(batch, hellos):
                if future.done():
                    continue
                if isinstance(hello, Exception):
                    future.set_exception(hello)
                else:
                    future.set_result(hello)
            # The pace, from batches big enough to show it: pages queued meanwhile
            # (the batch was the process's pace, not the arrivals'), and not a
            # handful whose time is mostly the batch's fixed cost (two trips to
            # the database thread) or a process's first queries.
            if self.pending and len(batch) >= PACE_BATCH:
                rate = len(batch) / max(time.monotonic() - started, 1e-3)
                self.rate = rate if self.rate is None else 0.7 * self.rate + 0.3 * rate

    def forget_all(self):
        """Tests: a new event loop each; nothing pending carries over."""
        self.pending = []
        self.worker = None
        self.rate = None

    async def _open(self, consumers):
        visits = await database_sync_to_async(_visits)(consumers)
        layer = consumers[0].channel_layer
        joins = []
        for consumer, caller in zip(consumers, visits):
            if caller is not None and caller.left_at is None:
                consumer.caller_id, consumer.clinic_id = caller.pk, caller.clinic_id
                joins.append(layer.group_add(events.caller_group(caller.pk), consumer.channel_name))
                joins.append(layer.group_add(events.callers_group(caller.clinic_id), consumer.channel_name))
        # Together: with Redis each new group is a round trip, and a batch has hundreds.
        await asyncio.gather(*joins)
        return await database_sync_to_async(_take_over)(consumers, visits)


def _visits(consumers):
    clinics = {}
    asked = []
    for consumer in consumers:
        slug = consumer.scope["url_route"]["kwargs"]["slug"]
        if slug not in clinics:
            try:
                clinics[slug] = clinic_access.clinic_for_callers(slug)
            except Http404:
                clinics[slug] = None
        asked.append((consumer.scope["session"], clinics[slug]))
    return access.visits_of_sessions(asked)


def _take_over(consumers, visits):
    taken = do_pages_connected(
        [(c.caller_id, c.channel_name) for c, v in zip(consumers, visits) if v is not None and v.left_at is None]
    )
    callers = [taken.get(c.caller_id) if c.caller_id is not None else v for c, v in zip(consumers, visits)]
    kinds = {}
    for consumer, caller in zip(consumers, callers):
        if caller is not None and caller.left_at is None:
            kinds.setdefault(type(consumer), []).append((consumer, caller))
    for kind, pages in kinds.items():
        kind.prepare_hellos(pages)
    hellos = []
    for consumer, caller in zip(consumers, callers):
        try:
            if caller is None or caller.left_at is not None:
                hellos.append(snapshots.visit_over(caller))
            else:
                hellos.append(consumer.hello(caller))
        except Exception as error:
            hellos.append(error)
    return hellos


class Closings:
    """Caller pages that go together (a network blip) are marked Offline
    together. The first page to go writes its own goodbye at once (as it
    would alone: nothing waits for a timer); the pages that go meanwhile wait
    and are written together after it, in batches of BATCH_MAX."""

    def __init__(self):
        self.pending = []  # (caller_id, channel_name, future)
        self.busy = False

    async def close(self, caller_id, channel_name):
        if self.busy:
            future = asyncio.get_running_loop().create_future()
            self.pending.append((caller_id, channel_name, future))
            await future
            return
        self.busy = True
        try:
            await database_sync_to_async(do_pages_disconnected)([(caller_id, channel_name)])
            while self.pending:
                batch, self.pending = self.pending[:BATCH_MAX], self.pending[BATCH_MAX:]
                try:
                    await database_sync_to_async(do_pages_disconnected)([(c, ch) for c, ch, _ in batch])
                except Exception as error:
                    outcome = error
                else:
                    outcome = None
                for _, _, future in batch:
                    if not future.done():
                        future.set_exception(outcome) if outcome else future.set_result(None)
        finally:
            self.busy = False
            if self.pending:  # this page's own write failed, or it was cancelled: the next one leads
                leader_id, leader_channel, future = self.pending.pop(0)
                task = asyncio.ensure_future(self.close(leader_id, leader_channel))
                task.add_done_callback(lambda t, future=future: future.done() or (
                    future.set_exception(t.exception()) if not t.cancelled() and t.exception()
                    else future.set_result(None)))

    def forget_all(self):
        self.pending = []
        self.busy = False


openings = Openings()
closings = Closings()

