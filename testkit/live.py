"""Pages and staff in Python against real server processes, as the browser's
do: a caller page or dashboard over `websockets` that reconnects with jittered
exponential backoff (to the next server when one is gone), resumes with
?after=<last seq> and sends its heartbeat; a team member posting over HTTP.
Used by scaleout/; the protocol itself is testkit.protocol's."""

import asyncio
import json
import secrets
import urllib.request

import websockets

from . import protocol


class Page:
    """One open page, from its socket path (protocol.caller_path, dashboard_path ...).

    A caller's page resumes with ?after=<last seq> on each reconnect (`resume`);
    every page stops for good on the server's stop codes. The backoff is
    socket.js's shape on a shorter scale (0.1 s doubling to 2 s): a test waits
    for its pages to come back."""

    def __init__(self, servers, path, cookie, *, resume=True, backoff=(0.1, 2.0), ssl=None):
        self.servers = list(servers)  # base URLs; the page prefers the first that answers
        self.ssl = ssl  # for https:// servers: an ssl.SSLContext that trusts their certificate
        self.path = path
        self.cookie = cookie
        self.kind = protocol.page_kind(path)
        self.resume = resume and self.kind == "caller"
        self.backoff = backoff
        self.messages = []  # every message frame, as received
        self.frames = []
        self.last_seq = 0
        self.connects = 0
        self.close_codes = []
        self.hellos = asyncio.Queue()  # each connection's first frame (hello or snapshot)
        self.stopped = False
        self.task = None

    def start(self):
        self.task = asyncio.get_running_loop().create_task(self._run())
        return self

    async def stop(self):
        self.stopped = True
        if self.task:
            self.task.cancel()
            try:
                await self.task
            except (asyncio.CancelledError, Exception):
                pass

    def url(self, base):
        query = protocol.after_query(self.last_seq) if self.resume else ""
        return base.replace("http", "ws", 1) + self.path + query

    async def _run(self):
        attempt = 0
        server = 0
        while not self.stopped:
            base = self.servers[server % len(self.servers)]
            try:
                async with websockets.connect(
                    self.url(base), origin=protocol.origin_of(base),
                    additional_headers={"Cookie": protocol.cookie_header(self.cookie)}, open_timeout=5,
                    **({"ssl": self.ssl} if self.ssl else {}),
                ) as ws:
                    attempt = 0
                    self.connects += 1
                    beat = None
                    try:
                        async for raw in ws:
                            frame = json.loads(raw)
                            if beat is None:
                                protocol.expect_first(frame, self.kind)
                                beat = asyncio.get_running_loop().create_task(
                                    self._heartbeat(ws, protocol.heartbeat_seconds(frame)))
                            self._on_frame(frame)
                    except websockets.ConnectionClosedError:
                        pass  # a close with a code of the application's (4401 ...) is this, too
                    finally:
                        if beat:
                            beat.cancel()
                    self.close_codes.append(ws.close_code)
                    if ws.close_code in protocol.STOP_CODES:
                        return
            except (OSError, websockets.WebSocketException, asyncio.TimeoutError):
                pass
            if self.stopped:
                return
            server += 1  # this one is gone or refusing: try the next
            first, most = self.backoff
            await asyncio.sleep(protocol.backoff(attempt, first, most))
            attempt += 1

    async def _heartbeat(self, ws, seconds):
        while True:
            await asyncio.sleep(seconds)
            await ws.send(protocol.heartbeat())

    def _on_frame(self, frame):
        self.frames.append(frame)
        kind = frame["type"]
        if kind == "hello":
            for m in protocol.missed(frame, self.last_seq):
                self._on_message(m)
            self.hellos.put_nowait(frame)
        elif kind == "snapshot":
            self.hellos.put_nowait(frame)
        elif kind == "message":
            self._on_message(frame["message"])

    def _on_message(self, message):
        self.messages.append(message)
        self.last_seq = max(self.last_seq, message["seq"])

    async def connected(self, timeout=15):
        """The next connection's first frame (hello or snapshot)."""
        return await asyncio.wait_for(self.hellos.get(), timeout)


class Staff:
    """A signed-in team member's browser, posting to a server. It sends the
    Origin of the page it posts from, as browsers do (over HTTPS, Django's
    CSRF check refuses a POST that names neither Origin nor Referer)."""

    def __init__(self, session_key, *, ssl=None):
        self.cookie = session_key
        self.csrf = secrets.token_hex(16)
        self.ssl = ssl  # as Page's

    async def notify(self, server, slug, caller_ids, body, client_id=""):
        def post():
            request = urllib.request.Request(
                server + protocol.notify_path(slug),
                data=protocol.notify_body(caller_ids, body, client_id),
                headers=protocol.staff_headers(self.cookie, self.csrf, origin=protocol.origin_of(server)),
                method="POST",
            )
            with urllib.request.urlopen(request, timeout=10, context=self.ssl) as response:
                return json.loads(response.read())

        return await asyncio.to_thread(post)

    async def sign_out(self, server):
        """The Sign out button (a POST to /logout/), on one server."""

        def post():
            request = urllib.request.Request(
                server + protocol.LOGOUT_PATH, data=b"",
                headers=protocol.staff_headers(self.cookie, self.csrf, origin=protocol.origin_of(server)), method="POST",
            )
            with urllib.request.urlopen(request, timeout=10, context=self.ssl) as response:  # follows the 302 to the sign-in
                assert response.url.endswith("/login/"), response.url

        await asyncio.to_thread(post)
