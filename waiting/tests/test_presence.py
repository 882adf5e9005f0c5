"""A caller whose page goes away shows as Offline on the dashboard, and comes
back to where they were when the page returns (issue 2, rule 2)."""

import asyncio

import pytest
from channels.db import database_sync_to_async

from realtime.consumers import CLOSE_REPLACED, CLOSE_SILENT
from messaging.actions import do_notify
from testkit import protocol
from testkit.sockets import FRAME, QUIET, caller, callers_frame, closed_with, enter, leave
from realtime.watchdog import CHECK_SECONDS
from waiting.actions import do_hold_caller, do_see_caller

pytestmark = pytest.mark.django_db(transaction=True)


async def card_of(dashboard):
    (card,) = (await callers_frame(dashboard))["cards"]
    return card


async def heartbeats(page):
    """What static/waitroom/socket.js does for every page: a heartbeat a
    third of a (shortened) timeout apart."""
    while True:
        await page.send_json_to({"type": "heartbeat"})
        await asyncio.sleep(0.3)


async def next_frame(page):
    """The next frame that is not an answer to a heartbeat."""
    while (frame := await page.receive_json_from(timeout=FRAME)) == {"type": "heartbeat"}:
        pass
    return frame


async def only_heartbeats(page, seconds=QUIET):
    """Nothing but answers to heartbeats for a while (without a receive that
    times out: the test communicator ends the page then)."""
    await asyncio.sleep(seconds)
    while not page.output_queue.empty():
        assert await page.receive_json_from() == {"type": "heartbeat"}
    return True


async def test_it_shows_a_caller_offline_when_their_page_goes(sockets, clinic, team_member):
    ada = await enter(clinic)
    page, _ = await sockets.caller(ada)
    dashboard, snapshot = await sockets.dashboard(team_member, clinic.slug)
    assert [c["status"] for c in snapshot["cards"]] == ["waiting"]

    await page.disconnect()

    card = await card_of(dashboard)
    assert card["id"] == ada.caller_id
    assert card["status"] == "offline"
    assert card["current_status"] == "waiting"
    assert card["present"] is True  # keeps their place for the grace period
    assert card["version"] > snapshot["cards"][0]["version"]
    assert (await caller(ada.caller_id)).status == "offline"


async def test_it_restores_the_status_when_the_page_comes_back(sockets, clinic, team_member):
    ada = await enter(clinic)
    page, _ = await sockets.caller(ada)
    await database_sync_to_async(do_see_caller)(ada.caller_id, actor=team_member)
    await database_sync_to_async(do_hold_caller)(ada.caller_id, actor=team_member)
    dashboard, snapshot = await sockets.dashboard(team_member, clinic.slug)
    assert [c["status"] for c in snapshot["cards"]] == ["on_hold"]

    await page.disconnect()
    offline = await card_of(dashboard)
    assert (offline["status"], offline["current_status"]) == ("offline", "on_hold")

    page, hello = await sockets.caller(ada)
    assert hello["visit"]["status"] == "on_hold"
    back = await card_of(dashboard)
    assert (back["status"], back["current_status"]) == ("on_hold", "on_hold")
    assert back["version"] > offline["version"]
    assert back["arrived_at"] == snapshot["cards"][0]["arrived_at"]  # their place in the list
    assert (await caller(ada.caller_id)).status == "on_hold"


async def test_it_keeps_the_thread_across_a_reconnect(sockets, clinic, team_member):
    notify = database_sync_to_async(do_notify)
    ada = await enter(clinic)
    page, _ = await sockets.caller(ada)
    await notify(clinic, actor=team_member, caller_ids=[ada.caller_id], body="one")
    assert (await page.receive_json_from(timeout=FRAME))["message"]["seq"] == 1
    await page.disconnect()

    # Missed while offline:
    await notify(clinic, actor=team_member, caller_ids=[ada.caller_id], body="two")
    await notify(clinic, actor=team_member, caller_ids=[ada.caller_id], body="three")

    page, hello = await sockets.caller(ada, after=1)
    assert [(m["seq"], m["body"]) for m in hello["messages"]] == [(2, "two"), (3, "three")]
    assert await page.receive_nothing(timeout=QUIET)


