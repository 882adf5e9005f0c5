"""What every page's socket shares: heartbeats, the frame budget, error
frames and the bad-input rules. The apps' consumers build on PageConsumer
(waiting/consumers.py, calls/consumers.py); see docs/realtime.md.

A consumer parses, checks access, calls an action or a snapshot, and sends:
it builds no state of its own.
"""

import asyncio
import functools
import json
import logging
import time
import traceback

from channels.consumer import get_handler_name
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer

from .frames import HEARTBEAT, RECEIVE_NOW, SEND_NOW
from .limits import FRAME_MAX, TokenBucket
from .text import is_encodable
from .watchdog import watchdog

log = logging.getLogger(__name__)

# Close codes (4000–4999 are the application's): pages stop reconnecting on these.
CLOSE_NO_VISIT = 4404  # also: not (or no longer) a member of the page's clinic
CLOSE_NOT_SIGNED_IN = 4401  # also: the sign-in ended (signed out, expired, idle...): the page goes to sign-in
CLOSE_REPLACED = 4409
CLOSE_TOO_MANY_FRAMES = 4429
CLOSE_SILENT = 4408
CLOSE_SERVER_ERROR = 1011  # the page reconnects, as after a server restart
# The process has more pages waiting to be opened than it can open soon: the
# page comes back after the seconds the reason names (plus jitter), not at once.
CLOSE_TRY_LATER = 4503


def cannot_send_now(text):
    return False


def try_again_in(seconds):
    """The reason of a CLOSE_TRY_LATER close: pages read the number."""
    return f"try again in {int(seconds)} s"


