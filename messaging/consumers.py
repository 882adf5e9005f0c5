"""The caller's thread on their page (a part of waiting's CallerConsumer,
added in messaging/apps.py): every message once and in order, what the
caller writes, and their receipts."""

import asyncio
import functools
from urllib.parse import parse_qs

from channels.db import database_sync_to_async

from realtime import events
from realtime.frames import message_frame
from realtime.watchdog import in_slices, watchdog
from waitroom.errors import ActionError
from waitroom.validation import is_whole_number

from . import receipts, snapshots
from .actions import do_send_caller_message


class ThreadOnPage:
    last_seq = 0  # the number of the last message the page has

    @functools.cached_property
    def delivering(self):
        return asyncio.Lock()  # events and the watchdog's catch-up take turns

    def _delivering_now(self):
        # Without making the lock: most pages never need one.
        return "delivering" in self.__dict__ and self.delivering.locked()

    @classmethod
    def prepare_hellos(cls, pages):
        super().prepare_hellos(pages)
        # Each page says the last number it has (?after=) and is told what
        # follows, read for all the pages opened together
        # (snapshots.threads_after); a page that has every message (most of
        # a reconnect storm's) needs none.
        missing = set()  # (caller id, after): two tabs of one visit may say different numbers
        for consumer, caller in pages:
            try:
                after = int(parse_qs(consumer.scope["query_string"].decode()).get("after", ["0"])[0])
            except ValueError:
                after = 0
            # A number from another visit's page must not hide this thread's messages.
            consumer.after = min(max(0, after), caller.message_count)
            if caller.message_count > consumer.after:
                missing.add((caller.pk, consumer.after))
        missed = snapshots.threads_after(missing)
        for consumer, caller in pages:
            consumer.missed = missed.get((caller.pk, consumer.after), [])

    def hello(self, caller):
        hello = super().hello(caller)
        hello["messages"] = self.__dict__.pop("missed")
        return hello

    def started(self, hello):
        super().started(hello)
        self.last_seq = hello["messages"][-1]["seq"] if hello["messages"] else self.after

    def frame_handlers(self):
        return super().frame_handlers() | {"send": self.on_send, "receipt": self.on_receipt}

    async def on_send(self, content):
        client_id = content.get("client_id")
        try:
            message, _ = await database_sync_to_async(do_send_caller_message)(
                self.caller_id, body=content.get("body"), client_id=client_id
            )
        except ActionError as e:
            await self.send_error(e.code, e.message, client_id=client_id)
            return
        await self.send_json({"type": "sent", "client_id": client_id, "seq": message.seq})
        await self._deliver(events.message_for_caller(message))

    def frame_handlers_now(self):
        return super().frame_handlers_now() | {"receipt": self.now_on_receipt}

    def now_on_receipt(self, content):
        """Noted for the next write of receipts: True. False for numbers
        this page was not sent (on_receipt answers)."""
        delivered, seen = content.get("delivered", 0), content.get("seen", 0)
        if not all(is_whole_number(n, 0, self.last_seq) for n in (delivered, seen)):
            return False
        receipts.add(self.caller_id, delivered, seen)
        return True

    async def on_receipt(self, content):
        if not self.now_on_receipt(content):
            await self.send_error("bad_frame", "Receipts name message numbers this page has.")

    # Events from the groups ---------------------------------------------------

    async def _deliver(self, message):
        """Send the page the next message of its thread, in order, once each.

        Events may arrive late, twice (our own send) or not at all (the layer
        dropped one): a gap is filled from the database."""
        async with self.delivering:
            if message["seq"] <= self.last_seq:
                return
            if message["seq"] == self.last_seq + 1:
                await self._send_in_order([message])
            else:
                await self._send_in_order(await self._thread_after(self.last_seq))

    async def catch_up(self):
        """The database has messages this page lacks and no event brought
        them (the watchdog noticed): send them."""
        async with self.delivering:
            await self._send_in_order(await self._thread_after(self.last_seq))

    async def _send_in_order(self, messages):
        for m in messages:
            if m["seq"] > self.last_seq:
                self.last_seq = m["seq"]
                await self.send_json({"type": "message", "message": m})

    async def _thread_after(self, seq):
        return await database_sync_to_async(snapshots.thread_after)(self.caller_id, seq)

    async def thread_messages(self, event):
        for message in event["messages"]:
            await self._deliver(message)

    def now_thread_broadcast(self, event):
        """The usual case, made cheap: a broadcast reaches thousands of pages
        of this process, and its frame is serialised once for all of them
        and sent to each as the layer hands it over (PageConsumer.take_now).
        True when done (or nothing for this page)."""
        seq = event["seqs"].get(str(self.caller_id))
        if seq is None:
            return True
        if "bodies" in event or seq != self.last_seq + 1 or self._delivering_now():
            return False  # filled in for each caller, or out of turn: the usual way
        if not self.send_now(message_frame(event["message"], seq)):
            return False
        self.last_seq = seq
        return True

    async def thread_broadcast(self, event):
        if self.now_thread_broadcast(event):
            return
        seq = event["seqs"][str(self.caller_id)]
        if "bodies" in event:  # filled in for each caller: no frame to share
            await self._deliver(event["message"] | {"seq": seq, "body": event["bodies"][str(self.caller_id)]})
        elif seq == self.last_seq + 1 and not self._delivering_now():
            self.last_seq = seq
            await self.send(text_data=message_frame(event["message"], seq))
        else:
            await self._deliver(event["message"] | {"seq": seq})


class CatchUp:
    """Watchdog work: caller pages behind the database (an announcement the
    channel layer dropped — over capacity, or Redis restarting) catch up from
    it, in one query for all.

    A page behind the database now may only have its message on the way (a
    broadcast to thousands takes a while): it is caught up if it is still
    behind what it lacked at the last check."""

    def __init__(self):
        self.behind = {}  # caller id -> thread length, of pages behind at the last check

    async def __call__(self, pages):
        suspects, self.behind = self.behind, {}
        pages = [p for p in pages if isinstance(p, ThreadOnPage) and p.serving]
        if not pages:
            return
        counts = await database_sync_to_async(snapshots.thread_counts)([p.caller_id for p in pages])
        async for some in in_slices(pages):
            for page in some:
                count = counts.get(page.caller_id, 0)
                if count > page.last_seq:
                    self.behind[page.caller_id] = count
                    if page.last_seq < suspects.get(page.caller_id, 0):
                        watchdog.spawn(page.catch_up())

    def forget_all(self):
        self.behind = {}


catch_up = CatchUp()