async def test_it_lets_a_second_page_take_over_the_visit(sockets, clinic, team_member):
    ada = await enter(clinic)
    first, _ = await sockets.caller(ada)
    dashboard, _ = await sockets.dashboard(team_member, clinic.slug)

    second, hello = await sockets.caller(ada)  # a refresh, or a second tab
    assert hello["visit"]["present"] is True

    assert await first.receive_json_from(timeout=FRAME) == {"type": "replaced"}
    assert await closed_with(first) == CLOSE_REPLACED
    await first.disconnect()

    # The old page's goodbye does not make the caller Offline ...
    assert await dashboard.receive_nothing(timeout=QUIET)
    assert (await caller(ada.caller_id)).status == "waiting"
    # ... and the new page is the one that counts.
    await second.send_json_to({"type": "heartbeat"})
    assert await second.receive_json_from(timeout=FRAME) == {"type": "heartbeat"}
    await second.disconnect()
    assert (await card_of(dashboard))["status"] == "offline"


async def test_it_sends_messages_to_the_page_that_took_over(sockets, clinic, team_member):
    ada = await enter(clinic)
    first, _ = await sockets.caller(ada)
    second, _ = await sockets.caller(ada)
    assert await first.receive_json_from(timeout=FRAME) == {"type": "replaced"}
    assert await closed_with(first) == CLOSE_REPLACED
    await first.disconnect()

    await database_sync_to_async(do_notify)(clinic, actor=team_member, caller_ids=[ada.caller_id], body="Hello")
    assert (await second.receive_json_from(timeout=FRAME))["message"]["body"] == "Hello"


async def test_it_closes_a_silent_page_and_shows_the_caller_offline(sockets, clinic, team_member, settings):
    settings.WAITROOM_HEARTBEAT_TIMEOUT = 1
    ada = await enter(clinic)
    page, _ = await sockets.caller(ada)
    dashboard, _ = await sockets.dashboard(team_member, clinic.slug)
    beating = asyncio.ensure_future(heartbeats(dashboard))

    # The page sends nothing: a tab on a network that died without a goodbye.
    within = settings.WAITROOM_HEARTBEAT_TIMEOUT + 2 * CHECK_SECONDS + FRAME
    assert await closed_with(page, timeout=within) == CLOSE_SILENT
    card = (await next_frame(dashboard))["cards"][0]
    assert (card["id"], card["status"]) == (ada.caller_id, "offline")

    # When the network returns, the page reconnects and the caller is back.
    await page.disconnect()
    assert await only_heartbeats(dashboard)
    page, hello = await sockets.caller(ada)
    assert hello["visit"]["status"] == "waiting"
    assert (await next_frame(dashboard))["cards"][0]["status"] == "waiting"
    beating.cancel()


async def test_it_closes_a_silent_dashboard(sockets, clinic, team_member, settings):
    settings.WAITROOM_HEARTBEAT_TIMEOUT = 1
    dashboard, _ = await sockets.dashboard(team_member, clinic.slug)
    within = settings.WAITROOM_HEARTBEAT_TIMEOUT + 2 * CHECK_SECONDS + FRAME
    assert await closed_with(dashboard, timeout=within) == CLOSE_SILENT


async def test_it_keeps_a_page_that_sends_heartbeats(sockets, clinic, team_member, settings):
    settings.WAITROOM_HEARTBEAT_TIMEOUT = 1
    ada = await enter(clinic)
    page, _ = await sockets.caller(ada)
    dashboard, _ = await sockets.dashboard(team_member, clinic.slug)

    # Heartbeats (from both) for three timeouts' worth of the watchdog's checks.
    for _ in range(10):
        for socket in (page, dashboard):
            await socket.send_json_to({"type": "heartbeat"})
            assert await socket.receive_json_from(timeout=FRAME) == {"type": "heartbeat"}
        await asyncio.sleep(0.3)

    assert await dashboard.receive_nothing(timeout=QUIET)
    assert (await caller(ada.caller_id)).status == "waiting"


async def test_it_does_not_take_a_page_of_a_visit_that_has_ended(sockets, clinic, team_member):
    ada = await enter(clinic)
    page, _ = await sockets.caller(ada)
    await leave(ada)

    frame = await page.receive_json_from(timeout=FRAME)
    assert frame["type"] == "visit"
    assert frame["visit"]["present"] is False
    assert frame["visit"]["leave_reason"] == "left"
    assert await closed_with(page) == 4404

    # A page opened afterwards with the same cookie is told the visit is over.
    again = sockets.socket(protocol.caller_path(clinic.slug), ada.cookie)
    assert (await again.connect(timeout=FRAME))[0]
    frame = await again.receive_json_from(timeout=FRAME)
    assert frame["type"] == "visit" and frame["visit"]["present"] is False
    assert await closed_with(again) == 4404
