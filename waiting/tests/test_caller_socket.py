"""A caller's page socket: what it is told on connect, and every clinic
message after that, in order, once each (DESIGN invariants 2 and 3)."""

import pytest
from channels.db import database_sync_to_async

from clinics.actions import do_change_configuration
from messaging.actions import do_notify, do_send_caller_message
from messaging.models import Message
from realtime import events
from messaging.consumers import ThreadOnPage
from testkit.sockets import FRAME, QUIET, enter, stored
from waiting.actions import do_hold_caller, do_see_caller

pytestmark = pytest.mark.django_db(transaction=True)

notify = database_sync_to_async(do_notify)


def bodies(frames):
    return [(m["seq"], m["body"]) for m in frames]


async def next_message(page):
    frame = await page.receive_json_from(timeout=FRAME)
    assert frame["type"] == "message", frame
    return frame["message"]


async def test_it_says_hello_with_visit_clinic_and_whole_thread(sockets, clinic, team_member):
    await database_sync_to_async(do_change_configuration)(
        clinic.pk, actor=None, guest_messaging_enabled=True, waiting_text_en="We will be with you shortly."
    )
    ada = await enter(clinic, "Ada Lovelace")
    await notify(clinic, actor=team_member, caller_ids=[ada.caller_id], body="Dr Lee is running 15 minutes late")
    await database_sync_to_async(do_send_caller_message)(ada.caller_id, body="Thank you, I will wait")
    await notify(clinic, actor=team_member, caller_ids=[ada.caller_id], body="Dr Lee is ready now")

    page, hello = await sockets.caller(ada)

    assert hello["visit"]["status"] == "waiting"
    assert hello["visit"]["present"] is True
    assert hello["clinic"] == {
        "name": "Sunrise Clinic",
        "slug": "sunrise",
        "guest_messaging": True,
        "waiting_text": {"en": "We will be with you shortly.", "de": ""},
        "language": "",
        "paused": False,
    }
    assert [(m["seq"], m["sender"], m["body"]) for m in hello["messages"]] == [
        (1, "clinic", "Dr Lee is running 15 minutes late"),
        (2, "caller", "Thank you, I will wait"),
        (3, "clinic", "Dr Lee is ready now"),
    ]
    # The page is told nothing else until something happens.
    assert await page.receive_nothing(timeout=QUIET)


async def test_it_says_hello_with_an_empty_thread(sockets, clinic):
    ada = await enter(clinic)
    _, hello = await sockets.caller(ada)
    assert hello["messages"] == []
    assert hello["clinic"]["guest_messaging"] is False


async def test_it_replays_only_messages_after_the_last_one_the_page_has(sockets, clinic, team_member):
    ada = await enter(clinic)
    for n in range(1, 6):
        await notify(clinic, actor=team_member, caller_ids=[ada.caller_id], body=f"note {n}")

    page, hello = await sockets.caller(ada, after=2)
    assert bodies(hello["messages"]) == [(3, "note 3"), (4, "note 4"), (5, "note 5")]

    # The next message follows on from there: nothing replayed twice, nothing skipped.
    await notify(clinic, actor=team_member, caller_ids=[ada.caller_id], body="note 6")
    assert bodies([await next_message(page)]) == [(6, "note 6")]
    assert await page.receive_nothing(timeout=QUIET)


async def test_it_replays_nothing_to_a_page_that_has_everything(sockets, clinic, team_member):
    ada = await enter(clinic)
    await notify(clinic, actor=team_member, caller_ids=[ada.caller_id], body="note 1")
    page, hello = await sockets.caller(ada, after=1)
    assert hello["messages"] == []
    await notify(clinic, actor=team_member, caller_ids=[ada.caller_id], body="note 2")
    assert bodies([await next_message(page)]) == [(2, "note 2")]


async def test_it_treats_a_garbled_after_as_the_whole_thread(sockets, clinic, team_member):
    ada = await enter(clinic)
    await notify(clinic, actor=team_member, caller_ids=[ada.caller_id], body="note 1")
    _, hello = await sockets.caller(ada, after="abc")
    assert bodies(hello["messages"]) == [(1, "note 1")]


