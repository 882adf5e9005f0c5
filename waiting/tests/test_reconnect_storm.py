"""Pages that come back together (a restart, a network blip) are opened
together (waiting/openings.py): every one is back Online, with its thread and
its visit, none lost; and a process that cannot open more pages soon says
"try again in N s" instead of letting them wait until they time out."""

import asyncio
import threading

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from messaging.actions import do_notify
from realtime import presence
from realtime.consumers import CLOSE_REPLACED, CLOSE_TRY_LATER
from testkit import protocol
from testkit.sockets import FRAME, QUIET, caller, callers_frame, closed_with, enter
from waiting import openings as openings_module
from waiting.models import Caller

pytestmark = pytest.mark.django_db(transaction=True)


def open_together(sockets, visits, after=None):
    """Every page starts connecting before any is answered."""
    pages = [sockets.socket(protocol.caller_path(v.slug, after=after), v.cookie) for v in visits]

    async def one(page):
        connected, code = await page.connect(timeout=FRAME * 4)
        assert connected, code
        return await page.receive_json_from(timeout=FRAME * 4)

    return pages, asyncio.gather(*(one(p) for p in pages))


async def test_pages_that_come_back_together_are_all_online_with_their_threads(sockets, clinic, team_member):
    visits = [await enter(clinic, f"Caller {i}") for i in range(12)]
    # Half of them dropped and show Offline; every one has a message it has not seen yet.
    await database_sync_to_async(Caller.objects.filter(pk__in=[v.caller_id for v in visits[::2]]).update)(
        status="offline", status_before_offline="waiting", page_channel="", offline_since=timezone.now())
    await database_sync_to_async(do_notify)(
        clinic, actor=team_member, caller_ids=[v.caller_id for v in visits], body="The clinic runs late")
    dashboard, snapshot = await sockets.dashboard(team_member, clinic.slug)
    assert sorted(c["status"] for c in snapshot["cards"]) == ["offline"] * 6 + ["waiting"] * 6

    pages, hellos = open_together(sockets, visits)
    hellos = await hellos

    assert [(h["type"], h["visit"]["present"], h["visit"]["status"]) for h in hellos] == [("hello", True, "waiting")] * 12
    assert [[m["body"] for m in h["messages"]] for h in hellos] == [["The clinic runs late"]] * 12
    # The dashboard hears each one that was Offline come back: none is left Offline.
    back = {}
    while len(back) < 6:
        for card in (await callers_frame(dashboard))["cards"]:
            back[card["id"]] = card["status"]
    assert back == {v.caller_id: "waiting" for v in visits[::2]}
    stored = await database_sync_to_async(list)(
        Caller.objects.filter(pk__in=[v.caller_id for v in visits]).values_list("status", "page_channel", "page_server"))
    assert all(status == "waiting" and channel and server == presence.SERVER_ID for status, channel, server in stored)
    assert len({channel for _, channel, _ in stored}) == 12  # each its own page

    # Each page is the one that counts: a message reaches it, once.
    await database_sync_to_async(do_notify)(clinic, actor=team_member, caller_ids=[visits[3].caller_id], body="Next")
    message = (await pages[3].receive_json_from(timeout=FRAME))["message"]
    assert (message["seq"], message["body"]) == (2, "Next")
    for i, page in enumerate(pages):
        if i != 3:
            assert await page.receive_nothing(timeout=0.05)


async def test_a_page_told_what_it_has_gets_no_messages_again(sockets, clinic, team_member):
    visits = [await enter(clinic, f"Caller {i}") for i in range(3)]
    await database_sync_to_async(do_notify)(
        clinic, actor=team_member, caller_ids=[v.caller_id for v in visits], body="Once")
    _, hellos = open_together(sockets, visits, after=1)
    assert [h["messages"] for h in await hellos] == [[], [], []]


