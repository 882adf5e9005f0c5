"""Caller pages, dashboards and staff in Python, speaking docs/realtime.md's
protocol to real server processes — as the browser pages do: reconnect with
jittered exponential backoff (to the next server when one is gone), resume
with ?after=<last seq>, heartbeat."""

import asyncio
import concurrent.futures
import json
import random
import secrets
import urllib.request

import websockets
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test import Client

from waiting.access import VISITS_KEY


def caller_cookie(caller):
    """The session a browser gets at the entry form, made directly."""
    session = SessionStore()
    session[VISITS_KEY] = {str(caller.clinic_id): caller.pk}
    session.create()
    return session.session_key


def staff_cookie(user):
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


class Page:
    """One open page: a caller's (`/ws/w/<slug>/`) or a dashboard (`/ws/clinics/<slug>/`)."""

    def __init__(self, servers, path, cookie, *, resume=True):
        self.servers = list(servers)  # base URLs; the page prefers the first that answers
        self.path = path
        self.cookie = cookie
        self.resume = resume
        self.messages = []  # every message frame, as received
        self.frames = []
        self.last_seq = 0
        self.connects = 0
        self.hellos = asyncio.Queue()
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

    async def _run(self):
        attempt = 0
        server = 0
        while not self.stopped:
            base = self.servers[server % len(self.servers)]
            url = base.replace("http", "ws", 1) + self.path + (f"?after={self.last_seq}" if self.resume else "")
            try:
                async with websockets.connect(
                    url, origin=base, additional_headers={"Cookie": f"sessionid={self.cookie}"}, open_timeout=5
                ) as ws:
                    attempt = 0
                    self.connects += 1
                    beat = asyncio.get_running_loop().create_task(self._heartbeat(ws))
                    try:
                        async for raw in ws:
                            self._on_frame(json.loads(raw))
                    finally:
                        beat.cancel()
            except (OSError, websockets.WebSocketException, asyncio.TimeoutError):
                pass
            if self.stopped:
                return
            server += 1  # this one is gone or refusing: try the next
            ceiling = min(2.0, 0.1 * 2**attempt)
            attempt += 1
            await asyncio.sleep(random.uniform(0, ceiling))

    async def _heartbeat(self, ws):
        while True:
            await asyncio.sleep(1)
            await ws.send('{"type":"heartbeat"}')

    def _on_frame(self, frame):
        self.frames.append(frame)
        if frame["type"] == "hello":
            for m in frame["messages"]:
                self._on_message(m)
            self.hellos.put_nowait(frame)
        elif frame["type"] == "snapshot":
            self.hellos.put_nowait(frame)
        elif frame["type"] == "message":
            self._on_message(frame["message"])

    def _on_message(self, message):
        self.messages.append(message)
        self.last_seq = max(self.last_seq, message["seq"])

    async def connected(self, timeout=15):
        return await asyncio.wait_for(self.hellos.get(), timeout)


def run(scenario):
    """Run an async scenario to its end, in a thread of its own: the browser
    tests' Playwright keeps an event loop in the main thread."""

    def main():
        try:
            return asyncio.run(scenario())
        finally:
            connection.close()

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(main).result()


async def in_thread(function, *args, **kwargs):
    """Run an action off the event loop, closing the thread's database connection after."""

    def run():
        try:
            return function(*args, **kwargs)
        finally:
            connection.close()

    return await asyncio.to_thread(run)


async def until(condition, timeout=30, what="condition"):
    """Wait for a condition on the pages (polling: the pages are the test's own)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


class Staff:
    """A signed-in team member's browser, posting to one server."""

    def __init__(self, user):
        self.cookie = staff_cookie(user)
        self.csrf = secrets.token_hex(16)

    async def notify(self, server, slug, caller_ids, body, client_id=""):
        def post():
            request = urllib.request.Request(
                f"{server}/clinics/{slug}/notify/",
                data=json.dumps({"caller_ids": caller_ids, "body": body, "client_id": client_id}).encode(),
                headers={
                    "Content-Type": "application/json",
                    "Cookie": f"sessionid={self.cookie}; csrftoken={self.csrf}",
                    "X-CSRFToken": self.csrf,
                },
                method="POST",
            )
            with urllib.request.urlopen(request, timeout=10) as response:
                return json.loads(response.read())

        return await asyncio.to_thread(post)
