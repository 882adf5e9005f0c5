"""A caller reaches only their own visit and thread; a socket opened from
another site is refused (issue 2, rule 11)."""

import pytest
from channels.db import database_sync_to_async

from clinics.models import Clinic
from messaging.actions import do_notify
from realtime.consumers import CLOSE_NO_VISIT
from testkit import protocol
from testkit.sockets import FRAME, QUIET, caller, closed_with, enter, socket, staff_cookie, stored
from waitroom.errors import ActionError

pytestmark = pytest.mark.django_db(transaction=True)

notify = database_sync_to_async(do_notify)


async def test_it_refuses_a_caller_of_another_clinic(sockets, clinic, other_clinic):
    olga = await enter(other_clinic, "Olga of Harbour")
    await enter(clinic, "Ada Lovelace")

    page = sockets.socket(protocol.caller_path(clinic.slug), olga.cookie)
    assert (await page.connect(timeout=FRAME))[0]
    frame = await page.receive_json_from(timeout=FRAME)
    assert frame == {"type": "visit", "visit": {"present": False, "leave_reason": ""}}
    assert await closed_with(page) == CLOSE_NO_VISIT

    # Nothing of the other clinic reaches that socket, and Olga's own visit is untouched.
    await database_sync_to_async(Clinic.objects.filter(pk=clinic.pk).update)(waiting_text_en="Sunrise only")
    assert await page.receive_nothing(timeout=QUIET)
    assert (await caller(olga.caller_id)).status == "waiting"


async def test_it_gives_one_browser_in_two_clinics_each_visit_on_its_own_socket(
    sockets, clinic, other_clinic, team_member, outsider
):
    ada = await enter(clinic, "Ada Lovelace")
    ada_at_harbour = await enter(other_clinic, "Ada Lovelace", client=ada.client)
    assert ada_at_harbour.caller_id != ada.caller_id
    sunrise_page, _ = await sockets.caller(ada_at_harbour, slug=clinic.slug)
    harbour_page, _ = await sockets.caller(ada_at_harbour)

    await notify(clinic, actor=team_member, caller_ids=[ada.caller_id], body="From Sunrise")
    await notify(other_clinic, actor=outsider, caller_ids=[ada_at_harbour.caller_id], body="From Harbour")

    assert (await sunrise_page.receive_json_from(timeout=FRAME))["message"]["body"] == "From Sunrise"
    assert (await harbour_page.receive_json_from(timeout=FRAME))["message"]["body"] == "From Harbour"
    assert await sunrise_page.receive_nothing(timeout=QUIET)
    assert await harbour_page.receive_nothing(timeout=QUIET)


async def test_it_refuses_a_page_without_a_visit(sockets, clinic):
    page = sockets.socket(protocol.caller_path(clinic.slug))
    assert (await page.connect(timeout=FRAME))[0]
    assert (await page.receive_json_from(timeout=FRAME))["visit"]["present"] is False
    assert await closed_with(page) == CLOSE_NO_VISIT


async def test_it_refuses_a_staff_session_on_a_caller_socket(sockets, clinic, team_member):
    page = sockets.socket(protocol.caller_path(clinic.slug), await staff_cookie(team_member))
    assert (await page.connect(timeout=FRAME))[0]
    assert (await page.receive_json_from(timeout=FRAME))["visit"]["present"] is False
    assert await closed_with(page) == CLOSE_NO_VISIT


async def test_it_refuses_a_made_up_session(sockets, clinic):
    await enter(clinic)
    page = sockets.socket(protocol.caller_path(clinic.slug), "x" * 32)
    assert (await page.connect(timeout=FRAME))[0]
    assert (await page.receive_json_from(timeout=FRAME))["visit"]["present"] is False
    assert await closed_with(page) == CLOSE_NO_VISIT


