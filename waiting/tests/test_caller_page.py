"""The caller's page: "Waiting for call", kept across refreshes, held by the
session cookie alone, and the page that says the visit has ended."""

import json
import re

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client

from waiting.access import VISITS_KEY
from testkit.helpers import enter
from realtime.limits import BODY_MAX
from waiting.actions import do_leave_waiting_area
from waiting.models import Caller, LeaveReason

PAGE_DATA = re.compile(r'<script id="page-data" type="application/json">(.*?)</script>', re.S)


def page_data(response):
    return json.loads(PAGE_DATA.search(response.content.decode()).group(1))


def test_it_shows_the_waiting_page(client, clinic):
    clinic.waiting_text_en = "Dr Lee is on call today."
    clinic.save()
    enter(client, clinic)
    response = client.get("/w/sunrise/wait/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Waiting for call" in html
    assert "Dr Lee is on call today." in html
    assert "Leave the waiting area" in html
    assert page_data(response)["socket"] == "/ws/w/sunrise/"


def test_it_sends_the_page_its_limits_rather_than_writing_them_in(client, clinic):
    enter(client, clinic)
    response = client.get("/w/sunrise/wait/")
    data = page_data(response)
    assert data["limits"] == {"body_max": BODY_MAX}
    assert data["strings"]["err_too_long"] == f"A message has at most {BODY_MAX} characters."
    assert "maxlength" not in response.content.decode()  # the page's script sets it from the limits


def test_it_shows_the_standard_text_when_the_clinic_has_none(client, clinic):
    enter(client, clinic)
    html = client.get("/w/sunrise/wait/").content.decode()
    assert "Please stay on this page. The clinic will be with you shortly." in html


def test_a_refresh_keeps_the_visit(client, clinic):
    caller = enter(client, clinic)
    for _ in range(3):
        response = client.get("/w/sunrise/wait/")
        assert response.status_code == 200
        assert response.context["caller"] == caller
    assert Caller.objects.count() == 1
    caller.refresh_from_db()
    assert caller.is_present


def test_it_sends_a_browser_without_a_visit_to_the_entry_form(client, clinic):
    response = client.get("/w/sunrise/wait/")
    assert response.status_code == 302
    assert response["Location"] == "/w/sunrise/"


def test_it_returns_404_for_an_unknown_clinic(client, db):
    assert client.get("/w/nowhere/wait/").status_code == 404


def test_the_identity_is_only_in_an_httponly_session_cookie(client, clinic):
    response = client.post("/w/sunrise/", {"name": "Sue Smith"})
    caller = Caller.objects.get()

    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    # The session cookie carries an opaque key, not the visit.
    assert cookie.value != str(caller.pk) and str(caller.pk) not in cookie.value.split(".")
    assert set(response.cookies) <= {"sessionid", "csrftoken"}

    # No address the caller is sent to or that the page uses names the visit.
    assert response["Location"] == "/w/sunrise/wait/"
    page = client.get(response["Location"])
    assert page_data(page)["socket"] == "/ws/w/sunrise/"
    html = page.content.decode()
    assert 'action="/w/sunrise/leave/"' in html
    assert not re.search(rf"/w/sunrise/[^\"']*\b{caller.pk}\b", html)


def test_the_session_key_changes_on_entry(client, clinic):
    # A session cookie planted before entry (session fixation) is worth nothing after.
    client.get("/w/sunrise/")
    client.session.save()
    before = client.session.session_key
    enter(client, clinic)
    assert client.session.session_key != before


def test_a_session_id_made_up_before_entry_is_not_the_visits(client, clinic):
    # Nothing stored under it: the visit's session gets an id of its own, made with the answer.
    client.cookies[settings.SESSION_COOKIE_NAME] = "madeupbyanattacker0000000000000000"
    enter(client, clinic)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert key != "madeupbyanattacker0000000000000000"
    assert Session.objects.filter(session_key=key).exists()
    assert not Session.objects.filter(session_key="madeupbyanattacker0000000000000000").exists()


def test_another_browser_cannot_reach_the_visit(client, clinic):
    enter(client, clinic)
    stranger = Client()
    response = stranger.get("/w/sunrise/wait/")
    assert response.status_code == 302
    assert response["Location"] == "/w/sunrise/"


def test_a_visit_to_one_clinic_is_not_a_visit_to_another(client, clinic, other_clinic):
    enter(client, clinic)
    response = client.get("/w/harbour/wait/")
    assert response.status_code == 302
    assert response["Location"] == "/w/harbour/"


@pytest.mark.parametrize(
    "reason, text",
    [
        (LeaveReason.LEFT, "You have left the waiting area."),
        (LeaveReason.REMOVED, "The clinic has closed your visit."),
        (LeaveReason.EXPIRED, "Your page was offline for too long"),
        (LeaveReason.ENDED, "The call has ended. Thank you."),
    ],
)
def test_the_ended_page_says_why(client, clinic, reason, text):
    caller = enter(client, clinic)
    do_leave_waiting_area(caller.pk, reason=reason)
    response = client.get("/w/sunrise/wait/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Your visit has ended" in html
    assert text in html
    assert 'href="/w/sunrise/"' in html  # enter again
    assert "Leave the waiting area" not in html
    assert 'id="page-data"' not in html  # no socket for a visit that is over


def test_after_the_ended_page_the_link_leads_to_the_entry_form(client, clinic):
    caller = enter(client, clinic)
    do_leave_waiting_area(caller.pk)
    client.get("/w/sunrise/wait/")
    assert VISITS_KEY not in client.session or str(clinic.pk) not in client.session[VISITS_KEY]
    response = client.get("/w/sunrise/wait/")
    assert response.status_code == 302
    assert response["Location"] == "/w/sunrise/"
    assert client.get("/w/sunrise/").status_code == 200
