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

What a page says and expects is testkit.protocol's; this module is only the
transport fit for ten thousand of them.

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
from websockets.frames import Close, Opcode
from websockets.http11 import Response
from websockets.uri import parse_uri

from testkit import protocol

clock = time.perf_counter  # CLOCK_MONOTONIC on Linux: comparable across processes

TEXT = Opcode.TEXT
CLOSE = Opcode.CLOSE
SEQ = re.compile(rb'"seq":\s*(\d+)')
HEARTBEAT = protocol.HEARTBEAT.encode()
MESSAGE, HEARTBEAT_ANSWER, SNAPSHOT, RECEIPTS = (b'{"type":"%s"' % kind for kind in (
    b"message", b"heartbeat", b"snapshot", b"receipts"))  # the server writes `type` first, compactly


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
    """One caller's page, over one connection. When the server closes it (other
    than with a stop code), the page reconnects as the real one does — full
    jitter, 0.5 s doubling to 15 s, with ?after=<last seq> — as a successor
    object that takes over its state and its place; what the hello brings
    counts as arrived then."""

    __slots__ = (
        "pool", "caller_id", "session_key", "host", "port", "path", "proto", "transport", "ready", "open",
        "heartbeat_seconds", "last_seq", "round", "close_code", "close_reason", "times", "generation", "attempt", "slot",
        "started_at", "hello_at", "sent_at", "origin",
    )
    max_size = 2**20

    def __init__(self, pool, caller_id, session_key, host, port, path):
        self.pool = pool
        self.origin = pool.origin
        self.caller_id = caller_id
        self.session_key = session_key
        self.host, self.port, self.path = host, port, path
        self.transport = None
        self.open = False
        self.slot = None  # index in pool.pages once it said hello
        self.heartbeat_seconds = protocol.DEFAULT_HEARTBEAT_SECONDS
        self.last_seq = 0
        self.round = None
        self.close_code = None
        self.close_reason = ""
        self.times = {}  # seq -> arrival (clock())
        self.generation = 0
        self.attempt = 0
        self.started_at = self.hello_at = self.sent_at = None
        self.ready = asyncio.get_running_loop().create_future()

    def successor(self):
        """A new page object for the next connection, with this one's state
        (on the port the pool sends pages of a dead process to, if any)."""
        port = self.pool.moved.get(self.port, self.port)
        page = type(self)(self.pool, self.caller_id, self.session_key, self.host, port, self.path)
        page.last_seq, page.round, page.times, page.attempt, page.slot = (
            self.last_seq, self.round, self.times, self.attempt, self.slot)
        self.round, self.pool = None, None
        return page

    def url(self):
        return f"ws://{self.host}:{self.port}{self.path}{protocol.after_query(self.last_seq or None)}"

    async def connect(self, timeout):
        """Open the socket and wait for the hello (raises on failure)."""
        loop = asyncio.get_running_loop()
        if self.ready.done():
            self.ready = loop.create_future()
        self.close_code, self.close_reason = None, ""
        self.started_at = clock()
        await asyncio.wait_for(loop.create_connection(lambda: self, self.host, self.port), timeout)
        await asyncio.wait_for(self.ready, timeout)

    # asyncio.Protocol ------------------------------------------------------

    def connection_made(self, transport):
        self.transport = transport
        self.proto = ClientProtocol(parse_uri(self.url()), origin=self.origin, max_size=self.max_size)
        request = self.proto.connect()
        request.headers["Cookie"] = protocol.cookie_header(self.session_key)
        self.proto.send_request(request)
        self._flush()

    def data_received(self, data):
        t = clock()
        proto = self.proto
        try:
            proto.receive_data(data)
        except Exception:  # noqa: BLE001 - a broken stream: this connection is over
            self.transport.abort()
            return
        for event in proto.events_received():
            if type(event) is Response:
                if event.status_code != 101:
                    self._failed(f"HTTP {event.status_code}")
            elif event.opcode is TEXT:
                self.on_text(event.data, t)
            elif event.opcode is CLOSE:
                close = Close.parse(event.data) if event.data else None
                self.close_code, self.close_reason = (close.code, close.reason) if close else (1005, "")
        self._flush()

    def eof_received(self):
        self.proto.receive_eof()
        self._flush()
        return False

    def connection_lost(self, exc):
        was_open, self.open = self.open, False
        if not self.ready.done():
            self._failed(f"closed before hello (code {self.close_code})")
        elif was_open and self.pool is not None:
            self.pool.lost(self)

    # frames ----------------------------------------------------------------

    def on_text(self, data, t):
        if data.startswith(MESSAGE):
            self.on_message(int(SEQ.search(data).group(1)), t)
        elif data.startswith(HEARTBEAT_ANSWER):
            pass
        else:
            frame = json.loads(data)
            kind = frame.get("type")
            if kind == "hello":
                self.on_hello(frame, t)
            elif kind == "message":
                self.on_message(frame["message"]["seq"], t)
            else:
                self.pool.others[kind] += 1

    def on_hello(self, frame, t):
        self.heartbeat_seconds = protocol.heartbeat_seconds(frame)
        self.open = True
        self.attempt = 0
        self.hello_at = t
        self.pool.handshakes.append(t - self.started_at)
        self.pool.opened(self)
        if not self.ready.done():
            self.ready.set_result(True)
        for message in protocol.missed(frame, self.last_seq):  # after ?after=: missed while away
            self.on_message(message["seq"], t)

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
            self.send(protocol.receipt(seq, seq).encode())
            self.pool.receipts_sent += 1

    # sending ---------------------------------------------------------------

    def send(self, data):
        if self.open:
            self.proto.send_text(data)
            self._flush()
            self.sent_at = clock()

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
            self.ready.exception()  # whoever waited has been told; nobody else needs to be
        if self.transport is not None:
            self.transport.abort()

    def abort(self):
        """Close for good: no reconnect."""
        self.pool = None
        self.drop()

    def drop(self):
        self.open = False
        if self.transport is not None:
            self.transport.abort()


