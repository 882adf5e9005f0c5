"""The caller's place in the queue on their page (a part of CallerConsumer,
added in waiting/apps.py), live without a query per page.

On connect the page is told its place from the database (the hello's
`queue`). After that its consumer keeps the place itself: when a caller
leaves the clinic's queue, or comes back into it ahead of others, one
`queue.moved` event with that caller's ticket reaches every caller page of
the clinic, and each page behind the ticket moves by one and is sent its new
place; the pages ahead send nothing. The page's own status changes (it is
seen, returns to waiting, is transferred) are read from the database for
that page alone.

The channel layer may drop or delay an event, and one in flight while a page
connects counts twice: every WAITROOM_QUEUE_CHECK_SECONDS each process reads
its clinics' queues in one query each and corrects the pages that are still
off a second later (see docs/realtime.md, "Queue position")."""

import asyncio
import time
from collections import defaultdict

from channels.db import database_sync_to_async
from django.conf import settings

from clinics.models import Clinic
from realtime.watchdog import in_slices, watchdog

from . import queue
from .models import Caller


class QueueOnPage:
    # {position, per_place} while the clinic shows the queue, else None
    standing = None
    ticket = None

    def hello(self, caller):
        hello = super().hello(caller)
        self.ticket = tuple(queue.ticket(caller))
        self._told = queue.standing_of(caller)
        hello["queue"] = queue.page_state(self._told)
        return hello

    def started(self, hello):
        super().started(hello)
        self.standing = self._told

    async def set_standing(self, standing):
        """Keep the page's new standing, and tell the page when what it
        shows changes."""
        before, self.standing = queue.page_state(self.standing), standing
        shown = queue.page_state(standing)
        if shown != before:
            await self.send_json({"type": "queue", "queue": shown})

    # Events from the groups ---------------------------------------------------

    async def queue_moved(self, event):
        standing = self.standing
        if standing is None or standing["position"] is None or tuple(event["ticket"]) >= self.ticket:
            return
        await self.set_standing({**standing, "position": max(1, standing["position"] + event["step"])})

    async def visit_changed(self, event):
        clinic_before = self.clinic_id
        await super().visit_changed(event)
        visit = event["visit"]
        if self.standing is None and self.clinic_id == clinic_before:
            return  # the clinic shows no queue (turning it on is checked for every page)
        if visit["present"] and not self.closed:
            # Seen, back to waiting, transferred: this page's own place, from the database.
            await self.set_standing(await database_sync_to_async(_standing_of)(self.caller_id))

    async def clinic_changed(self, event):
        await super().clinic_changed(event)
        queue_check.want(self.clinic_id)  # the clinic may have turned the queue on or off


def _standing_of(caller_id):
    caller = Caller.objects.select_related("clinic").filter(pk=caller_id).first()
    return queue.standing_of(caller) if caller is not None else None


def _standings(clinic_ids):
    """{clinic id: (per_place, {caller id: position})} for the clinics that
    show the queue; one query per clinic, one for all their settings."""
    found = {}
    for clinic in Clinic.objects.filter(pk__in=clinic_ids, show_queue_position=True):
        found[clinic.pk] = (queue.per_place_of(clinic), queue.positions(clinic.pk))
    return found


def _expected(page, standings):
    if page.clinic_id not in standings:
        return None
    per_place, positions = standings[page.clinic_id]
    return {"position": positions.get(page.caller_id), "per_place": per_place}


class QueueCheck:
    """Watchdog work: the caller pages of this process against the queues in
    the database. Every pass for clinics that asked (a changed setting),
    every WAITROOM_QUEUE_CHECK_SECONDS for all."""

    def __init__(self):
        self.wanted = set()
        self.last_full = time.monotonic()

    def want(self, clinic_id):
        self.wanted.add(clinic_id)

    def forget_all(self):
        self.wanted = set()
        self.last_full = time.monotonic()

    async def __call__(self, pages):
        now = time.monotonic()
        full = now - self.last_full >= settings.WAITROOM_QUEUE_CHECK_SECONDS
        wanted, self.wanted = self.wanted, set()
        if full:
            self.last_full = now
        elif not wanted:
            return
        by_clinic = defaultdict(list)
        for page in pages:
            if isinstance(page, QueueOnPage) and page.serving and not page.closed and (full or page.clinic_id in wanted):
                by_clinic[page.clinic_id].append(page)
        if not by_clinic:
            return
        standings = await database_sync_to_async(_standings)(list(by_clinic))
        off = await self._correct([p for ps in by_clinic.values() for p in ps], standings, now=not full)
        if off:
            # An event on its way settles a difference: look again in a second.
            watchdog.spawn(self._settle(off))

    async def _settle(self, pages):
        await asyncio.sleep(1)
        standings = await database_sync_to_async(_standings)(list({p.clinic_id for p in pages}))
        await self._correct(pages, standings, now=True)

    async def _correct(self, pages, standings, *, now):
        """The pages whose standing differs from the database's; with `now`,
        corrected at once (a setting changed; or still off after a second)."""
        off = []
        async for some in in_slices(pages):
            for page in some:
                expected = _expected(page, standings)
                if page.closed or page.standing == expected:
                    continue
                off.append(page)
                if now:
                    await page.set_standing(expected)
        return off


queue_check = QueueCheck()
