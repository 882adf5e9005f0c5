"""A staff sign-in ends after WAITROOM_STAFF_IDLE_MINUTES without activity
and WAITROOM_STAFF_SESSION_HOURS after signing in; requests and "Stay signed
in" are activity, a page's background requests are not. The clock is moved,
never waited for."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from realtime import events
from accounts.sessions import limits
from accounts.sessions.ending import end_sessions_of
from accounts.models import StaffSession
from testkit.helpers import Listener, enter
from testkit.protocol import SESSION_COOKIE

DASHBOARD = "/clinics/sunrise/"
STAY = "/session/stay/"


@pytest.fixture
def clock(monkeypatch):
    """timezone.now, moved on by the test (sessions' expiry and the limits both read it)."""

    class Clock:
        offset = timedelta(0)
        real_now = staticmethod(timezone.now)

        def move(self, **kwargs):
            self.offset += timedelta(**kwargs)

    clock = Clock()
    monkeypatch.setattr(timezone, "now", lambda: clock.real_now() + clock.offset)
    return clock


def signed_in(user, client=None):
    client = client or Client()
    client.force_login(user)  # (signing in with a password is accounts/'s to test)
    return client


def is_signed_in(client):
    response = client.get(DASHBOARD)
    if response.status_code == 302:
        assert response["Location"].startswith("/login/")
        return False
    assert response.status_code == 200
    return True


def test_it_works(clinic, team_member, clock, settings):
    client = signed_in(team_member)
    key = client.cookies[SESSION_COOKIE].value
    session = Session.objects.get(session_key=key)
    expected = timezone.now() + timedelta(seconds=settings.WAITROOM_STAFF_IDLE_SECONDS)
    assert abs((session.expire_date - expected).total_seconds()) < 5
    assert StaffSession.objects.get(session_id=key).user == team_member
    assert is_signed_in(client)


def test_activity_keeps_a_sign_in_alive(clinic, team_member, clock):
    client = signed_in(team_member)
    for _ in range(4):
        clock.move(minutes=25)
        assert is_signed_in(client)  # 100 minutes signed in, never 30 idle


def test_thirty_idle_minutes_end_a_sign_in(clinic, team_member, clock):
    client = signed_in(team_member)
    clock.move(minutes=29)
    assert is_signed_in(client)
    clock.move(minutes=30, seconds=1)
    assert not is_signed_in(client)


def test_the_sign_in_page_shows_after_the_idle_time(clinic, team_member, clock):
    client = signed_in(team_member)
    clock.move(minutes=31)
    response = client.get(f"/login/?next={DASHBOARD}")
    assert response.status_code == 200  # not sent back to the dashboard
    assert b'name="password"' in response.content


def test_the_absolute_limit_ends_a_sign_in_however_active(clinic, team_member, clock):
    client = signed_in(team_member)
    for _ in range(35):  # every 20 minutes for 11 h 40 min
        clock.move(minutes=20)
        assert is_signed_in(client)
    clock.move(minutes=19)
    assert is_signed_in(client)
    clock.move(minutes=2)  # 12 h 1 min after signing in, 2 min after the last request
    assert not is_signed_in(client)


def test_the_limits_are_settings(clinic, team_member, clock, settings):
    settings.WAITROOM_STAFF_IDLE_SECONDS = 5
    settings.WAITROOM_STAFF_SESSION_SECONDS = 12
    client = signed_in(team_member)
    clock.move(seconds=4)
    assert is_signed_in(client)
    clock.move(seconds=4)
    assert is_signed_in(client)
    clock.move(seconds=5)  # 13 s after signing in
    assert not is_signed_in(client)


def test_a_limit_made_shorter_signs_out_and_announces_it(
    clinic, team_member, clock, settings, django_capture_on_commit_callbacks
):
    client = signed_in(team_member)
    key = client.cookies[SESSION_COOKIE].value
    listener = Listener(events.staff_person_group(team_member.pk))
    clock.move(minutes=10)
    settings.WAITROOM_STAFF_IDLE_SECONDS = 5 * 60  # the session in the database still runs 20 minutes

    with django_capture_on_commit_callbacks(execute=True):
        assert not is_signed_in(client)
    assert listener.events() == [{"type": events.SESSION_ENDED, "session_key": key}]


def test_stay_signed_in_restarts_the_idle_clock(clinic, team_member, clock, settings):
    client = signed_in(team_member)
    clock.move(minutes=29)
    response = client.post(STAY)
    assert response.status_code == 200
    assert response.json()["seconds_left"] == pytest.approx(settings.WAITROOM_STAFF_IDLE_SECONDS, abs=2)
    clock.move(minutes=29)
    assert is_signed_in(client)


def test_stay_signed_in_cannot_pass_the_absolute_limit(clinic, team_member, clock):
    client = signed_in(team_member)
    for _ in range(35):  # every 20 minutes for 11 h 40 min
        clock.move(minutes=20)
        assert client.post(STAY).status_code == 200
    clock.move(minutes=19)
    left = client.post(STAY).json()["seconds_left"]
    assert left == pytest.approx(60, abs=2)


def test_background_requests_are_not_activity(clinic, team_member, clock):
    client = signed_in(team_member)
    caller = enter(Client(), clinic)
    clock.move(minutes=20)
    thread = f"/clinics/sunrise/callers/{caller.pk}/thread/"
    assert client.get(thread, headers={"X-Waitroom-Background": "1"}).status_code == 200
    clock.move(minutes=11)
    assert not is_signed_in(client)


def test_staff_pages_carry_the_idle_warning_and_caller_pages_do_not(clinic, team_member):
    client = signed_in(team_member)
    page = client.get(DASHBOARD).content.decode()
    assert 'id="idle-dialog"' in page and "You will be signed out in 1 minute" in page
    caller = Client()
    enter(caller, clinic)
    assert 'id="idle-dialog"' not in caller.get("/w/sunrise/wait/").content.decode()
    assert 'id="idle-dialog"' not in Client().get("/login/").content.decode()


# Attacks on the stay-signed-in address ---------------------------------------


def test_stay_signed_in_refuses_a_signed_out_browser(db):
    client = Client()
    response = client.post(STAY)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_signed_in"
    assert not Session.objects.exists()  # nothing was made for it


def test_stay_signed_in_refuses_a_callers_session(clinic):
    caller = Client()
    enter(caller, clinic)
    key = caller.cookies[SESSION_COOKIE].value
    before = Session.objects.get(session_key=key).expire_date

    response = caller.post(STAY)

    assert response.status_code == 401
    assert Session.objects.get(session_key=key).expire_date == before
    assert limits.ACTIVE_AT not in caller.session


def test_stay_signed_in_refuses_an_ended_sign_in(clinic, team_member, clock):
    client = signed_in(team_member)
    clock.move(minutes=31)
    assert client.post(STAY).status_code == 401


def test_stay_signed_in_needs_the_csrf_token(clinic, team_member):
    client = signed_in(team_member, Client(enforce_csrf_checks=True))
    assert client.post(STAY).status_code == 403
    client.get(DASHBOARD)  # the page, which sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    assert client.post(STAY, headers={"X-CSRFToken": token}).status_code == 200


def test_stay_signed_in_is_a_post(clinic, team_member):
    client = signed_in(team_member)
    assert client.get(STAY).status_code == 405


def test_a_session_whose_key_changed_can_still_be_ended(clinic, team_member):
    """Django gives a session a new key when its person changes their password
    (update_session_auth_hash); end_sessions_of must still find it."""
    client = signed_in(team_member)
    session = client.session
    session.cycle_key()
    session.save()
    client.cookies[SESSION_COOKIE] = session.session_key
    assert is_signed_in(client)

    end_sessions_of(team_member)

    assert not is_signed_in(client)
