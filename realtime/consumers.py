"""The two websockets: a caller's page, and a clinic's dashboard.

Both follow one order on connect: join the groups, then load the snapshot from
the database, then apply what the groups delivered meanwhile (Channels runs
those handlers only after connect returns). See docs/realtime.md.
"""

import asyncio
import functools
import json
import logging
import time
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.consumer import get_handler_name
from channels.exceptions import StopConsumer
from channels.layers import get_channel_layer
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.db.models import Count, Sum
from django.http import Http404
from django.utils import timezone

from asgiref.sync import async_to_sync

from calls.actions import (
    call_snapshot,
    do_staff_page_connected,
    do_staff_page_disconnected,
    open_call_of,
    publish_call_of,
    signal_target,
)
from calls.ice import ice_servers
from calls.models import Participant
from calls.signals import clean_signal
from clinics import access
from clinics.models import Clinic
from messaging.actions import do_send_caller_message, thread
from waitroom.errors import ActionError
from waiting.actions import do_page_connected, do_page_disconnected
from waiting.models import Caller

from . import events
from .limits import FRAME_MAX, TokenBucket
from .watchdog import watchdog

log = logging.getLogger(__name__)

# Close codes (4000–4999 are the application's): pages stop reconnecting on these.
CLOSE_NO_VISIT = 4404
CLOSE_NOT_SIGNED_IN = 4401
CLOSE_REPLACED = 4409
CLOSE_TOO_MANY_FRAMES = 4429
CLOSE_SILENT = 4408
HEARTBEAT = '{"type":"heartbeat"}'


def page_clock():
    """What every first frame tells its page: how often to say it is there,
    and the server's time (for the page's waiting-time clock)."""
    return {"heartbeat_seconds": settings.WAITROOM_HEARTBEAT_SECONDS, "now": timezone.now().isoformat()}


_last_frame = (None, "")


def message_frame(message, seq):
    """The `message` frame of a broadcast message for one page: all but the
    number is serialised once (for the last message asked about)."""
    global _last_frame
    shared, tail = _last_frame
    if shared is not message:
        tail = json.dumps({k: v for k, v in message.items() if k != "seq"}, separators=(",", ":"))[1:-1]
        _last_frame = (message, tail)
    return f'{{"type":"message","message":{{"seq":{seq},{tail}}}}}'


class PageConsumer(AsyncJsonWebsocketConsumer):
    """What both sockets share: frame checks, heartbeats, error frames."""

    frame_rate = 10  # frames a second, sustained
    frame_burst = 30
    closed = False

    async def __call__(self, scope, receive, send):
        # Channels waits on the page and on the channel layer with asyncio.wait
        # and a new task for every message; for the ten thousand pages of a
        # broadcast that is most of the cost. Here this task reads the page and
        # one more reads the channel layer; they take turns at dispatching: one
        # message at a time, in arrival order.
        self.scope = scope
        self.base_send = send
        self.channel_layer = get_channel_layer(self.channel_layer_alias)
        self.channel_name = await self.channel_layer.new_channel()
        turn = asyncio.Lock()

        async def pump(source):
            while True:
                message = await source()
                async with turn:
                    await self.dispatch(message)

        page = asyncio.current_task()
        layer = asyncio.ensure_future(pump(functools.partial(self.channel_layer.receive, self.channel_name)))

        def layer_stopped(task):  # an event ended the socket: stop reading the page too
            if not task.cancelled():
                page.cancel()

        layer.add_done_callback(layer_stopped)
        try:
            await pump(receive)
        except StopConsumer:
            pass
        except asyncio.CancelledError:
            if not layer.done() or layer.cancelled():
                raise  # cancelled from outside
            try:
                layer.result()
            except StopConsumer:
                pass
        finally:
            watchdog.unwatch(self)  # however the page ended
            layer.remove_done_callback(layer_stopped)
            layer.cancel()
            await asyncio.gather(layer, return_exceptions=True)

    async def dispatch(self, message):
        # Channels closes stale database connections before every event, which
        # is a hop through the one thread that runs database code — for each
        # heartbeat and each page of a broadcast. Every database call here goes
        # through database_sync_to_async, which does that itself.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def send(self, text_data=None, bytes_data=None, close=False):
        if not self.closed:  # an event that arrives after close has no page to go to
            await super().send(text_data, bytes_data, close)

    async def close(self, code=None, reason=None):
        if not self.closed:
            self.closed = True
            await super().close(code=code, reason=reason)

    async def websocket_disconnect(self, message):
        self.closed = True
        await super().websocket_disconnect(message)

    async def websocket_connect(self, message):
        self.last_frame_at = time.monotonic()
        self.frames = TokenBucket(self.frame_rate, self.frame_burst)
        await super().websocket_connect(message)

    @functools.cached_property
    def signals(self):
        # Made on first use: most pages never signal, and ten thousand idle
        # pages should cost as little memory as they can.
        return TokenBucket(rate=40, burst=80)  # WebRTC: an offer brings a burst of candidates

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        self.last_frame_at = time.monotonic()
        if not self.frames.take():
            await self.close(code=CLOSE_TOO_MANY_FRAMES)
            return
        if text_data == HEARTBEAT:  # most frames are this one: no parsing, a ready answer
            await self.send(text_data=HEARTBEAT)
            return
        if text_data is None:
            await self.send_error("binary", "Frames are JSON text.")
            return
        if len(text_data) > FRAME_MAX:
            await self.send_error("too_large", f"A frame has at most {FRAME_MAX} bytes.")
            return
        try:
            content = json.loads(text_data)
        except (ValueError, RecursionError):  # "[[[[…" nested a few thousand deep fits in a frame
            await self.send_error("bad_json", "Frames are JSON objects.")
            return
        if not isinstance(content, dict) or not isinstance(content.get("type"), str):
            await self.send_error("bad_frame", "A frame is a JSON object with a type.")
            return
        handler = self.frame_handlers().get(content["type"])
        if handler is None:
            await self.send_error("unknown_type", f"Unknown frame type {content['type'][:40]!r}.")
            return
        await handler(content)

    def frame_handlers(self):
        return {"heartbeat": self.on_heartbeat}

    async def on_heartbeat(self, content):
        await self.send(text_data=HEARTBEAT)

    async def went_silent(self):
        """No frame for longer than the heartbeat timeout (the watchdog says):
        the page is gone without a goodbye."""
        await self.close(code=CLOSE_SILENT)

    async def send_error(self, code, message, **extra):
        await self.send_json({"type": "error", "code": code, "message": message, **extra})

    @classmethod
    async def encode_json(cls, content):
        return json.dumps(content, separators=(",", ":"))