class Dashboard(Page):
    """The staff member's dashboard socket: counts the receipts that `receipts`
    frames report (so the benchmark knows when the server has stored the pages'
    receipts) and decodes nothing else after the snapshot."""

    __slots__ = ("receipt_frames", "waiter")
    max_size = None  # a `callers` frame after notifying 10,000 callers is megabytes

    def __init__(self, *args):
        super().__init__(*args)
        self.receipt_frames = 0
        self.waiter = None

    def successor(self):
        page = super().successor()
        page.receipt_frames, page.waiter = self.receipt_frames, self.waiter
        self.waiter = None
        page.pool.dashboard = page
        return page

    def on_text(self, data, t):
        if data.startswith(RECEIPTS):
            # One frame may carry many pages' receipts (the server gathers them).
            self.receipt_frames += data.count(b'"caller_id"')
            if self.waiter and self.receipt_frames >= self.waiter[0] and not self.waiter[1].done():
                self.waiter[1].set_result(True)
        elif data.startswith(SNAPSHOT) and not self.open:
            frame = protocol.expect_first(json.loads(data), "dashboard")
            self.heartbeat_seconds = protocol.heartbeat_seconds(frame)
            self.open = True
            self.hello_at = t
            self.pool.opened(self)
            if not self.ready.done():
                self.ready.set_result(True)

    async def wait_receipts(self, count, timeout):
        """Until `count` receipts frames in all have arrived (or the timeout)."""
        if self.receipt_frames >= count:
            return True
        waiter = self.waiter = (count, asyncio.get_running_loop().create_future())
        try:
            await asyncio.wait_for(waiter[1], timeout)
            return True
        except asyncio.TimeoutError:
            return False
        finally:
            if self.pool is not None and self.pool.dashboard is not None:
                self.pool.dashboard.waiter = None