class PageConsumer(AsyncJsonWebsocketConsumer):
    """A page's socket: frame checks, heartbeats, error frames.

    A subclass names its frames in `frame_handlers` (type -> coroutine taking
    the parsed frame); every frame is checked here first (size, JSON, a type it
    knows), so a handler sees only a dict with a known type. Events from the
    channel layer go to the method named after their type, as in Channels."""

    frame_rate = 10  # frames a second, sustained
    frame_burst = 30
    closed = False
    accepted = False

    async def __call__(self, scope, receive, send):
        # Channels waits on the page and on the channel layer with asyncio.wait
        # and a new task for every message; for the ten thousand pages of a
        # broadcast that is most of the cost. Here this task reads the page and
        # one more reads the channel layer; they take turns at dispatching: one
        # message at a time, in arrival order.
        self.scope = scope
        self.base_send = send
        self.send_now = scope.get("extensions", {}).get(SEND_NOW) or cannot_send_now
        self.channel_layer = get_channel_layer(self.channel_layer_alias)
        self.channel_name = await self.channel_layer.new_channel()
        self.turn = turn = asyncio.Lock()
        serve_now = getattr(self.channel_layer, "serve_now", None)
        if serve_now is not None and self.send_now is not cannot_send_now:
            serve_now(self.channel_name, self.take_now)

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

    def take_now(self, message):
        """An event the channel layer hands over while this page waits for
        one: handled before the layer goes on to the next page, without
        waking the page's task, where the consumer has a synchronous form of
        its handler (`now_<type>`, which sends with `send_now` and says True
        when done). False: nothing was done and the event is queued as usual
        (the page is busy with a frame, the handler has no such form or says
        False). A broadcast reaches ten thousand pages of a process this way."""
        if self.closed or self.turn.locked():
            return False
        try:
            handler = getattr(self, "now_" + get_handler_name(message), None)
            return handler is not None and handler(message)
        except Exception:
            return False  # the usual way meets it again, and says so

    def take_frames_now(self):
        """From now on, a frame the page sends while this consumer waits for
        one is handled as the server reads it, where it can be without waking
        the page's task (`take_frame_now`). For a server that offers it
        (RECEIVE_NOW); call once the page is served."""
        listen = self.scope.get("extensions", {}).get(RECEIVE_NOW)
        if listen is not None and self.send_now is not cannot_send_now:
            listen(self.take_frame_now)

    def take_frame_now(self, text):
        """A heartbeat, answered; or a frame of a type in `frame_handlers_now`
        (type -> function of the parsed frame, True when done). False, with
        nothing done: the frame goes the usual way (`receive`), which checks
        it in full and answers what is wrong with it."""
        if self.closed or self.turn.locked() or not self.frames.take():
            return False  # (over budget: the usual way takes again, and closes the page)
        try:
            if text == HEARTBEAT:
                done = self.send_now(HEARTBEAT)
            else:
                done = self._take_parsed_now(text)
        except Exception:
            done = False  # the usual way meets it again, and says so
        if done:
            self.last_frame_at = time.monotonic()
        else:
            self.frames.give_back()
        return done

    def _take_parsed_now(self, text):
        if len(text) > FRAME_MAX or not text.isascii() or "\\u" in text:
            return False
        content = json.loads(text)
        if not isinstance(content, dict):
            return False
        handler = self.frame_handlers_now().get(content.get("type"))
        return handler is not None and handler(content)

    def frame_handlers_now(self):
        return {}

    async def dispatch(self, message):
        # Channels closes stale database connections before every event, which
        # is a hop through the one thread that runs database code — for each
        # heartbeat and each page of a broadcast. Every database call here goes
        # through database_sync_to_async, which does that itself.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        try:
            await handler(message)
        except (StopConsumer, asyncio.CancelledError):
            raise
        except Exception as error:
            await self.failed(message["type"], error)

    async def failed(self, what, error):
        """A handler raised: a bug, or input no rule foresaw. The page hears
        so and is released as on any disconnect (a caller's visit goes
        Offline and follows the usual rules), instead of a socket dropped
        without a word and a visit held by a page that no longer exists.

        The log names the handler and the exception's class and stack, never
        its message or the frame: those may hold a patient's name or words."""
        stack = "".join(traceback.format_tb(error.__traceback__))
        log.error("%s failed on a %s: %s\n%s", what, type(self).__name__, type(error).__name__, stack.rstrip())
        if what == "websocket.disconnect":
            raise StopConsumer  # releasing the page is what failed: nothing more to try
        if self.accepted and not self.closed:
            try:
                await self.send_error("server_error", "Something went wrong on our side.")
            except Exception:
                pass  # the socket may be what failed
        await self.close(code=CLOSE_SERVER_ERROR)
        try:
            await self.websocket_disconnect({"type": "websocket.disconnect", "code": CLOSE_SERVER_ERROR})
        except StopConsumer:
            raise
        except Exception as again:
            log.error("releasing a %s failed: %s", type(self).__name__, type(again).__name__)
        raise StopConsumer

    async def send(self, text_data=None, bytes_data=None, close=False):
        if not self.closed:  # an event that arrives after close has no page to go to
            await super().send(text_data, bytes_data, close)

    async def accept(self, subprotocol=None, headers=None):
        await super().accept(subprotocol, headers)
        self.accepted = True

    async def close(self, code=None, reason=None):
        if not self.closed:
            self.closed = True
            await super().close(code=code, reason=reason)

    async def websocket_disconnect(self, message):
        # Channels' own, without its closing of stale database connections: a
        # hop through the one database thread for each page that goes (ten
        # thousand in a network blip, in line with the batches of pages coming
        # back). Every database call here goes through database_sync_to_async,
        # which does that itself.
        self.closed = True
        for group in self.groups:
            await self.channel_layer.group_discard(group, self.channel_name)
        await self.disconnect(message["code"])
        raise StopConsumer()

    async def websocket_connect(self, message):
        self.last_frame_at = time.monotonic()
        self.frames = TokenBucket(self.frame_rate, self.frame_burst)
        await super().websocket_connect(message)

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        self.last_frame_at = time.monotonic()
        if not self.frames.take():
            await self.close(code=CLOSE_TOO_MANY_FRAMES)
            return
        if text_data == HEARTBEAT:  # most frames are this one: no parsing, a ready answer
            if not self.send_now(HEARTBEAT):
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
        # Only an escape (or a test client's str) can bring a lone surrogate:
        # the plain ASCII frames of most pages need no second look.
        if ("\\u" in text_data or not text_data.isascii()) and not is_encodable(content):
            client_id = content.get("client_id")
            extra = {"client_id": client_id} if isinstance(client_id, str) and is_encodable(client_id) else {}
            await self.send_error("invalid", "Text in a frame must be valid Unicode.", **extra)
            return
        handler = self.frame_handlers().get(content["type"])
        if handler is None:
            await self.send_error("unknown_type", f"Unknown frame type {content['type'][:40]!r}.")
            return
        try:
            await handler(content)
        except (StopConsumer, asyncio.CancelledError):
            raise
        except Exception as error:
            await self.failed(f"{content['type']} frame", error)  # a type of ours: no patient data

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
