"""The simulated pages: many caller websockets in one asyncio process.

Each page is an asyncio.Protocol driving websockets' Sans-I/O ClientProtocol:
no task, no queue per connection, so one process holds ten thousand pages and
still times their frames fairly. The same code runs against the ceiling and
against Waitroom.

A page does what static/waiting/wait.js does, minus the DOM:
- opens /ws/w/<slug>/ with its `sessionid` cookie and an Origin header;
- reads `hello` (the one frame it JSON-decodes in full) and then sends a
  heartbeat every `heartbeat_seconds` it names (one timer for all pages);
- records the arrival time of each `message` frame by its seq, checks the seqs
  come in order with no gap or double, and, if receipts are on, answers with
  {"type": "receipt", "delivered": seq, "seen": seq} as a visible page does.

Frames are recognised by their first bytes (`{"type":"message"` ...), and the
seq read with a regular expression; a frame that does not start the expected
way is JSON-decoded, so a change of key order on the server costs speed, not
correctness.
"""

import asyncio
import collections
import json
import re
import time

from websockets.client import ClientProtocol
from websockets.frames import Opcode
from websockets.http11 import Response
from websockets.uri import parse_uri

clock = time.perf_counter  # CLOCK_MONOTONIC on Linux: comparable across processes

TEXT = Opcode.TEXT
CLOSE = Opcode.CLOSE
SEQ = re.compile(rb'"seq":\s*(\d+)')
HEARTBEAT = b'{"type":"heartbeat"}'


class Round:
    """One staff send: which pages are to get a message, and when they did."""

    __slots__ = ("expected", "remaining", "times", "done")

    def __init__(self, expected):
        self.expected = self.remaining = expected
        self.times = []
        self.done = asyncio.get_running_loop().create_future()

    def hit(self, t):
        self.times.append(t)
        self.remaining -= 1
        if self.remaining == 0 and not self.done.done():
            self.done.set_result(t)

    @property
    def last(self):
        return max(self.times) if self.times else None


class Page(asyncio.Protocol):
    """One caller's page."""

    __slots__ = (
        "pool", "caller_id", "session_key", "uri", "proto", "transport", "ready", "open",
        "heartbeat_seconds", "last_seq", "round", "close_code", "times",
    )
    max_size = 2**20

    def __init__(self, pool, caller_id, session_key, uri):
        self.pool = pool
        self.caller_id = caller_id
        self.session_key = session_key
        self.uri = uri
        self.transport = None
        self.ready = asyncio.get_running_loop().create_future()
        self.open = False
        self.heartbeat_seconds = 5
        self.last_seq = 0
        self.round = None
        self.close_code = None
        self.times = {}  # seq -> arrival (clock())

    # asyncio.Protocol ------------------------------------------------------

    def connection_made(self, transport):
        self.transport = transport
        self.proto = ClientProtocol(parse_uri(self.uri), origin=self.pool.origin, max_size=self.max_size)
        request = self.proto.connect()
        request.headers["Cookie"] = f"sessionid={self.session_key}"
        self.proto.send_request(request)
        self._flush()

    def data_received(self, data):
        t = clock()
        proto = self.proto
        proto.receive_data(data)
        for event in proto.events_received():
            if type(event) is Response:
                if event.status_code != 101:
                    self._failed(f"HTTP {event.status_code}")
            elif event.opcode is TEXT:
                self.on_text(event.data, t)
            elif event.opcode is CLOSE:
                self.close_code = proto.close_code
        self._flush()

    def eof_received(self):
        self.proto.receive_eof()
        self._flush()
        return False

    def connection_lost(self, exc):
        was_open, self.open = self.open, False
        if was_open:
            self.pool.lost(self)
        elif not self.ready.done():
            self._failed(f"closed before hello (code {self.close_code})")

    # frames ----------------------------------------------------------------

    def on_text(self, data, t):
        if data.startswith(b'{"type":"message"'):
            self.on_message(int(SEQ.search(data).group(1)), t)
        elif data.startswith(b'{"type":"heartbeat"'):
            pass
        else:
            frame = json.loads(data)
            kind = frame.get("type")
            if kind == "hello":
                self.on_hello(frame)
            elif kind == "message":
                self.on_message(frame["message"]["seq"], t)
            else:
                self.pool.others[kind] += 1

    def on_hello(self, frame):
        self.heartbeat_seconds = frame.get("heartbeat_seconds") or 5
        if frame.get("messages"):
            self.last_seq = frame["messages"][-1]["seq"]
        self.open = True
        self.pool.opened(self)
        if not self.ready.done():
            self.ready.set_result(True)

    def on_message(self, seq, t):
        if seq != self.last_seq + 1:
            self.pool.out_of_order += 1  # a gap, a double or a reorder
        if seq > self.last_seq:
            self.last_seq = seq
        self.times[seq] = t
        r = self.round
        if r is not None:
            self.round = None
            r.hit(t)
        if self.pool.receipts:
            self.send(b'{"type":"receipt","delivered":%d,"seen":%d}' % (seq, seq))
            self.pool.receipts_sent += 1

    # sending ---------------------------------------------------------------

    def send(self, data):
        if self.open:
            self.proto.send_text(data)
            self._flush()

    def _flush(self):
        transport = self.transport
        for data in self.proto.data_to_send():
            if data:
                transport.write(data)
            elif transport.can_write_eof():
                transport.write_eof()

    def _failed(self, why):
        if not self.ready.done():
            self.ready.set_exception(ConnectionError(why))
        if self.transport is not None:
            self.transport.abort()

    def abort(self):
        self.open = False
        if self.transport is not None:
            self.transport.abort()