class CallerConsumer(PageConsumer):
    """A caller's page: their visit, their thread, their clinic's settings."""

    caller_id = None
    seat_id = None  # the caller's participant id while in a call
    serving = False  # set once the hello is sent: the page has a visit
    frame_rate = 20  # a call's signalling comes in bursts
    frame_burst = 100

    @functools.cached_property
    def sends(self):
        return TokenBucket(rate=1, burst=3)

    @functools.cached_property
    def delivering(self):
        return asyncio.Lock()  # events and the watchdog's catch-up take turns

    def _delivering_now(self):
        # Without making the lock: most pages never need one.
        return "delivering" in self.__dict__ and self.delivering.locked()

    async def connect(self):
        await self.accept()
        hello = await database_sync_to_async(self._open)()
        await self.send_json(hello)
        if hello["type"] == "visit":  # no visit here, or it is over
            await self.close(code=CLOSE_NO_VISIT)
            return
        self.last_seq = hello["messages"][-1]["seq"] if hello["messages"] else self.after
        self.serving = True
        watchdog.watch(self)

    def _open(self):
        """One trip to the database thread (ten thousand pages connect through
        it): find the visit, join its groups, take the visit over, snapshot."""
        caller = self._visit()
        if caller is None or caller.left_at is not None:
            return self._over(caller)
        self.caller_id, self.clinic_id = caller.pk, caller.clinic_id
        async_to_sync(self.channel_layer.group_add)(events.caller_group(self.caller_id), self.channel_name)
        async_to_sync(self.channel_layer.group_add)(events.callers_group(self.clinic_id), self.channel_name)
        hello = self._connect_and_snapshot()
        if hello is None:
            return self._over(Caller.objects.get(pk=self.caller_id))
        if self.seat_id:
            publish_call_of(self.caller_id)  # the other participants see the caller's page is back
        return hello

    @staticmethod
    def _over(caller):
        return {"type": "visit", "visit": events.visit_state(caller) if caller else {"present": False, "leave_reason": ""}}

    def _visit(self):
        try:
            clinic = access.clinic_for_callers(self.scope["url_route"]["kwargs"]["slug"])
        except Http404:
            return None
        return access.visit_of_session(self.scope["session"], clinic)

    def _connect_and_snapshot(self):
        caller = do_page_connected(self.caller_id, self.channel_name)
        if caller.left_at is not None:
            return None
        try:
            after = int(parse_qs(self.scope["query_string"].decode()).get("after", ["0"])[0])
        except ValueError:
            after = 0
        # A number from another visit's page must not hide this thread's messages.
        self.after = min(max(0, after), caller.message_count)
        call = open_call_of(caller.pk)
        state = events.call_state(*call_snapshot(call)) if call else None
        self.seat_id = next((p["id"] for p in state["participants"] if p["is_caller"]), None) if state else None
        return {
            "type": "hello",
            "visit": events.visit_state(caller),
            "clinic": events.clinic_for_callers(caller.clinic),
            "messages": [events.message_for_caller(m) for m in thread(caller, after=self.after)],
            "call": state,
            "me": self.seat_id,
            "ice_servers": ice_servers(),
            **page_clock(),
        }

    async def disconnect(self, code):
        if self.caller_id is None:
            return
        watchdog.unwatch(self)
        await self.channel_layer.group_discard(events.caller_group(self.caller_id), self.channel_name)
        await self.channel_layer.group_discard(events.callers_group(self.clinic_id), self.channel_name)
        await database_sync_to_async(do_page_disconnected)(self.caller_id, self.channel_name)
        if self.seat_id:
            await database_sync_to_async(publish_call_of)(self.caller_id)

    async def went_silent(self):
        await database_sync_to_async(do_page_disconnected)(self.caller_id, self.channel_name)
        await super().went_silent()

    # Frames from the page ---------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        if not self.serving:
            # Closed for want of a visit: frames the page sent before it heard are void.
            return
        await super().receive(text_data, bytes_data, **kwargs)

    def frame_handlers(self):
        return super().frame_handlers() | {"send": self.on_send, "receipt": self.on_receipt, "signal": self.on_signal}

    async def on_send(self, content):
        client_id = content.get("client_id")
        if not self.sends.take():
            await self.send_error("rate_limited", "Too many messages; wait a moment.", client_id=client_id)
            return
        try:
            message, _ = await database_sync_to_async(do_send_caller_message)(
                self.caller_id, body=content.get("body"), client_id=client_id
            )
        except ActionError as e:
            await self.send_error(e.code, e.message, client_id=client_id)
            return
        await self.send_json({"type": "sent", "client_id": client_id, "seq": message.seq})
        await self._deliver(events.message_for_caller(message))

    async def on_receipt(self, content):
        delivered, seen = content.get("delivered", 0), content.get("seen", 0)
        if not all(
            isinstance(n, int) and not isinstance(n, bool) and 0 <= n <= self.last_seq for n in (delivered, seen)
        ):
            await self.send_error("bad_frame", "Receipts name message numbers this page has.")
            return
        watchdog.receipt(self.caller_id, delivered, seen)

    async def on_signal(self, content):
        if not self.seat_id:
            await self.send_error("not_in_call", "You are not in a call.")
            return
        await relay_signal_frame(self, self.seat_id, content)

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
                await self._send_in_order(await database_sync_to_async(self._thread_after)(self.last_seq))

    async def catch_up(self):
        """The database has messages this page lacks and no event brought
        them (the watchdog noticed): send them."""
        async with self.delivering:
            await self._send_in_order(await database_sync_to_async(self._thread_after)(self.last_seq))

    async def _send_in_order(self, messages):
        for m in messages:
            if m["seq"] > self.last_seq:
                self.last_seq = m["seq"]
                await self.send_json({"type": "message", "message": m})

    def _thread_after(self, seq):
        return [events.message_for_caller(m) for m in thread(Caller(pk=self.caller_id), after=seq)]

    async def thread_messages(self, event):
        for message in event["messages"]:
            await self._deliver(message)

    async def thread_broadcast(self, event):
        seq = event["seqs"].get(str(self.caller_id))
        if seq is None:
            return
        if seq == self.last_seq + 1 and not self._delivering_now():
            # The usual case, made cheap: a broadcast reaches thousands of pages
            # of this process, and its frame is serialised once for all of them.
            self.last_seq = seq
            await self.send(text_data=message_frame(event["message"], seq))
        else:
            await self._deliver(event["message"] | {"seq": seq})

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
        clinic = await database_sync_to_async(Clinic.objects.get)(pk=clinic_id)
        await self.send_json({"type": "clinic", "clinic": events.clinic_for_callers(clinic)})

    async def call_changed(self, event):
        call = event["call"]
        self.seat_id = next((p["id"] for p in call["participants"] if p["is_caller"]), None) if call["open"] else None
        await self.send_json({"type": "call", "call": call})

    async def call_signal(self, event):
        await self.send_json({"type": "signal", "from": event["from"], "signal": event["signal"]})

    async def clinic_changed(self, event):
        await self.send_json({"type": "clinic", "clinic": event["clinic"]})

    async def page_replaced(self, event):
        await self.send_json({"type": "replaced"})
        await self.close(code=CLOSE_REPLACED)


