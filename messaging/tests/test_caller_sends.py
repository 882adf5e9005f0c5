"""A caller writes to the clinic over their page's socket (PRODUCT 3.5)."""

import pytest
from channels.db import database_sync_to_async

from clinics.actions import do_change_configuration
from messaging.actions import do_notify
from testkit.sockets import FRAME, QUIET, callers_frame, enter, stored
from waiting.actions import do_see_caller

pytestmark = pytest.mark.django_db(transaction=True)


async def configure(clinic, actor, **changes):
    await database_sync_to_async(do_change_configuration)(clinic.pk, actor=actor, **changes)


async def test_it_works(sockets, messaging_clinic):
    ada = await enter(messaging_clinic)
    page, _ = await sockets.caller(ada)

    await page.send_json_to({"type": "send", "body": "  Is the doctor in today?  ", "client_id": "c-1"})

    assert await page.receive_json_from(timeout=FRAME) == {"type": "sent", "client_id": "c-1", "seq": 1}
    frame = await page.receive_json_from(timeout=FRAME)
    assert frame["type"] == "message"
    assert frame["message"]["seq"] == 1
    assert frame["message"]["sender"] == "caller"
    assert frame["message"]["body"] == "Is the doctor in today?"
    # The page's own message is not shown a second time when its announcement arrives.
    assert await page.receive_nothing(timeout=QUIET)
    assert await stored(ada.caller_id) == [(1, "caller", "Is the doctor in today?")]


async def test_it_shows_the_message_on_the_dashboard_as_awaiting_reply(sockets, messaging_clinic, team_member):
    ada = await enter(messaging_clinic, "Ada Lovelace")
    page, _ = await sockets.caller(ada)
    dashboard, _ = await sockets.dashboard(team_member, messaging_clinic.slug)

    await page.send_json_to({"type": "send", "body": "Hello?", "client_id": "c-1"})

    (card,) = (await callers_frame(dashboard))["cards"]
    assert card["id"] == ada.caller_id
    assert card["message_count"] == 1
    assert card["last_message_from"] == "caller"


async def test_it_numbers_messages_after_the_clinics(sockets, messaging_clinic, team_member):
    ada = await enter(messaging_clinic)
    await database_sync_to_async(do_notify)(messaging_clinic, actor=team_member, caller_ids=[ada.caller_id], body="Hi")
    page, hello = await sockets.caller(ada)
    assert [m["seq"] for m in hello["messages"]] == [1]

    await page.send_json_to({"type": "send", "body": "Hi back", "client_id": "c-1"})
    assert (await page.receive_json_from(timeout=FRAME))["seq"] == 2
    assert (await page.receive_json_from(timeout=FRAME))["message"]["seq"] == 2


async def test_it_stores_a_retried_send_once(sockets, messaging_clinic):
    ada = await enter(messaging_clinic)
    page, _ = await sockets.caller(ada)

    await page.send_json_to({"type": "send", "body": "Am I next?", "client_id": "retry-me"})
    assert await page.receive_json_from(timeout=FRAME) == {"type": "sent", "client_id": "retry-me", "seq": 1}
    assert (await page.receive_json_from(timeout=FRAME))["type"] == "message"

    # The answer was lost; the page sends again with the same id.
    await page.send_json_to({"type": "send", "body": "Am I next?", "client_id": "retry-me"})
    assert await page.receive_json_from(timeout=FRAME) == {"type": "sent", "client_id": "retry-me", "seq": 1}
    assert await page.receive_nothing(timeout=QUIET)

    assert await stored(ada.caller_id) == [(1, "caller", "Am I next?")]


async def test_it_stores_a_send_retried_from_a_reconnected_page_once(sockets, messaging_clinic):
    ada = await enter(messaging_clinic)
    page, _ = await sockets.caller(ada)
    await page.send_json_to({"type": "send", "body": "Am I next?", "client_id": "retry-me"})
    assert (await page.receive_json_from(timeout=FRAME))["type"] == "sent"
    await page.disconnect()

    again, hello = await sockets.caller(ada, after=1)
    assert hello["messages"] == []
    await again.send_json_to({"type": "send", "body": "Am I next?", "client_id": "retry-me"})
    assert await again.receive_json_from(timeout=FRAME) == {"type": "sent", "client_id": "retry-me", "seq": 1}
    assert await again.receive_nothing(timeout=QUIET)
    assert await stored(ada.caller_id) == [(1, "caller", "Am I next?")]


