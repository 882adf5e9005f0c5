"""A call's pages, live: a team member's call page, and the call on the
caller's page (a part of waiting's CallerConsumer, added in calls/apps.py).
Both pass WebRTC signals to the other participants (calls/signalling.py)."""

import functools

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from django.http import Http404

from clinics.access import membership_for
from realtime import events
from realtime.consumers import CLOSE_NO_VISIT, CLOSE_NOT_SIGNED_IN, PageConsumer
from realtime.limits import TokenBucket
from realtime.staff import StaffPage
from realtime.watchdog import watchdog
from waitroom.errors import ActionError
from waiting.actions import do_report_devices

from .actions import do_staff_page_connected, do_staff_page_disconnected
from .models import Participant
from .signalling import clean_signal, signal_target
from .snapshots import NOT_READ, call_for_caller, call_snapshot, caller_seat, open_call_of, open_calls_of, staff_call_hello


def publish_call_of(caller_id):
    """Tell a call's pages that its caller's page came or went."""
    call = open_call_of(caller_id)
    if call is not None:
        events.publish_call_changed(*call_snapshot(call))


class Signalling:
    """A page in a call: passes its checked signals on, and hears the others'."""

    seat_id = None  # the page's participant id while in a call

    @functools.cached_property
    def signals(self):
        # Made on first use: most pages never signal, and ten thousand idle
        # pages should cost as little memory as they can.
        return TokenBucket(rate=40, burst=80)  # WebRTC: an offer brings a burst of candidates

    async def relay_signal(self, content):
        """Pass a page's signal frame to the participant it names, if both are
        in the same open call."""
        if not self.signals.take():
            await self.send_error("rate_limited", "Too many signals.")
            return
        try:
            signal = clean_signal(content.get("signal"))
            channel = await database_sync_to_async(signal_target)(self.seat_id, content.get("to"))
        except ActionError as e:
            await self.send_error(e.code, e.message)
            return
        if channel:
            await events.relay_signal(channel, self.seat_id, signal)

    async def call_signal(self, event):
        await self.send_json({"type": "signal", "from": event["from"], "signal": event["signal"]})


class CallOnCallerPage(Signalling):
    """The caller's side of their call, on their waiting page."""

    @classmethod
    def prepare_hellos(cls, pages):
        super().prepare_hellos(pages)
        calls = open_calls_of([caller.pk for _, caller in pages])  # one query for a reconnect storm's pages
        for consumer, caller in pages:
            consumer.open_call = calls.get(caller.pk)

    def hello(self, caller):
        call = self.__dict__.pop("open_call", NOT_READ)
        hello = super().hello(caller) | call_for_caller(caller, call)
        self.seat_id = hello["me"]
        if self.seat_id:
            publish_call_of(caller.pk)  # the other participants see the caller's page is back
        return hello

    async def gone(self):
        await super().gone()
        if self.seat_id:
            await database_sync_to_async(publish_call_of)(self.caller_id)

    def frame_handlers(self):
        return super().frame_handlers() | {"signal": self.on_signal}

    async def on_signal(self, content):
        if not self.seat_id:
            await self.send_error("not_in_call", "You are not in a call.")
            return
        await self.relay_signal(content)

    async def call_changed(self, event):
        call = event["call"]
        self.seat_id = caller_seat(call)
        await self.send_json({"type": "call", "call": call})


class DevicesOnCallerPage:
    """The caller's device check on their waiting page: the page reports
    `{"type": "devices", "camera": …, "microphone": …}` (each one of
    waiting.models.DeviceState) and the clinic sees it on the caller's card."""

    @functools.cached_property
    def device_reports(self):
        return TokenBucket(rate=0.5, burst=5)  # a check reports once or twice; a loop is refused

    def frame_handlers(self):
        return super().frame_handlers() | {"devices": self.on_devices}

    async def on_devices(self, content):
        if not self.device_reports.take():
            await self.send_error("rate_limited", "Too many device reports.")
            return
        if set(content) != {"type", "camera", "microphone"}:
            await self.send_error("invalid", "A devices frame has camera and microphone, nothing else.")
            return
        try:
            await database_sync_to_async(do_report_devices)(
                self.caller_id, camera=content["camera"], microphone=content["microphone"]
            )
        except ActionError as e:
            await self.send_error(e.code, e.message)


class StaffCallConsumer(Signalling, StaffPage, PageConsumer):
    """A team member's call page: the call's state and its signalling. It
    closes when the sign-in that opened it ends (realtime/staff.py)."""

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
        if not await self.watch_sign_in(user, self.clinic_id):
            return
        await self.send_json(hello)
        watchdog.watch(self)  # keeps this process's heartbeat going

    def _join(self, user, slug, call_id):
        membership = membership_for(user, slug)
        if not Participant.objects.filter(
            call_id=call_id, call__clinic=membership.clinic, call__ended_at=None, user=user, left_at=None
        ).exists():
            raise Http404
        self.call_id, self.clinic_id = call_id, membership.clinic_id
        async_to_sync(self.channel_layer.group_add)(events.call_group(call_id), self.channel_name)
        call, seat = do_staff_page_connected(call_id, actor=user, channel_name=self.channel_name)
        self.seat_id = seat.pk
        return staff_call_hello(call, seat)

    async def disconnect(self, code):
        if self.seat_id is None:
            return
        watchdog.unwatch(self)
        await self.forget_sign_in()
        await self.channel_layer.group_discard(events.call_group(self.call_id), self.channel_name)
        await database_sync_to_async(do_staff_page_disconnected)(self.seat_id, self.channel_name)

    def frame_handlers(self):
        return super().frame_handlers() | {"signal": self.relay_signal}

    async def call_changed(self, event):
        await self.send_json({"type": "call", "call": event["call"]})
        call = event["call"]
        if not call["open"] or not any(p["id"] == self.seat_id for p in call["participants"]):
            await self.close(code=CLOSE_NO_VISIT)