class DashboardConsumer(PageConsumer):
    """A team member's live view of one clinic's waiting area."""

    clinic_id = None

    async def connect(self):
        await self.accept()
        user = self.scope["user"]
        if not user.is_authenticated:
            await self.close(code=CLOSE_NOT_SIGNED_IN)
            return
        try:
            membership = await database_sync_to_async(access.membership_for)(
                user, self.scope["url_route"]["kwargs"]["slug"]
            )
        except Http404:
            await self.close(code=CLOSE_NO_VISIT)
            return
        self.clinic_id = membership.clinic_id
        await self.channel_layer.group_add(events.staff_group(self.clinic_id), self.channel_name)
        await self._send_snapshot()
        watchdog.watch(self)

    async def _send_snapshot(self):
        snapshot = await database_sync_to_async(self._snapshot)()
        self.versions = {card["id"]: card["version"] for card in snapshot["cards"]}
        await self.send_json(snapshot)

    def _snapshot(self):
        clinic = Clinic.objects.get(pk=self.clinic_id)
        callers = Caller.objects.present().filter(clinic=clinic)
        return {
            "type": "snapshot",
            "clinic": events.clinic_for_callers(clinic),
            "cards": [events.caller_card(c) for c in callers],
            **page_clock(),
        }

    async def disconnect(self, code):
        if self.clinic_id is None:
            return
        watchdog.unwatch(self)
        await self.channel_layer.group_discard(events.staff_group(self.clinic_id), self.channel_name)

    async def check_cards(self):
        """The watchdog asks: do this page's cards match the database? If an
        announcement was lost (Redis restarting), send a fresh snapshot."""
        for attempt in range(2):
            if attempt:
                await asyncio.sleep(1)  # an announcement on its way settles a difference
            stored = await database_sync_to_async(
                Caller.objects.present().filter(clinic_id=self.clinic_id).aggregate
            )(n=Count("id"), versions=Sum("version"))
            if (stored["n"], stored["versions"] or 0) == (len(self.versions), sum(self.versions.values())):
                return
        await self._send_snapshot()

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