async def test_two_tabs_of_one_visit_opened_together_leave_one_page_holding_it(sockets, clinic):
    ada = await enter(clinic)
    pages, hellos = open_together(sockets, [ada, ada])
    await hellos
    # The later one holds the visit; the earlier one is told it was replaced.
    codes = []
    for page in pages:
        if await page.receive_nothing(timeout=QUIET):
            codes.append(None)
            continue
        frame = await page.receive_output(timeout=FRAME)
        if frame["type"] == "websocket.send":
            assert frame["text"] == '{"type":"replaced"}'
            codes.append(await closed_with(page))
        else:
            codes.append(None)
    assert codes.count(CLOSE_REPLACED) == 1
    assert (await caller(ada.caller_id)).page_channel


def slow_database(monkeypatch):
    """The first page's batch takes a while: (held, go) events."""
    held, go = threading.Event(), threading.Event()
    visits_of = openings_module._visits

    def slow_visits(consumers):
        held.set()
        go.wait(10)
        return visits_of(consumers)

    monkeypatch.setattr(openings_module, "_visits", slow_visits)
    return held, go


async def waiting_behind_a_slow_batch(sockets, clinic, monkeypatch):
    """Ada's page in a batch that takes a while, Bea's and Cy's connected
    meanwhile and waiting behind it: (Ada's page, [Bea's, Cy's], go, visits)."""
    visits = [await enter(clinic, name) for name in ("Ada", "Bea", "Cy")]
    held, go = slow_database(monkeypatch)
    first = sockets.socket(protocol.caller_path(clinic.slug), visits[0].cookie)
    assert (await first.connect(timeout=FRAME))[0]
    await asyncio.get_running_loop().run_in_executor(None, held.wait, 5)
    others = [sockets.socket(protocol.caller_path(clinic.slug), visit.cookie) for visit in visits[1:]]
    for page in others:
        assert (await page.connect(timeout=FRAME))[0]
    return first, others, go, visits


async def test_a_busy_process_tells_pages_to_try_again_later(sockets, clinic, monkeypatch):
    # It has timed its pace (a page a second) and a page may wait 1.5 s: of
    # the two pages waiting behind the first, Bea's makes it, Cy's not.
    monkeypatch.setattr(openings_module.openings, "rate", 1.0)
    monkeypatch.setattr(openings_module, "SHED_AFTER_SECONDS", 1.5)
    first, (second, third), go, (_, _, cy) = await waiting_behind_a_slow_batch(sockets, clinic, monkeypatch)
    go.set()

    # Cy's is told to come back once the one ahead of it is open, and nothing about the visit changed.
    refused = await third.receive_output(timeout=FRAME)
    assert refused == {"type": "websocket.close", "code": CLOSE_TRY_LATER, "reason": "try again in 1 s"}
    assert (await first.receive_json_from(timeout=FRAME))["type"] == "hello"
    assert (await second.receive_json_from(timeout=FRAME))["type"] == "hello"
    assert (await caller(cy.caller_id)).page_channel == ""

    # Coming back when told, it is let in.
    again = sockets.socket(protocol.caller_path(clinic.slug), cy.cookie)
    assert (await again.connect(timeout=FRAME))[0]
    assert (await again.receive_json_from(timeout=FRAME))["visit"]["present"] is True


async def test_a_slow_pace_measured_in_the_storm_sends_away_nobody_who_is_then_opened_in_time(sockets, clinic, monkeypatch):
    """While thousands of handshakes arrive, the pace measured is a fraction
    of what it is seconds later (after a restart under 10,000 pages: 129 a
    second, then 2,000). Pages are not sent away on it as they arrive: their
    fate is decided near their limit, at the pace measured then."""
    monkeypatch.setattr(openings_module.openings, "rate", 0.1)  # the storm's pace: ten seconds a page
    monkeypatch.setattr(openings_module, "SHED_AFTER_SECONDS", 2.0)
    monkeypatch.setattr(openings_module, "DECIDE_BEFORE_SECONDS", 1.0)
    first, others, go, _ = await waiting_behind_a_slow_batch(sockets, clinic, monkeypatch)
    assert all([await page.receive_nothing(timeout=QUIET) for page in others])  # waiting, not sent away
    openings_module.openings.rate = 1000.0  # the storm is over: the process opens pages fast
    go.set()
    for page in (first, *others):
        assert (await page.receive_json_from(timeout=FRAME))["visit"]["present"] is True


