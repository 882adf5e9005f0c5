"""A caller's send allowance (3 at once, then one a second: each message
alerts the clinic) is their visit's: a page that reconnects — or reconnects
to another process — does not start afresh. Once 165 messages got through in
12 s by reconnecting."""

from types import SimpleNamespace

import pytest

from messaging.actions import do_send_caller_message
from realtime import limits
from testkit.sockets import FRAME, enter, stored
from waitroom.errors import ActionError

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def clock(monkeypatch):
    """The allowance's clock stands still unless the test moves it."""
    now = SimpleNamespace(value=1_000_000.0)
    monkeypatch.setattr(limits, "time", SimpleNamespace(time=lambda: now.value, monotonic=lambda: now.value))
    return now


async def send(page, body, client_id):
    """The page's answer to its send: `sent` or `error` (its own message, which
    follows a `sent`, is skipped)."""
    await page.send_json_to({"type": "send", "body": body, "client_id": client_id})
    while (frame := await page.receive_json_from(timeout=FRAME))["type"] == "message":
        pass
    return frame


async def test_a_reconnect_does_not_refill_the_allowance(sockets, messaging_clinic, clock):
    ada = await enter(messaging_clinic)
    page, _ = await sockets.caller(ada)
    for n in range(3):
        assert (await send(page, f"question {n}", f"a-{n}"))["type"] == "sent"
    await page.disconnect()

    again, _ = await sockets.caller(ada)
    refused = await send(again, "and another", "a-3")

    assert (refused["type"], refused["code"], refused["client_id"]) == ("error", "rate_limited", "a-3")
    assert len(await stored(ada.caller_id)) == 3


async def test_the_allowance_comes_back_with_time(sockets, messaging_clinic, clock):
    ada = await enter(messaging_clinic)
    page, _ = await sockets.caller(ada)
    for n in range(4):
        await send(page, f"question {n}", f"a-{n}")

    clock.value += 1

    assert await send(page, "patiently", "a-later") == {"type": "sent", "client_id": "a-later", "seq": 4}


async def test_one_callers_flood_leaves_another_callers_allowance(sockets, messaging_clinic, clock):
    ada = await enter(messaging_clinic, "Ada Lovelace")
    bob = await enter(messaging_clinic, "Bob Marley")
    ada_page, _ = await sockets.caller(ada)
    bob_page, _ = await sockets.caller(bob)
    for n in range(6):
        await send(ada_page, f"flood {n}", f"a-{n}")

    assert (await send(bob_page, "Just one question", "b-1"))["type"] == "sent"


async def test_a_retried_send_is_answered_even_when_the_allowance_is_spent(sockets, messaging_clinic, clock):
    ada = await enter(messaging_clinic)
    page, _ = await sockets.caller(ada)
    for n in range(3):
        await send(page, f"question {n}", f"a-{n}")

    # The answer to the last one was lost; the page sends it again.
    assert await send(page, "question 2", "a-2") == {"type": "sent", "client_id": "a-2", "seq": 3}


def test_the_action_holds_the_allowance_whoever_calls_it(messaging_clinic, clock):
    """The rule is the action's, not the socket's: any page, any process."""
    from testkit.helpers import make_caller

    sue = make_caller(messaging_clinic)
    for n in range(3):
        do_send_caller_message(sue.pk, body=f"question {n}", client_id=f"s-{n}")

    with pytest.raises(ActionError) as refused:
        do_send_caller_message(sue.pk, body="one more", client_id="s-3")

    assert (refused.value.code, refused.value.status) == ("rate_limited", 429)


def test_processes_that_share_redis_share_the_allowance(messaging_clinic, clock, settings):
    """Two processes are two caches in memory, one in Redis: with REDIS_URL
    the allowance lives in Redis (settings.CACHES), so it holds across them."""
    import redis
    from django.core.cache import caches

    url = "redis://127.0.0.1:6379/15"  # the machine's Redis, as scaleout/ needs one too (.ci/run starts it)
    redis.Redis.from_url(url).ping()  # no skip: a missing Redis fails here, plainly
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}
    from testkit.helpers import make_caller

    sue = make_caller(messaging_clinic)
    try:
        for n in range(3):
            do_send_caller_message(sue.pk, body=f"question {n}", client_id=f"s-{n}")
        caches["default"].close()
        del caches["default"]  # another process: a new connection to the same Redis
        with pytest.raises(ActionError):
            do_send_caller_message(sue.pk, body="one more", client_id="s-3")
    finally:
        caches["default"].clear()