class Pool:
    """All the pages of this process, their heartbeat timer and counters."""

    def __init__(self, origin, receipts=False, reconnect=True):
        self.origin = origin
        self.receipts = receipts
        self.reconnect = reconnect
        self.pages = []  # caller pages that said hello once (a successor takes its predecessor's place)
        self.dashboard = None
        self.heartbeats = collections.deque()  # (due, page, generation), in due order
        self.out_of_order = 0
        self.receipts_sent = 0
        self.lost_pages = []  # (caller_id, close code, seconds since its hello, seconds since it last sent)
        self.handshakes = []  # seconds from connect to hello, each (re)connect
        self.reconnects = 0
        self.told_to_try_later = 0  # connects refused with 4503 (bench/storm.py)
        self.moved = {}  # port of a killed process -> the port its pages reconnect to (a load balancer's job)
        self.others = collections.Counter()  # frame types no page expected
        self.connect_failures = collections.Counter()
        self._timer = None
        self._tasks = set()

    def opened(self, page):
        if page.slot is None and not isinstance(page, Dashboard):
            page.slot = len(self.pages)
            self.pages.append(page)
        page.generation += 1
        self.heartbeats.append((time.monotonic() + page.heartbeat_seconds, page, page.generation))
        if self._timer is None:
            self._timer = asyncio.get_running_loop().create_task(self._beat())

    def lost(self, page):
        if page.pool is None:
            return  # closed by us, or already replaced
        now = clock()
        self.lost_pages.append((page.caller_id, page.close_code, now - page.hello_at,
                                now - page.sent_at if page.sent_at and page.sent_at > page.hello_at else None))
        if self.reconnect and page.close_code not in protocol.STOP_CODES:
            self._retry(page)

    def _retry(self, page):
        delay = protocol.reconnect_delay(page.close_code, page.close_reason, page.attempt)
        page.attempt += 1
        loop = asyncio.get_running_loop()
        loop.call_later(delay, self._spawn, page)

    def _spawn(self, page):
        if page.pool is None:
            return  # aborted meanwhile
        task = asyncio.get_running_loop().create_task(self._reconnect(page))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _reconnect(self, old):
        page = old.successor()
        if page.slot is not None:
            self.pages[page.slot] = page
        try:
            await page.connect(timeout=30)
            self.reconnects += 1
        except (OSError, asyncio.TimeoutError):
            if page.close_code == protocol.TRY_LATER:
                self.told_to_try_later += 1  # turned away before its hello (lost pages count their own)
            page.drop()
            if page.pool is not None:  # not aborted meanwhile
                self._retry(page)

    async def _beat(self):
        queue = self.heartbeats
        while True:
            await asyncio.sleep(0.05)
            now = time.monotonic()
            while queue and queue[0][0] <= now:
                due, page, generation = queue.popleft()
                if page.open and page.generation == generation:
                    page.send(HEARTBEAT)
                    queue.append((max(due + page.heartbeat_seconds, now), page, generation))

    async def connect(self, items, *, concurrency=100, timeout=60, page_class=Page, last_seq=None):
        """Open a page for each (caller_id, session_key, host, port, path); at
        most `concurrency` handshakes in flight. Returns the pages that said hello.
        `last_seq`: {caller_id: the last seq its page has} for pages coming back."""
        items = iter(items)
        done = []

        async def worker():
            for caller_id, key, host, port, path in items:
                page = page_class(self, caller_id, key, host, port, path)
                page.last_seq = (last_seq or {}).get(caller_id, 0)
                try:
                    await page.connect(timeout)
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
        for task in self._tasks:
            task.cancel()
        for page in self.pages:
            page.abort()
        if self.dashboard is not None:
            self.dashboard.abort()
        for _, page, _ in self.heartbeats:
            page.abort()
        self.heartbeats.clear()
        self.pages.clear()


class Http:
    """A keep-alive HTTP/1.1 connection: just what the staff's requests need."""

    IDLE_SECONDS = 3  # uvicorn closes a keep-alive connection idle for 5 s

    def __init__(self, host, port):
        self.host, self.port = host, port
        self.reader = self.writer = None
        self.used_at = 0.0

    async def request(self, method, path, headers=None, body=b""):
        """Returns (sent_at, answered_at, status, headers, body); sent_at is
        taken just before the request is written (after any new connection is
        made: a page keeps its connection warm, so the timing leaves that out)."""
        if self.writer is not None and (time.monotonic() - self.used_at > self.IDLE_SECONDS or self.reader.at_eof()):
            self.close()
        if self.writer is None:
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
        self.used_at = time.monotonic()
        if fields.get("connection", "").lower() == "close":
            self.writer.close()
            self.writer = None
        return sent_at, answered_at, status, answer, content

    def close(self):
        if self.writer is not None:
            self.writer.close()
            self.writer = None