async def test_it_refuses_a_message_when_guest_messaging_is_disabled(sockets, clinic, team_member):
    ada = await enter(clinic)
    page, hello = await sockets.caller(ada)
    assert hello["clinic"]["guest_messaging"] is False
    dashboard, _ = await sockets.dashboard(team_member, clinic.slug)

    await page.send_json_to({"type": "send", "body": "Let me in", "client_id": "c-1"})

    frame = await page.receive_json_from(timeout=FRAME)
    assert frame["type"] == "error"
    assert frame["code"] == "messaging_disabled"
    assert frame["client_id"] == "c-1"
    assert frame["message"]
    assert await page.receive_nothing(timeout=QUIET)
    assert await dashboard.receive_nothing(timeout=QUIET)
    assert await stored(ada.caller_id) == []


async def test_a_caller_in_a_call_writes_in_the_calls_panel(sockets, messaging_clinic, team_member):
    ada = await enter(messaging_clinic)
    page, _ = await sockets.caller(ada)
    await database_sync_to_async(do_see_caller)(ada.caller_id, actor=team_member)
    assert (await page.receive_json_from(timeout=FRAME))["visit"]["status"] == "being_seen"

    await page.send_json_to({"type": "send", "body": "Hello?", "client_id": "c-1"})
    frame = await page.receive_json_from(timeout=FRAME)
    assert (frame["type"], frame["client_id"]) == ("sent", "c-1")
    assert await stored(ada.caller_id) == [(1, "caller", "Hello?")]


async def test_it_tells_open_pages_when_guest_messaging_is_switched(sockets, clinic, clinic_admin):
    ada = await enter(clinic, "Ada Lovelace")
    bob = await enter(clinic, "Bob Marley")
    ada_page, _ = await sockets.caller(ada)
    bob_page, _ = await sockets.caller(bob)

    await configure(clinic, clinic_admin, guest_messaging_enabled=True)
    for page in (ada_page, bob_page):
        frame = await page.receive_json_from(timeout=FRAME)
        assert frame["type"] == "clinic"
        assert frame["clinic"]["guest_messaging"] is True

    await ada_page.send_json_to({"type": "send", "body": "Now I can write", "client_id": "c-1"})
    assert (await ada_page.receive_json_from(timeout=FRAME))["type"] == "sent"
    assert (await ada_page.receive_json_from(timeout=FRAME))["type"] == "message"

    await configure(clinic, clinic_admin, guest_messaging_enabled=False)
    for page in (ada_page, bob_page):
        frame = await page.receive_json_from(timeout=FRAME)
        assert frame == {"type": "clinic", "clinic": {**frame["clinic"], "guest_messaging": False}}

    # And the server refuses from then on, whatever the page still shows.
    await ada_page.send_json_to({"type": "send", "body": "And now?", "client_id": "c-2"})
    assert (await ada_page.receive_json_from(timeout=FRAME))["code"] == "messaging_disabled"
    assert await stored(ada.caller_id) == [(1, "caller", "Now I can write")]


async def test_it_does_not_tell_another_clinics_callers_about_a_setting(sockets, clinic, other_clinic, clinic_admin):
    ada = await enter(clinic)
    olga = await enter(other_clinic, "Olga")
    ada_page, _ = await sockets.caller(ada)
    olga_page, _ = await sockets.caller(olga)

    await configure(clinic, clinic_admin, guest_messaging_enabled=True)

    assert (await ada_page.receive_json_from(timeout=FRAME))["type"] == "clinic"
    assert await olga_page.receive_nothing(timeout=QUIET)


async def test_it_does_not_tell_pages_about_a_change_that_changes_nothing(sockets, clinic, clinic_admin):
    ada = await enter(clinic)
    page, _ = await sockets.caller(ada)
    await configure(clinic, clinic_admin, guest_messaging_enabled=False)
    assert await page.receive_nothing(timeout=QUIET)