class StaffCallConsumer(PageConsumer):
    """A team member's call page: the call's state and its signalling."""

    seat_id = None
    frame_rate = 50  # ICE candidates come in bursts
    frame_burst = 100

    async def connect(self):
        await self.accept()
        user = self.scope["user"]
        if not user.is_authenticated:
            await self.close(code=CLOSE_NOT_SIGNED_IN)
            return
        kwargs = self.scope["url_route"]["kwargs"]
        try:
            hello = await database_sync_to_async(self._join)(user, kwargs["slug"], kwargs["call_id"])
        except (Http404, ActionError):
            await self.close(code=CLOSE_NO_VISIT)
            return
        await self.send_json(hello)
        watchdog.watch(self)  # keeps this process's heartbeat going

    def _join(self, user, slug, call_id):
        membership = access.membership_for(user, slug)
        if not Participant.objects.filter(
            call_id=call_id, call__clinic=membership.clinic, call__ended_at=None, user=user, left_at=None
        ).exists():
            raise Http404
        self.call_id = call_id
        async_to_sync(self.channel_layer.group_add)(events.call_group(call_id), self.channel_name)
        call, seat = do_staff_page_connected(call_id, actor=user, channel_name=self.channel_name)
        self.seat_id = seat.pk
        self.clinic_id = membership.clinic_id
        return {
            "type": "hello",
            "me": seat.pk,
            "call": events.call_state(*call_snapshot(call)),
            "ice_servers": ice_servers(),
            **page_clock(),
        }

    async def disconnect(self, code):
        if self.seat_id is None:
            return
        watchdog.unwatch(self)
        await self.channel_layer.group_discard(events.call_group(self.call_id), self.channel_name)
        await database_sync_to_async(do_staff_page_disconnected)(self.seat_id, self.channel_name)

    def frame_handlers(self):
        return super().frame_handlers() | {"signal": self.on_signal}

    async def on_signal(self, content):
        await relay_signal_frame(self, self.seat_id, content)

    async def call_changed(self, event):
        await self.send_json({"type": "call", "call": event["call"]})
        call = event["call"]
        if not call["open"] or not any(p["id"] == self.seat_id for p in call["participants"]):
            await self.close(code=CLOSE_NO_VISIT)

    async def call_signal(self, event):
        await self.send_json({"type": "signal", "from": event["from"], "signal": event["signal"]})


async def relay_signal_frame(consumer, from_seat, content):
    """Check a page's signal frame and pass it to the participant it names, if
    both are in the same open call."""
    if not consumer.signals.take():
        await consumer.send_error("rate_limited", "Too many signals.")
        return
    try:
        signal = clean_signal(content.get("signal"))
        channel = await database_sync_to_async(signal_target)(from_seat, content.get("to"))
    except ActionError as e:
        await consumer.send_error(e.code, e.message)
        return
    if channel:
        await events.relay_signal(channel, from_seat, signal)
