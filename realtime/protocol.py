"""uvicorn's websocket protocol, holding less for each open page.

    uvicorn waitroom.asgi:application --ws realtime.protocol:PageProtocol ...

uvicorn's Sans-I/O websocket protocol (websockets-sansio) keeps, for as long as
the socket is open, the handshake's request and response (their headers: about
3 KB a page, measured with tracemalloc), an asyncio.Queue for the page's frames
(four deques, one of them in its Event) and an asyncio.Event for flow control
(one more deque). Ten thousand idle pages hold ten thousand of each. This
subclass lets go of the handshake once it is answered and uses a single-reader
inbox and a slotted gate instead, and sends no keepalive pings of its own
(the pages' heartbeats do that job). Everything else is uvicorn's: the class is
tied to the uvicorn version pinned in pyproject.toml, and every test that
drives a real server (e2e/) goes through it.
"""

import asyncio

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

from waitroom.heap import collect_young_regularly

from .layers import Inbox


class Gate:
    """asyncio.Event's wait/set/clear for one writer's flow control, without
    its deque: a page's socket is almost never paused."""

    __slots__ = ("_open", "_waiters")

    def __init__(self):
        self._open = True
        self._waiters = None

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


class PageProtocol(WebSocketsSansIOProtocol):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.queue = Inbox(maxsize=float("inf"))
        self.writable = Gate()
        # No keepalive pings (nor a timer per page for them): every page sends
        # heartbeats, and the watchdog closes a page that stops (realtime/watchdog.py).
        self.ping_interval = None
        collect_young_regularly(self.loop)

    async def send(self, message):
        await super().send(message)
        if self.handshake_complete and getattr(self, "response", None) is not None:
            # Answered (accepted, or refused): the handshake is not needed again.
            self.request = self.response = None