async def test_it_delivers_a_notification_at_once(sockets, clinic, team_member):
    ada = await enter(clinic)
    await notify(clinic, actor=team_member, caller_ids=[ada.caller_id], body="first")
    page, hello = await sockets.caller(ada)
    assert bodies(hello["messages"]) == [(1, "first")]

    await notify(clinic, actor=team_member, caller_ids=[ada.caller_id], body="Dr Lee is running 15 minutes late")

    message = await next_message(page)
    assert message["seq"] == 2
    assert message["sender"] == "clinic"
    assert message["body"] == "Dr Lee is running 15 minutes late"
    assert message["created_at"]
    assert await page.receive_nothing(timeout=QUIET)


async def test_it_delivers_a_notification_to_a_caller_on_hold(sockets, clinic, team_member):
    ada = await enter(clinic)
    page, _ = await sockets.caller(ada)
    await database_sync_to_async(do_see_caller)(ada.caller_id, actor=team_member)
    await database_sync_to_async(do_hold_caller)(ada.caller_id, actor=team_member)
    assert (await page.receive_json_from(timeout=FRAME))["visit"]["status"] == "being_seen"
    assert (await page.receive_json_from(timeout=FRAME))["visit"]["status"] == "on_hold"

    await notify(clinic, actor=team_member, caller_ids=[ada.caller_id], body="Back in two minutes")
    assert bodies([await next_message(page)]) == [(1, "Back in two minutes")]


async def test_it_delivers_a_broadcast_to_each_caller_with_their_own_number(sockets, clinic, team_member):
    bob = await enter(clinic, "Bob Marley")
    ada = await enter(clinic, "Ada Lovelace")
    # Ada's thread is one message ahead of Bob's (who came first).
    await notify(clinic, actor=team_member, caller_ids=[ada.caller_id], body="Just for Ada")
    ada_page, _ = await sockets.caller(ada)
    bob_page, _ = await sockets.caller(bob)

    await notify(clinic, actor=team_member, caller_ids=[ada.caller_id, bob.caller_id], body="All doctors are late")

    assert bodies([await next_message(ada_page)]) == [(2, "All doctors are late")]
    assert bodies([await next_message(bob_page)]) == [(1, "All doctors are late")]
    assert await ada_page.receive_nothing(timeout=QUIET)
    assert await bob_page.receive_nothing(timeout=QUIET)


async def test_it_fills_a_gap_from_the_database_in_order(sockets, clinic, team_member, monkeypatch):
    ada = await enter(clinic)
    page, _ = await sockets.caller(ada)

    # The channel layer drops two announcements (it is at-most-once) ...
    with monkeypatch.context() as m:
        m.setattr(events, "publish_thread_messages", lambda caller_id, messages: None)
        await notify(clinic, actor=team_member, caller_ids=[ada.caller_id], body="lost 1")
        await notify(clinic, actor=team_member, caller_ids=[ada.caller_id], body="lost 2")
    assert await page.receive_nothing(timeout=QUIET)

    # ... and the next one arrives: the page gets all three, in order, once.
    await notify(clinic, actor=team_member, caller_ids=[ada.caller_id], body="announced 3")
    assert bodies([await next_message(page) for _ in range(3)]) == [(1, "lost 1"), (2, "lost 2"), (3, "announced 3")]
    assert await page.receive_nothing(timeout=QUIET)


async def test_it_fills_a_gap_before_a_broadcast(sockets, clinic, team_member, monkeypatch):
    ada = await enter(clinic, "Ada Lovelace")
    bob = await enter(clinic, "Bob Marley")
    page, _ = await sockets.caller(ada)

    with monkeypatch.context() as m:
        m.setattr(events, "publish_thread_messages", lambda caller_id, messages: None)
        await notify(clinic, actor=team_member, caller_ids=[ada.caller_id], body="lost 1")
    await notify(clinic, actor=team_member, caller_ids=[ada.caller_id, bob.caller_id], body="to everyone")

    assert bodies([await next_message(page) for _ in range(2)]) == [(1, "lost 1"), (2, "to everyone")]
    assert await page.receive_nothing(timeout=QUIET)