async def test_it_keeps_each_callers_thread_to_themselves(sockets, clinic, other_clinic, team_member, outsider):
    await database_sync_to_async(Clinic.objects.filter(pk=clinic.pk).update)(guest_messaging_enabled=True)
    ada = await enter(clinic, "Ada Lovelace")
    bob = await enter(clinic, "Bob Marley")
    cy = await enter(clinic, "Cy Twombly")
    olga = await enter(other_clinic, "Olga of Harbour")
    ada_page, _ = await sockets.caller(ada)
    bob_page, _ = await sockets.caller(bob)
    olga_page, _ = await sockets.caller(olga)

    # To Bob alone; to Bob and Cy; Bob writes; Olga's clinic writes to everyone it has.
    await notify(clinic, actor=team_member, caller_ids=[bob.caller_id], body="For Bob only")
    await notify(clinic, actor=team_member, caller_ids=[bob.caller_id, cy.caller_id], body="For Bob and Cy")
    await bob_page.send_json_to({"type": "send", "body": "Bob's private reply", "client_id": "b-1"})
    await notify(other_clinic, actor=outsider, caller_ids=[olga.caller_id], body="Harbour news")

    bob_frames = [await bob_page.receive_json_from(timeout=FRAME) for _ in range(4)]
    assert [f["message"]["body"] for f in bob_frames if f["type"] == "message"] == [
        "For Bob only",
        "For Bob and Cy",
        "Bob's private reply",
    ]
    assert [(f["message"]["body"]) for f in [await olga_page.receive_json_from(timeout=FRAME)]] == ["Harbour news"]
    assert await ada_page.receive_nothing(timeout=QUIET)
    assert await olga_page.receive_nothing(timeout=QUIET)
    assert await stored(ada.caller_id) == []

    # Ada's page reconnecting from the start gets her (empty) thread, not Bob's.
    _, hello = await sockets.caller(ada, after=0)
    assert hello["messages"] == []


async def test_it_refuses_to_notify_another_clinics_caller(clinic, other_clinic, outsider):
    ada = await enter(clinic)
    with pytest.raises(ActionError) as refused:
        await notify(other_clinic, actor=outsider, caller_ids=[ada.caller_id], body="Not yours")
    assert refused.value.code == "no_callers"
    assert await stored(ada.caller_id) == []


async def test_it_refuses_a_handshake_without_origin(clinic):
    ada = await enter(clinic)
    page = socket(protocol.caller_path(clinic.slug), ada.cookie, origin=None)
    connected, _ = await page.connect(timeout=FRAME)
    assert not connected  # a server answers the handshake with 403
    await page.disconnect()
    assert (await caller(ada.caller_id)).page_channel == ""


@pytest.mark.parametrize(
    "origin", ["http://evil.example", "http://testserver.evil.example", "null", "http://localhost.evil.example"]
)
async def test_it_refuses_a_handshake_from_another_site(clinic, team_member, origin):
    ada = await enter(clinic)
    page = socket(protocol.caller_path(clinic.slug), ada.cookie, origin=origin)
    assert (await page.connect(timeout=FRAME))[0] is False
    await page.disconnect()

    dashboard = socket(protocol.dashboard_path(clinic.slug), await staff_cookie(team_member), origin=origin)
    assert (await dashboard.connect(timeout=FRAME))[0] is False
    await dashboard.disconnect()
    assert (await caller(ada.caller_id)).page_channel == ""


async def test_it_ignores_frames_a_page_without_a_visit_sent_before_it_was_closed(sockets, clinic):
    # A page may send (a queued message, a receipt) the moment the socket opens,
    # before it learns there is no visit.
    page = sockets.socket(protocol.caller_path(clinic.slug))
    assert (await page.connect(timeout=FRAME))[0]
    await page.send_json_to({"type": "send", "body": "queued", "client_id": "c-1"})
    await page.send_json_to({"type": "receipt", "delivered": 1, "seen": 1})
    assert (await page.receive_json_from(timeout=FRAME))["visit"]["present"] is False
    assert await closed_with(page) == CLOSE_NO_VISIT
    assert await page.receive_nothing(timeout=QUIET)
    await page.disconnect()  # raises if the consumer crashed on those frames