class Dashboard(Page):
    """The staff member's dashboard socket: counts the `receipts` frames (so the
    benchmark knows when the server has stored the pages' receipts) and decodes
    nothing else after the snapshot."""

    __slots__ = ("receipt_frames", "waiter")
    max_size = None  # a `callers` frame after notifying 10,000 callers is megabytes

    def __init__(self, *args):
        super().__init__(*args)
        self.receipt_frames = 0
        self.waiter = None

    def on_text(self, data, t):
        if data.startswith(b'{"type":"receipts"'):
            self.receipt_frames += 1
            if self.waiter and self.receipt_frames >= self.waiter[0] and not self.waiter[1].done():
                self.waiter[1].set_result(True)
        elif data.startswith(b'{"type":"snapshot"'):
            frame = json.loads(data)
            self.heartbeat_seconds = frame.get("heartbeat_seconds") or 5
            self.open = True
            self.pool.opened(self)
            if not self.ready.done():
                self.ready.set_result(True)

    async def wait_receipts(self, count, timeout):
        """Until `count` receipts frames in all have arrived (or the timeout)."""
        if self.receipt_frames >= count:
            return True
        self.waiter = (count, asyncio.get_running_loop().create_future())
        try:
            await asyncio.wait_for(self.waiter[1], timeout)
            return True
        except asyncio.TimeoutError:
            return False
        finally:
            self.waiter = None


class Pool:
    """All the pages of this process, their heartbeat timer and counters."""

    def __init__(self, origin, receipts=False):
        self.origin = origin
        self.receipts = receipts
        self.pages = []  # open caller pages
        self.heartbeats = collections.deque()  # (due, page), in due order
        self.out_of_order = 0
        self.receipts_sent = 0
        self.lost_pages = []  # (caller_id, close code) of pages the server closed
        self.others = collections.Counter()  # frame types no page expected
        self.connect_failures = collections.Counter()
        self._timer = None

    def opened(self, page):
        if not isinstance(page, Dashboard):
            self.pages.append(page)
        self.heartbeats.append((time.monotonic() + page.heartbeat_seconds, page))
        if self._timer is None:
            self._timer = asyncio.get_running_loop().create_task(self._beat())

    def lost(self, page):
        self.lost_pages.append((page.caller_id, page.close_code))

    async def _beat(self):
        queue = self.heartbeats
        while True:
            await asyncio.sleep(0.05)
            now = time.monotonic()
            while queue and queue[0][0] <= now:
                due, page = queue.popleft()
                if page.open:
                    page.send(HEARTBEAT)
                    queue.append((max(due + page.heartbeat_seconds, now), page))

    async def connect(self, items, *, concurrency=100, timeout=60, page_class=Page):
        """Open a page for each (caller_id, session_key, host, port, path); at
        most `concurrency` handshakes in flight. Returns the pages that said hello."""
        loop = asyncio.get_running_loop()
        items = iter(items)
        done = []

        async def worker():
            for caller_id, key, host, port, path in items:
                page = page_class(self, caller_id, key, f"ws://{host}:{port}{path}")
                try:
                    await asyncio.wait_for(loop.create_connection(lambda: page, host, port), timeout)
                    await asyncio.wait_for(page.ready, timeout)
                except (OSError, asyncio.TimeoutError) as e:
                    self.connect_failures[type(e).__name__ + (f": {e}" if str(e) else "")] += 1
                    page.abort()
                    continue
                done.append(page)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return done

    def abort_all(self):
        if self._timer:
            self._timer.cancel()
            self._timer = None
        for _, page in self.heartbeats:
            page.abort()
        self.heartbeats.clear()
        self.pages.clear()


class Http:
    """A keep-alive HTTP/1.1 connection: just what the staff's requests need."""

    def __init__(self, host, port):
        self.host, self.port = host, port
        self.reader = self.writer = None

    async def request(self, method, path, headers=None, body=b""):
        """Returns (sent_at, answered_at, status, headers, body); sent_at is
        taken just before the request is written."""
        if self.writer is None or self.writer.is_closing():
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", f"Content-Length: {len(body)}"]
        head += [f"{k}: {v}" for k, v in (headers or {}).items()]
        data = ("\r\n".join(head) + "\r\n\r\n").encode() + body
        sent_at = clock()
        self.writer.write(data)
        raw = await self.reader.readuntil(b"\r\n\r\n")
        lines = raw.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        answer = [(k.strip().lower(), v.strip()) for k, _, v in (line.partition(":") for line in lines[1:] if line)]
        fields = dict(answer)
        if "content-length" in fields:
            content = await self.reader.readexactly(int(fields["content-length"]))
        elif fields.get("transfer-encoding") == "chunked":
            content = b""
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).strip(), 16)
                chunk = await self.reader.readexactly(size + 2)
                if size == 0:
                    break
                content += chunk[:-2]
        else:
            content = await self.reader.read()
        answered_at = clock()
        if fields.get("connection", "").lower() == "close":
            self.writer.close()
            self.writer = None
        return sent_at, answered_at, status, answer, content

    def close(self):
        if self.writer is not None:
            self.writer.close()
            self.writer = None
