"""The caller's page and the clinic's dashboard, live.

Both follow one order on connect: join the groups, then load the snapshot from
the database, then apply what the groups delivered meanwhile (Channels runs
those handlers only after connect returns). See docs/realtime.md.
"""

import asyncio

from channels.db import database_sync_to_async
from django.http import Http404

from clinics import access as clinic_access
from realtime import events
from realtime.consumers import (
    CLOSE_NO_VISIT,
    CLOSE_NOT_SIGNED_IN,
    CLOSE_REPLACED,
    CLOSE_TRY_LATER,
    PageConsumer,
    try_again_in,
)
from realtime.staff import StaffPage
from realtime.watchdog import watchdog

from . import snapshots
from .actions import do_page_disconnected
from .openings import TryLater, closings, openings


class CallerConsumer(PageConsumer):
    """A caller's page: their visit and their clinic.

    The thread and the call on the same page are other apps' (they build on
    waiting, not waiting on them): each adds a part, a mixin registered from
    its AppConfig.ready with `add_to_caller_page`, which extends the hooks
    below (`hello`, `started`, `gone`, `frame_handlers`) with super() and
    brings its own event handlers. `caller_page()` is the consumer with every
    part (messaging/consumers.py, calls/consumers.py)."""

    caller_id = None
    serving = False  # set once the hello is sent: the page has a visit
    frame_rate = 20  # a call's signalling comes in bursts
    frame_burst = 100

    async def connect(self):
        await self.accept()
        try:
            hello = await openings.open(self)  # opened with the pages that connect meanwhile (openings.py)
        except TryLater as later:  # more pages are waiting than this process can open in time
            await self.close(code=CLOSE_TRY_LATER, reason=try_again_in(later.seconds))
            return
        await self.send_json(hello)
        if hello["type"] == "visit":  # no visit here, or it is over
            await self.close(code=CLOSE_NO_VISIT)
            return
        self.started(hello)
        self.serving = True
        self.take_frames_now()  # heartbeats and receipts: ten thousand pages send them
        watchdog.watch(self)

    # Hooks that parts extend ------------------------------------------------

    @classmethod
    def prepare_hellos(cls, pages):
        """Before the hellos of pages opened together ([(consumer, caller)],
        openings.py): a part may read what its hellos need for all of them
        in one query and keep it on each consumer."""

    def hello(self, caller):
        """The page's first frame, in the database thread once the page holds
        the (locked, present) visit."""
        return snapshots.caller_hello(caller)

    def started(self, hello):
        """The hello is sent: keep what the page was told."""

    async def gone(self):
        """The page has gone and the visit knows it."""

    # ------------------------------------------------------------------------

    async def disconnect(self, code):
        if self.caller_id is None:
            return
        watchdog.unwatch(self)
        await self.channel_layer.group_discard(events.caller_group(self.caller_id), self.channel_name)
        await self.channel_layer.group_discard(events.callers_group(self.clinic_id), self.channel_name)
        await closings.close(self.caller_id, self.channel_name)  # with the pages that go meanwhile
        await self.gone()

    async def went_silent(self):
        await database_sync_to_async(do_page_disconnected)(self.caller_id, self.channel_name)
        await super().went_silent()

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        if not self.serving:
            # Closed for want of a visit: frames the page sent before it heard are void.
            return
        await super().receive(text_data, bytes_data, **kwargs)

    # Events from the groups ---------------------------------------------------

    async def visit_changed(self, event):
        visit = event["visit"]
        if visit["clinic_id"] != self.clinic_id:
            await self._transferred(visit["clinic_id"])
        await self.send_json({"type": "visit", "visit": visit})
        if not visit["present"]:
            await self.close(code=CLOSE_NO_VISIT)

    async def _transferred(self, clinic_id):
        """The caller now waits at another clinic: hear that clinic, and show its text."""
        await self.channel_layer.group_discard(events.callers_group(self.clinic_id), self.channel_name)
        self.clinic_id = clinic_id
        await self.channel_layer.group_add(events.callers_group(clinic_id), self.channel_name)
        clinic = await database_sync_to_async(snapshots.clinic_for_callers)(clinic_id)
        await self.send_json({"type": "clinic", "clinic": clinic})

    async def clinic_changed(self, event):
        await self.send_json({"type": "clinic", "clinic": event["clinic"]})

    async def page_replaced(self, event):
        await self.send_json({"type": "replaced"})
        await self.close(code=CLOSE_REPLACED)


