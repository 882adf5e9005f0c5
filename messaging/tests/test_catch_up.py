"""A message whose announcement was lost, and after which nothing else
comes, still reaches the page: each process checks its pages against the
database (the watchdog's catch-up)."""

import pytest
from channels.db import database_sync_to_async

from messaging.actions import do_notify
from realtime import events
from testkit.sockets import QUIET, enter

pytestmark = pytest.mark.django_db(transaction=True)

notify = database_sync_to_async(do_notify)


async def test_a_lost_announcement_is_made_good_from_the_database(sockets, clinic, team_member, monkeypatch, settings):
    settings.WAITROOM_CATCH_UP_SECONDS = 1
    ada = await enter(clinic)
    page, _ = await sockets.caller(ada)

    with monkeypatch.context() as m:
        m.setattr(events, "publish_thread_messages", lambda caller_id, messages: None)
        await notify(clinic, actor=team_member, caller_ids=[ada.caller_id], body="Dr Lee is running late")
    assert await page.receive_nothing(timeout=QUIET)

    # Within two checks (a page merely waiting for a broadcast in flight is left alone once).
    frame = await page.receive_json_from(timeout=5)
    assert frame["type"] == "message"
    assert (frame["message"]["seq"], frame["message"]["body"]) == (1, "Dr Lee is running late")
    assert await page.receive_nothing(timeout=1.5)  # once


async def test_a_page_with_its_message_on_the_way_is_not_caught_up(sockets, clinic, team_member, settings):
    """Behind at one check but not at the next: no query, no second copy."""
    settings.WAITROOM_CATCH_UP_SECONDS = 1
    ada = await enter(clinic)
    page, _ = await sockets.caller(ada)
    await notify(clinic, actor=team_member, caller_ids=[ada.caller_id], body="one")
    frame = await page.receive_json_from(timeout=3)
    assert frame["message"]["seq"] == 1
    assert await page.receive_nothing(timeout=3)
