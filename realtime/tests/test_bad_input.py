"""Bad input gets a clear error, never a crash, never a partial write; a
flooding page is slowed or cut off while everybody else is served
(DESIGN invariant 5)."""

import asyncio
import json

import pytest
from channels.db import database_sync_to_async

from messaging.actions import do_notify
from realtime.limits import FRAME_MAX
from waiting.consumers import CallerConsumer
from testkit.sockets import FRAME, QUIET, enter, frames_until_close, stored

pytestmark = pytest.mark.django_db(transaction=True)


async def error_code(page):
    frame = await page.receive_json_from(timeout=FRAME)
    assert frame["type"] == "error", frame
    assert frame["message"], frame  # something a person can read
    return frame["code"]


async def still_served(page):
    await page.send_json_to({"type": "heartbeat"})
    assert await page.receive_json_from(timeout=FRAME) == {"type": "heartbeat"}


@pytest.mark.parametrize(
    "frame, code",
    [
        ("{not json", "bad_json"),
        ('["send", "hello"]', "bad_frame"),
        ('"send"', "bad_frame"),
        ("42", "bad_frame"),
        ("null", "bad_frame"),
        ('{"body": "no type"}', "bad_frame"),
        ('{"type": 7}', "bad_frame"),
        ('{"type": "dance"}', "unknown_type"),
        ('{"type": "SEND", "body": "shouting"}', "unknown_type"),
        # Nested deeper than the JSON parser recurses, yet well under the size limit.
        ("[" * 2000 + "]" * 2000, "bad_json"),
    ],
)
async def test_it_refuses_a_malformed_frame(sockets, messaging_clinic, frame, code):
    ada = await enter(messaging_clinic)
    page, _ = await sockets.caller(ada)
    await page.send_to(text_data=frame)
    assert await error_code(page) == code
    await still_served(page)
    assert await stored(ada.caller_id) == []


async def test_it_refuses_a_binary_frame(sockets, messaging_clinic):
    ada = await enter(messaging_clinic)
    page, _ = await sockets.caller(ada)
    await page.send_to(bytes_data=json.dumps({"type": "send", "body": "hi", "client_id": "c-1"}).encode())
    assert await error_code(page) == "binary"
    await still_served(page)
    assert await stored(ada.caller_id) == []


async def test_it_refuses_a_frame_over_the_size_limit(sockets, messaging_clinic):
    ada = await enter(messaging_clinic)
    page, _ = await sockets.caller(ada)
    frame = json.dumps({"type": "send", "body": "x" * FRAME_MAX, "client_id": "c-1"})
    assert len(frame) > FRAME_MAX
    await page.send_to(text_data=frame)
    assert await error_code(page) == "too_large"
    await still_served(page)
    assert await stored(ada.caller_id) == []


async def test_it_refuses_a_bad_frame_on_the_dashboard_too(sockets, clinic, team_member):
    dashboard, _ = await sockets.dashboard(team_member, clinic.slug)
    await dashboard.send_to(text_data='{"type": "send", "body": "staff do not send here"}')
    assert await error_code(dashboard) == "unknown_type"
    await dashboard.send_to(bytes_data=b"\x00\x01")
    assert await error_code(dashboard) == "binary"
    await still_served(dashboard)


@pytest.mark.parametrize(
    "body, code",
    [
        ("", "empty"),
        ("   \n\t ", "empty"),
        ("x" * 1001, "too_long"),
        (None, "invalid"),
        (42, "invalid"),
        (["a list"], "invalid"),
    ],
)
async def test_it_refuses_a_message_that_is_empty_too_long_or_not_text(sockets, messaging_clinic, body, code):
    ada = await enter(messaging_clinic)
    page, _ = await sockets.caller(ada)
    await page.send_json_to({"type": "send", "body": body, "client_id": "c-1"})
    frame = await page.receive_json_from(timeout=FRAME)
    assert (frame["type"], frame["code"], frame["client_id"]) == ("error", code, "c-1")
    assert await page.receive_nothing(timeout=QUIET)
    assert await stored(ada.caller_id) == []


@pytest.mark.parametrize("letter", ["x", "é", "🙂"])
async def test_it_takes_a_message_of_exactly_1000_characters(sockets, messaging_clinic, letter):
    ada = await enter(messaging_clinic)
    page, _ = await sockets.caller(ada)
    # As a browser's JSON.stringify writes it: UTF-8, not \u-escaped.
    frame = json.dumps({"type": "send", "body": letter * 1000, "client_id": "c-1"}, ensure_ascii=False)
    await page.send_to(text_data=frame)
    assert (await page.receive_json_from(timeout=FRAME))["type"] == "sent"
    assert await stored(ada.caller_id) == [(1, "caller", letter * 1000)]


