"""A staff member's open pages (dashboard, call page) close when their
sign-in ends — sign-out, password change elsewhere, deactivation, removal
from the clinic, sessions ended by an admin — and with no announcement at
all when the session expired, went idle or was deleted (the watchdog's
check). A page that reconnects with the dead session is refused."""

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.contrib.auth import HASH_SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from calls.tests.helpers import also_member_of, in_call
from clinics.models import Membership
from realtime import events
from realtime.consumers import CLOSE_NO_VISIT, CLOSE_NOT_SIGNED_IN
from accounts.sessions import verdicts
from accounts.sessions.ending import end_sessions_of
from testkit import protocol
from testkit.sockets import FRAME, QUIET, closed_with, frames_until_close
from waiting.actions import do_enter_waiting_area

pytestmark = pytest.mark.django_db(transaction=True)

CHECKED = 6  # seconds: the watchdog's pass (1 s) and check (set to 1 s below), with room on a busy machine


@pytest.fixture(autouse=True)
def announcements_only(monkeypatch):
    # The watchdog's check is far off: what closes a page here is the announcement.
    monkeypatch.setattr(verdicts, "CHECK_SECONDS", 3600)


@pytest.fixture
def watchdog_checks(monkeypatch):
    monkeypatch.setattr(verdicts, "CHECK_SECONDS", 1)


@pytest.fixture
def no_announcements(monkeypatch, watchdog_checks):
    """The channel layer loses every announcement: only the watchdog's check is left."""
    monkeypatch.setattr("realtime.events._send", lambda group, event: None)


def signed_in_browser(user):
    client = Client()
    client.force_login(user)
    return client, client.cookies[protocol.SESSION_COOKIE].value


async def browser(user):
    return await sync_to_async(signed_in_browser)(user)


async def open_dashboard(sockets, cookie, slug="sunrise"):
    page = sockets.socket(protocol.dashboard_path(slug), cookie)
    connected, _ = await page.connect(timeout=FRAME)
    assert connected
    assert (await page.receive_json_from(timeout=FRAME))["type"] == "snapshot"
    return page


async def open_call_page(sockets, cookie, user, clinic):
    caller = await database_sync_to_async(do_enter_waiting_area)(clinic, name="Sue Smith")
    call = await database_sync_to_async(in_call)(caller, user)
    page = sockets.socket(protocol.call_path(clinic.slug, call.pk), cookie)
    connected, _ = await page.connect(timeout=FRAME)
    assert connected
    assert (await page.receive_json_from(timeout=FRAME))["type"] == "hello"
    return page


async def ended(page, timeout=FRAME):
    """The close code the page ends with (the frames before it: whatever the clinic did meanwhile)."""
    _, code = await frames_until_close(page, timeout)
    return code


async def refused(sockets, cookie, slug="sunrise"):
    page = sockets.socket(protocol.dashboard_path(slug), cookie)
    connected, _ = await page.connect(timeout=FRAME)
    assert connected  # accepted, then closed with the reason
    return await closed_with(page)


async def test_signing_out_closes_that_sessions_dashboard_and_call_page(sockets, clinic, team_member):
    client, cookie = await browser(team_member)
    dashboard = await open_dashboard(sockets, cookie)
    call_page = await open_call_page(sockets, cookie, team_member, clinic)
    _, elsewhere = await browser(team_member)  # the same person at another computer
    other_dashboard = await open_dashboard(sockets, elsewhere)

    response = await sync_to_async(client.post)("/logout/")
    assert response.status_code == 302

    assert await ended(dashboard) == CLOSE_NOT_SIGNED_IN
    assert await ended(call_page) == CLOSE_NOT_SIGNED_IN
    assert await other_dashboard.receive_nothing(timeout=QUIET)
    assert await refused(sockets, cookie) == CLOSE_NOT_SIGNED_IN


def test_a_sign_out_has_ended_the_session_before_its_pages_are_told(monkeypatch, team_member):
    # A page told first would go to the sign-in while it still signs the
    # person in, and be sent straight back to where it was.
    client, cookie = signed_in_browser(team_member)
    session_when_told = []

    def send(group, event):
        if event["type"] == events.SESSION_ENDED:
            session_when_told.append(Session.objects.filter(session_key=cookie).exists())

    monkeypatch.setattr("realtime.events._send", send)
    assert client.post("/logout/").status_code == 302
    assert session_when_told == [False]


async def test_a_password_changed_elsewhere_closes_the_other_sessions_pages(sockets, clinic, team_member):
    _, cookie = await browser(team_member)
    dashboard = await open_dashboard(sockets, cookie)
    _, changing = await browser(team_member)
    kept = await open_dashboard(sockets, changing)

    def change_password():
        team_member.set_password("a new and long passphrase")
        team_member.save()
        # What PasswordChangeView does: the session that changed it stays signed in.
        session = SessionStore(changing)
        session[HASH_SESSION_KEY] = team_member.get_session_auth_hash()
        session.save()

    await database_sync_to_async(change_password)()

    assert await ended(dashboard) == CLOSE_NOT_SIGNED_IN
    assert await kept.receive_nothing(timeout=QUIET)
    assert await refused(sockets, cookie) == CLOSE_NOT_SIGNED_IN