_caller_page_parts = []


def add_to_caller_page(part):
    """Add an app's part to the caller's page (call it from AppConfig.ready)."""
    if part not in _caller_page_parts:
        _caller_page_parts.append(part)


def caller_page():
    """The caller page's consumer: CallerConsumer with every part added."""
    return type("CallerPage", (*_caller_page_parts, CallerConsumer), {"__doc__": CallerConsumer.__doc__})


class DashboardConsumer(StaffPage, PageConsumer):
    """A team member's live view of one clinic's waiting area; it closes when
    the sign-in that opened it ends (realtime/staff.py)."""

    clinic_id = None

    async def connect(self):
        await self.accept()
        user = self.scope["user"]
        if not user.is_authenticated:
            await self.close(code=CLOSE_NOT_SIGNED_IN)
            return
        try:
            membership = await database_sync_to_async(clinic_access.membership_for)(
                user, self.scope["url_route"]["kwargs"]["slug"]
            )
        except Http404:
            await self.close(code=CLOSE_NO_VISIT)
            return
        self.clinic_id = membership.clinic_id
        if not await self.watch_sign_in(user, self.clinic_id):
            return
        await self.channel_layer.group_add(events.staff_group(self.clinic_id), self.channel_name)
        # Opening the dashboard reads every caller's details: the snapshot records it.
        await self._send_snapshot(await database_sync_to_async(snapshots.dashboard_opened)(self.clinic_id, user))
        watchdog.watch(self)

    async def _send_snapshot(self, snapshot):
        self.versions = {card["id"]: card["version"] for card in snapshot["cards"]}
        await self.send_json(snapshot)

    async def disconnect(self, code):
        if self.clinic_id is None:
            return
        watchdog.unwatch(self)
        await self.forget_sign_in()
        await self.channel_layer.group_discard(events.staff_group(self.clinic_id), self.channel_name)

    async def check_cards(self):
        """The watchdog asks: do this page's cards match the database? If an
        announcement was lost (Redis restarting), send a fresh snapshot."""
        for attempt in range(2):
            if attempt:
                await asyncio.sleep(1)  # an announcement on its way settles a difference
            stored = await database_sync_to_async(snapshots.dashboard_checksum)(self.clinic_id)
            if stored == (len(self.versions), sum(self.versions.values())):
                return
        await self._send_snapshot(await database_sync_to_async(snapshots.dashboard_snapshot)(self.clinic_id))

    async def callers_changed(self, event):
        for card in event["cards"]:
            if card["version"] > self.versions.get(card["id"], 0):
                if card["present"]:
                    self.versions[card["id"]] = card["version"]
                else:
                    self.versions.pop(card["id"], None)
        await self.send_json({"type": "callers", "cards": event["cards"]})

    async def clinic_changed(self, event):
        await self.send_json({"type": "clinic", "clinic": event["clinic"]})

    async def threads_grew(self, event):
        counts = []
        for caller_id, version, count in event["counts"]:
            if version > self.versions.get(caller_id, version):  # a card this page shows, and newer
                self.versions[caller_id] = version
                counts.append([caller_id, version, count])
        if counts:
            await self.send_json({"type": "counts", "sender": event["sender"], "at": event["at"], "counts": counts})

    async def receipts_changed(self, event):
        await self.send_json({"type": "receipts", "receipts": event["receipts"]})


async def check_dashboards(pages):
    """Watchdog work: every dashboard of this process compares its cards with
    the database."""
    for page in pages:
        if isinstance(page, DashboardConsumer):
            watchdog.spawn(page.check_cards())