async def test_a_process_that_has_not_timed_its_pace_sends_nobody_away(sockets, clinic, monkeypatch):
    """Just started, with every page of it coming back at once: a guess at
    its pace would send thousands away for nothing. They wait their turn."""
    monkeypatch.setattr(openings_module, "SHED_AFTER_SECONDS", 0.001)
    first, others, go, _ = await waiting_behind_a_slow_batch(sockets, clinic, monkeypatch)
    assert all([await page.receive_nothing(timeout=QUIET) for page in others])  # waiting, not closed
    go.set()
    for page in (first, *others):
        assert (await page.receive_json_from(timeout=FRAME))["visit"]["present"] is True


async def test_pages_opened_together_each_get_what_follows_their_own_number(sockets, clinic, team_member, monkeypatch):
    """After a process died, its pages come back together, each naming the
    last message it has: each hello brings exactly what follows that
    number in its own thread (read for all of them together)."""
    dee, ada, bea, cy = [await enter(clinic, name) for name in ("Dee", "Ada", "Bea", "Cy")]
    everyone = [v.caller_id for v in (dee, ada, bea, cy)]
    for body in ("One", "Two", "Three"):
        await database_sync_to_async(do_notify)(clinic, actor=team_member, caller_ids=everyone, body=body)
    await database_sync_to_async(do_notify)(clinic, actor=team_member, caller_ids=[cy.caller_id], body="Only Cy")
    held, go = slow_database(monkeypatch)

    first = sockets.socket(protocol.caller_path(clinic.slug, after=3), dee.cookie)
    assert (await first.connect(timeout=FRAME))[0]
    await asyncio.get_running_loop().run_in_executor(None, held.wait, 5)
    # These wait for the first one's batch, and are opened together after it.
    pages = [sockets.socket(protocol.caller_path(clinic.slug, after=after), v.cookie)
             for v, after in ((ada, 0), (bea, 1), (cy, 2))]
    for page in pages:
        assert (await page.connect(timeout=FRAME))[0]
    go.set()
    assert (await first.receive_json_from(timeout=FRAME))["messages"] == []
    hellos = [await page.receive_json_from(timeout=FRAME) for page in pages]
    assert [[(m["seq"], m["body"]) for m in h["messages"]] for h in hellos] == [
        [(1, "One"), (2, "Two"), (3, "Three")],
        [(2, "Two"), (3, "Three")],
        [(3, "Three"), (4, "Only Cy")],
    ]


async def test_two_tabs_of_one_visit_naming_different_numbers_each_get_what_follows_their_own(
    sockets, clinic, team_member, monkeypatch
):
    dee, ada = [await enter(clinic, name) for name in ("Dee", "Ada")]
    for body in ("One", "Two"):
        await database_sync_to_async(do_notify)(clinic, actor=team_member, caller_ids=[ada.caller_id], body=body)
    held, go = slow_database(monkeypatch)
    first = sockets.socket(protocol.caller_path(clinic.slug), dee.cookie)
    assert (await first.connect(timeout=FRAME))[0]
    await asyncio.get_running_loop().run_in_executor(None, held.wait, 5)
    tabs = [sockets.socket(protocol.caller_path(clinic.slug, after=after), ada.cookie) for after in (0, 1)]
    for tab in tabs:
        assert (await tab.connect(timeout=FRAME))[0]
    go.set()
    await first.receive_json_from(timeout=FRAME)
    older, newer = [await tab.receive_json_from(timeout=FRAME) for tab in tabs]
    assert [m["body"] for m in older["messages"]] == ["One", "Two"]
    assert [m["body"] for m in newer["messages"]] == ["Two"]