async def test_deactivating_a_person_closes_their_pages(sockets, clinic, team_member):
    _, cookie = await browser(team_member)
    dashboard = await open_dashboard(sockets, cookie)
    call_page = await open_call_page(sockets, cookie, team_member, clinic)

    team_member.is_active = False
    await database_sync_to_async(team_member.save)()

    assert await ended(dashboard) == CLOSE_NOT_SIGNED_IN
    assert await ended(call_page) == CLOSE_NOT_SIGNED_IN
    assert await refused(sockets, cookie) == CLOSE_NOT_SIGNED_IN


async def test_removal_from_a_clinic_closes_that_clinics_pages_only(sockets, clinic, other_clinic, team_member):
    await database_sync_to_async(also_member_of)(other_clinic, team_member)
    _, cookie = await browser(team_member)
    sunrise = await open_dashboard(sockets, cookie, "sunrise")
    call_page = await open_call_page(sockets, cookie, team_member, clinic)
    harbour = await open_dashboard(sockets, cookie, "harbour")

    await database_sync_to_async(Membership.objects.filter(user=team_member, clinic=clinic).delete)()

    assert await ended(sunrise) == CLOSE_NO_VISIT
    assert await ended(call_page) == CLOSE_NO_VISIT
    assert await harbour.receive_nothing(timeout=QUIET)
    assert await refused(sockets, cookie, "sunrise") == CLOSE_NO_VISIT


async def test_ending_a_persons_sessions_closes_all_their_pages(sockets, clinic, team_member, clinic_admin):
    client, cookie = await browser(team_member)
    _, elsewhere = await browser(team_member)
    _, admins = await browser(clinic_admin)
    pages = [await open_dashboard(sockets, cookie), await open_dashboard(sockets, elsewhere)]
    bystander = await open_dashboard(sockets, admins)

    await database_sync_to_async(end_sessions_of)(team_member)

    assert [await ended(page) for page in pages] == [CLOSE_NOT_SIGNED_IN] * 2
    assert await bystander.receive_nothing(timeout=QUIET)
    assert not await database_sync_to_async(Session.objects.filter(session_key__in=[cookie, elsewhere]).exists)()
    response = await sync_to_async(client.get)("/clinics/sunrise/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


async def test_a_deleted_session_closes_its_pages_without_an_announcement(
    sockets, clinic, team_member, no_announcements
):
    _, cookie = await browser(team_member)
    dashboard = await open_dashboard(sockets, cookie)
    call_page = await open_call_page(sockets, cookie, team_member, clinic)

    await database_sync_to_async(Session.objects.filter(session_key=cookie).delete)()

    assert await ended(dashboard, timeout=CHECKED) == CLOSE_NOT_SIGNED_IN
    assert await ended(call_page, timeout=CHECKED) == CLOSE_NOT_SIGNED_IN


async def test_a_lost_sign_out_announcement_still_closes_the_page(sockets, clinic, team_member, no_announcements):
    client, cookie = await browser(team_member)
    dashboard = await open_dashboard(sockets, cookie)

    await sync_to_async(client.post)("/logout/")

    assert await ended(dashboard, timeout=CHECKED) == CLOSE_NOT_SIGNED_IN


async def test_an_expired_session_closes_its_pages(sockets, clinic, team_member, no_announcements):
    _, cookie = await browser(team_member)
    dashboard = await open_dashboard(sockets, cookie)

    await database_sync_to_async(Session.objects.filter(session_key=cookie).update)(expire_date=timezone.now())

    assert await ended(dashboard, timeout=CHECKED) == CLOSE_NOT_SIGNED_IN
    assert await refused(sockets, cookie) == CLOSE_NOT_SIGNED_IN


async def test_heartbeats_do_not_keep_an_idle_dashboard_signed_in(
    sockets, clinic, team_member, settings, watchdog_checks
):
    settings.WAITROOM_STAFF_IDLE_SECONDS = 2
    _, cookie = await browser(team_member)
    dashboard = await open_dashboard(sockets, cookie)

    frames = []
    for _ in range(8):  # four seconds of heartbeats, twice the idle time
        await dashboard.send_to(text_data=protocol.heartbeat())
        output = await dashboard.receive_output(timeout=FRAME)
        if output["type"] == "websocket.close":
            frames.append(output["code"])
            break
        assert output["text"] == protocol.heartbeat()
        await dashboard.receive_nothing(timeout=0.5)
    else:
        frames.append(await ended(dashboard, timeout=CHECKED))

    assert frames == [CLOSE_NOT_SIGNED_IN]
    assert await refused(sockets, cookie) == CLOSE_NOT_SIGNED_IN


async def test_a_page_whose_sign_in_holds_stays_open(sockets, clinic, team_member, watchdog_checks):
    _, cookie = await browser(team_member)
    dashboard = await open_dashboard(sockets, cookie)

    team_member.first_name = "Dr Lee Jr"  # a save that changes nothing about trust
    await database_sync_to_async(team_member.save)()

    assert await dashboard.receive_nothing(timeout=2.5)  # announced and checked by the watchdog: still open
