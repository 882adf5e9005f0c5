"""The server's own socket (waitroom/server/protocol.py), without a browser: a frame too
large for any page is not read whole, and one page's garbage leaves another
page's socket serving."""

import asyncio
import json

from django.contrib.sessions.backends.db import SessionStore
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosedError

from waiting.access import remember_visit
from realtime.limits import FRAME_MAX
from testkit.helpers import in_own_loop, make_caller


def caller_cookie(clinic, name):
    session = SessionStore()
    remember_visit(session, make_caller(clinic, name=name))
    session.save()
    return f"sessionid={session.session_key}"


async def open_page(url, slug, cookie):
    socket = await connect(
        f"{url.replace('http', 'ws', 1)}/ws/w/{slug}/",
        additional_headers={"Cookie": cookie, "Origin": url},
        max_size=None,
    )
    assert json.loads(await socket.recv())["type"] == "hello"
    return socket


def test_an_oversized_frame_closes_that_page_and_no_other(live, clinic):
    sue, tom = caller_cookie(clinic, "Sue"), caller_cookie(clinic, "Tom")

    @in_own_loop  # Playwright's loop may be running in this thread
    async def scenario():
        flooding = await open_page(live, clinic.slug, sue)
        quiet = await open_page(live, clinic.slug, tom)
        # Just over what the page allows: refused with an error, the socket stays.
        await flooding.send(json.dumps({"type": "send", "body": "x" * FRAME_MAX}))
        assert json.loads(await asyncio.wait_for(flooding.recv(), 5))["code"] == "too_large"
        # Past what any frame could be: not read whole, the socket closes (1009).
        await flooding.send(json.dumps({"type": "send", "body": "x" * (4 * FRAME_MAX)}))
        try:
            await asyncio.wait_for(flooding.recv(), 5)
            raise AssertionError("the socket stayed open")
        except ConnectionClosedError:
            assert flooding.close_code == 1009
        await quiet.send('{"type":"heartbeat"}')
        assert json.loads(await asyncio.wait_for(quiet.recv(), 5)) == {"type": "heartbeat"}
        await quiet.close()

    scenario()