async def test_it_does_not_double_an_announcement_that_arrives_twice(sockets, clinic, team_member):
    ada = await enter(clinic)
    page, _ = await sockets.caller(ada)
    await notify(clinic, actor=team_member, caller_ids=[ada.caller_id], body="once")
    assert bodies([await next_message(page)]) == [(1, "once")]

    # A late duplicate of the same announcement changes nothing on the page.
    message = await database_sync_to_async(Message.objects.get)(caller_id=ada.caller_id, seq=1)
    await database_sync_to_async(events.publish_thread_messages)(ada.caller_id, [message])
    assert await page.receive_nothing(timeout=QUIET)


async def test_it_delivers_a_message_stored_while_the_page_connects(sockets, clinic, team_member, monkeypatch):
    """Subscribe, then snapshot: a message stored after the hello was read from
    the database (but before the page could have subscribed, had it done so
    second) still reaches the page."""
    ada = await enter(clinic)
    snapshot = ThreadOnPage.hello  # the thread's part of the hello, read last

    def snapshot_then_notify(consumer, caller):
        hello = snapshot(consumer, caller)
        do_notify(clinic, actor=team_member, caller_ids=[ada.caller_id], body="stored meanwhile")
        return hello

    monkeypatch.setattr(ThreadOnPage, "hello", snapshot_then_notify)
    page, hello = await sockets.caller(ada)

    assert hello["messages"] == []
    assert bodies([await next_message(page)]) == [(1, "stored meanwhile")]
    assert await stored(ada.caller_id) == [(1, "clinic", "stored meanwhile")]


async def test_it_answers_a_heartbeat(sockets, clinic):
    ada = await enter(clinic)
    page, _ = await sockets.caller(ada)
    await page.send_json_to({"type": "heartbeat"})
    assert await page.receive_json_from(timeout=FRAME) == {"type": "heartbeat"}


async def test_it_records_receipts_for_messages_the_page_has(sockets, clinic, team_member):
    ada = await enter(clinic)
    await notify(clinic, actor=team_member, caller_ids=[ada.caller_id], body="one")
    await notify(clinic, actor=team_member, caller_ids=[ada.caller_id], body="two")
    page, _ = await sockets.caller(ada)
    dashboard, _ = await sockets.dashboard(team_member, clinic.slug)

    await page.send_json_to({"type": "receipt", "delivered": 2, "seen": 1})
    frame = await dashboard.receive_json_from(timeout=FRAME)
    assert frame == {"type": "receipts", "receipts": [{"caller_id": ada.caller_id, "delivered_seq": 2, "seen_seq": 1}]}

    receipts = await database_sync_to_async(
        lambda: list(Message.objects.filter(caller_id=ada.caller_id).order_by("seq").values_list("delivered_at", "seen_at"))
    )()
    assert all(delivered for delivered, _ in receipts)
    assert [seen is not None for _, seen in receipts] == [True, False]


async def test_it_refuses_receipts_for_messages_the_page_never_got(sockets, clinic, team_member):
    ada = await enter(clinic)
    await notify(clinic, actor=team_member, caller_ids=[ada.caller_id], body="one")
    page, _ = await sockets.caller(ada, after=1)  # the page says it has 1 already
    await notify(clinic, actor=team_member, caller_ids=[ada.caller_id], body="two")
    await page.receive_json_from(timeout=FRAME)

    await page.send_json_to({"type": "receipt", "delivered": 99, "seen": 0})
    frame = await page.receive_json_from(timeout=FRAME)
    assert frame["type"] == "error" and frame["code"] == "bad_frame"
    delivered = await database_sync_to_async(
        lambda: Message.objects.filter(caller_id=ada.caller_id, delivered_at__isnull=False).count()
    )()
    assert delivered == 0
