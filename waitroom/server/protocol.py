"""uvicorn's websocket protocol, holding less for each open page.

    uvicorn waitroom.asgi:application --ws waitroom.server.protocol:PageProtocol ...

uvicorn's Sans-I/O websocket protocol (websockets-sansio) keeps, for as long as
the socket is open, the handshake's request and response (their headers: about
3 KB a page, measured with tracemalloc), an asyncio.Queue for the page's frames
(four deques, one of them in its Event) and an asyncio.Event for flow control
(one more deque). Ten thousand idle pages hold ten thousand of each. This
subclass lets go of the handshake once it is answered and uses a single-reader
inbox and a slotted gate instead, and sends no keepalive pings of its own
(the pages' heartbeats do that job). It hands the app each frame as a future
(no coroutine per wait), and pauses reading only when the app falls behind
rather than after every frame. It also starts the heap policy on its event
loop (heap.py), unless WAITROOM_TUNED_HEAP is false. Everything else is
uvicorn's: the class is tied to the uvicorn version pinned in pyproject.toml,
the names it relies on are checked by tests/test_upstream_contracts.py, and
every test that drives a real server (e2e/, scaleout/) goes through it, except
in stock mode (WAITROOM_SERVER_MODE=stock).
"""

import asyncio

from django.conf import settings
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.exceptions import InvalidState

from realtime.frames import RECEIVE_NOW, SEND_NOW
from realtime.limits import FRAME_MAX
from waitroom.logs import is_socket_line

from .heap import collect_young_regularly
from .layers import Inbox


class WithoutSocketLines:
    """The logger of one page's socket (uvicorn's and websockets' share it),
    dropping the lines of its opening and closing before a record is made: the
    log's filter drops them anyway (waitroom/logs.py), after three records for
    each of ten thousand pages coming back."""

    __slots__ = ("logger",)

    def __init__(self, logger):
        self.logger = logger

    def info(self, msg, *args, **kwargs):
        if not is_socket_line(msg):
            self.logger.info(msg, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.logger, name)


class Gate:
    """asyncio.Event's wait/set/clear for one writer's flow control, without
    its deque: a page's socket is almost never paused."""

    __slots__ = ("_open", "_waiters")

    def __init__(self):
        self._open = True
        self._waiters = None

    @property
    def is_set(self):
        return self._open

    def set(self):
        self._open = True
        waiters, self._waiters = self._waiters, None
        for waiter in waiters or ():
            if not waiter.done():
                waiter.set_result(None)

    def clear(self):
        self._open = False

    async def wait(self):
        if self._open:
            return
        waiter = asyncio.get_running_loop().create_future()
        self._waiters = (self._waiters or []) + [waiter]
        await waiter


# Frames read but not yet taken by the app: reading pauses at PAUSE_AT and
# resumes at RESUME_BELOW. A page may send 30 frames at once (its frame budget,
# realtime/consumers.py); beyond, it is closed anyway.
PAUSE_AT = 32
RESUME_BELOW = 8


class PageProtocol(WebSocketsSansIOProtocol):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.queue = Inbox(maxsize=float("inf"))
        self.writable = Gate()
        # No keepalive pings (nor a timer per page for them): every page sends
        # heartbeats, and the watchdog closes a page that stops (realtime/watchdog.py).
        self.ping_interval = None
        self.logger = self.conn.logger = WithoutSocketLines(self.logger)
        # A frame the app would refuse as too large (FRAME_MAX characters, up
        # to 4 bytes each) is not read whole: the socket closes (1009). Frames
        # wait in the inbox up to PAUSE_AT at a time, so this bounds a page's.
        self.conn.max_message_size = min(self.conn.max_message_size or 4 * FRAME_MAX, 4 * FRAME_MAX)
        if settings.WAITROOM_TUNED_HEAP:  # read once a page connects: uvicorn has loaded the app, Django is set up
            collect_young_regularly(self.loop)

    def handle_connect(self, event):
        super().handle_connect(event)
        if self.response.status_code == 101:  # (the app's task has the scope and has not run yet)
            self.scope["extensions"][SEND_NOW] = self.send_now
            self.scope["extensions"][RECEIVE_NOW] = self.receive_now

    def receive_now(self, take):
        """The ASGI extension RECEIVE_NOW: from now on, a text frame read while
        the app waits for one is offered to `take(text)` first, and goes to the
        app's inbox only if that says False (Inbox.take_now)."""
        self.queue.take_now = lambda event: "text" in event and take(event["text"])

    def send_now(self, text):
        """A text frame sent before returning (the ASGI extension SEND_NOW):
        a broadcast's frame to a waiting page, a heartbeat's answer, without
        the app's coroutines down to here. False, with nothing sent, when the
        app's `websocket.send` would have waited or refused: writing paused,
        not yet accepted, closing or gone."""
        if not self.writable.is_set or not self.handshake_complete or self.close_sent or self.disconnected:
            return False
        if self.initial_response is not None:  # the app answered the handshake with an HTTP response
            return False
        try:
            self.conn.send_text(text.encode())
        except InvalidState:
            return False
        self.transport.write(b"".join(self.conn.data_to_send()))
        return True

    def receive(self):
        """The page's next event, as a future (the ASGI `receive`): no
        coroutine per wait, and reading resumes only once the app has taken
        most of what was read."""
        if self.read_paused and len(self.queue) <= RESUME_BELOW:
            self.read_paused = False
            self.transport.resume_reading()
        return self.queue.get()

    def send_receive_event_to_app(self):
        # uvicorn's, except that it pauses reading only once the app is
        # PAUSE_AT frames behind, not after every frame (a pause and a resume,
        # two changes to the event loop's poller, for each heartbeat).
        data = self.frames[0] if len(self.frames) == 1 else b"".join(self.frames)
        self.frames = []
        if self.close_sent:
            return  # the app is past websocket.close: reads stay on until the peer's close reply
        if self.curr_msg_data_type == "text":
            try:
                self.queue.put_nowait({"type": "websocket.receive", "text": data.decode()})
            except UnicodeDecodeError:
                self.logger.info("Invalid UTF-8 sequence received from client.")
                self.conn.send_close(1007)
                self.handle_parser_exception()
                return
        else:
            self.queue.put_nowait({"type": "websocket.receive", "bytes": data})
        if not self.read_paused and len(self.queue) >= PAUSE_AT:
            self.read_paused = True
            self.transport.pause_reading()

    async def send(self, message):
        await super().send(message)
        if self.handshake_complete and getattr(self, "response", None) is not None:
            # Answered (accepted, or refused): the handshake is not needed again.
            self.request = self.response = None