async def test_it_refuses_an_overlong_client_id(sockets, messaging_clinic):
    ada = await enter(messaging_clinic)
    page, _ = await sockets.caller(ada)
    await page.send_json_to({"type": "send", "body": "hello", "client_id": "c" * 65})
    assert await error_code(page) == "invalid"
    assert await stored(ada.caller_id) == []


async def test_it_rate_limits_a_flooding_caller_while_another_is_served(sockets, messaging_clinic, team_member):
    ada = await enter(messaging_clinic, "Ada Lovelace")
    bob = await enter(messaging_clinic, "Bob Marley")
    ada_page, _ = await sockets.caller(ada)
    bob_page, _ = await sockets.caller(bob)

    # Ada's page sends ten messages at once; Bob writes in the middle of it.
    for n in range(10):
        await ada_page.send_json_to({"type": "send", "body": f"flood {n}", "client_id": f"a-{n}"})
        if n == 5:
            await bob_page.send_json_to({"type": "send", "body": "Just one question", "client_id": "b-1"})

    ada_frames = [await ada_page.receive_json_from(timeout=FRAME)]
    while not await ada_page.receive_nothing(timeout=QUIET):
        ada_frames.append(await ada_page.receive_json_from(timeout=FRAME))
    acks = [f for f in ada_frames if f["type"] == "sent"]
    limited = [f for f in ada_frames if f["type"] == "error"]

    assert [f["client_id"] for f in acks[:3]] == ["a-0", "a-1", "a-2"]  # a burst of three goes through
    assert limited and all(f["code"] == "rate_limited" for f in limited)
    assert len(acks) + len(limited) == 10
    # Exactly what was acknowledged is stored, and nothing of what was refused.
    assert [body for _, _, body in await stored(ada.caller_id)] == [
        f"flood {f['client_id'][2:]}" for f in acks
    ]
    assert [f["message"]["seq"] for f in ada_frames if f["type"] == "message"] == list(range(1, len(acks) + 1))

    # Bob is served as if nothing happened: his message, and the clinic's reply.
    assert await bob_page.receive_json_from(timeout=FRAME) == {"type": "sent", "client_id": "b-1", "seq": 1}
    assert (await bob_page.receive_json_from(timeout=FRAME))["message"]["body"] == "Just one question"
    await database_sync_to_async(do_notify)(messaging_clinic, actor=team_member, caller_ids=[bob.caller_id], body="Yes?")
    assert (await bob_page.receive_json_from(timeout=FRAME))["message"]["seq"] == 2
    assert await stored(bob.caller_id) == [(1, "caller", "Just one question"), (2, "clinic", "Yes?")]


async def test_it_lets_a_rate_limited_caller_write_again_after_a_moment(sockets, messaging_clinic):
    ada = await enter(messaging_clinic)
    page, _ = await sockets.caller(ada)
    for n in range(6):
        await page.send_json_to({"type": "send", "body": f"flood {n}", "client_id": f"a-{n}"})
    frames = [await page.receive_json_from(timeout=FRAME)]
    while not await page.receive_nothing(timeout=QUIET):
        frames.append(await page.receive_json_from(timeout=FRAME))
    sent = [f for f in frames if f["type"] == "sent"]
    assert any(f["type"] == "error" and f["code"] == "rate_limited" for f in frames)

    await asyncio.sleep(1.1)  # the limit is a message a second after the burst
    await page.send_json_to({"type": "send", "body": "patiently", "client_id": "a-later"})
    assert await page.receive_json_from(timeout=FRAME) == {"type": "sent", "client_id": "a-later", "seq": len(sent) + 1}


async def test_it_closes_a_socket_that_floods_frames(sockets, messaging_clinic):
    ada = await enter(messaging_clinic, "Ada Lovelace")
    bob = await enter(messaging_clinic, "Bob Marley")
    ada_page, _ = await sockets.caller(ada)
    bob_page, _ = await sockets.caller(bob)

    flood = 3 * CallerConsumer.frame_burst
    for _ in range(flood):
        await ada_page.send_json_to({"type": "heartbeat"})

    frames, code = await frames_until_close(ada_page)
    assert code == 4429
    assert CallerConsumer.frame_burst <= len(frames) < flood  # the burst is answered, the flood is not

    await still_served(bob_page)
    await bob_page.send_json_to({"type": "send", "body": "Still here", "client_id": "b-1"})
    assert (await bob_page.receive_json_from(timeout=FRAME))["type"] == "sent"
