"""A clinic admin can require two factors for everyone of the clinic: a member
whose sign-in lacks them sees nothing of the clinic and is led to set them up;
their open pages close; one who set them up elsewhere signs in again with them."""

import pytest
from channels.db import database_sync_to_async
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from accounts.sessions import verdicts
from accounts.sessions.verdicts import verdicts as verdicts_of
from accounts.tests.two_factors import app_code, turn_on
from accounts import two_factor
from clinics.actions import do_change_configuration
from realtime.consumers import CLOSE_NOT_SIGNED_IN
from realtime.staff import SignIn
from testkit import protocol
from testkit.sockets import FRAME, closed_with, frames_until_close

DASHBOARD = "/clinics/sunrise/"


@pytest.fixture
def requiring(clinic, clinic_admin):
    do_change_configuration(clinic.pk, actor=clinic_admin, require_two_factors=True)
    clinic.refresh_from_db()
    return clinic


def signed_in(user, *, with_device=None):
    client = Client()
    client.force_login(user)
    if with_device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = with_device.persistent_id
        session.save()
    return client


@pytest.mark.django_db
def test_a_member_without_two_factors_is_led_to_set_them_up_and_sees_no_callers(requiring, team_member):
    client = signed_in(team_member)
    response = client.get(DASHBOARD)
    assert response.status_code == 302 and response["Location"] == "/account/two-factor/"
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "Your clinic requires two-factor authentication" in page.content.decode()
    assert client.get("/account/").status_code == 200  # their own account stays open

    notify = client.post(f"{DASHBOARD}notify/", "{}", content_type="application/json")
    assert notify.status_code == 403
    assert notify.json()["error"]["code"] == "two_factors_required"


@pytest.mark.django_db
def test_setting_them_up_opens_the_clinic_in_the_same_sign_in(requiring, team_member):
    client = signed_in(team_member)
    client.get("/account/two-factor/")
    device = two_factor.app_being_set_up(team_member)
    response = client.post("/account/two-factor/", {"code": app_code(device)})
    assert response.status_code == 200 and "recovery" in response.content.decode().lower()
    assert client.get(DASHBOARD).status_code == 200


@pytest.mark.django_db
def test_one_with_two_factors_set_up_elsewhere_signs_in_again_with_them(requiring, team_member):
    turn_on(team_member)
    client = signed_in(team_member)  # this sign-in was made without the code
    response = client.get(DASHBOARD)
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=/clinics/sunrise/")
    assert client.get("/account/").status_code == 302  # signed out: the account page asks for the sign-in


@pytest.mark.django_db
def test_a_sign_in_with_two_factors_and_a_clinic_that_does_not_require_them_are_let_through(
    requiring, other_clinic, team_member
):
    device, _ = turn_on(team_member)
    assert signed_in(team_member, with_device=device).get(DASHBOARD).status_code == 200

    from conftest import make_user
    from clinics.models import Role

    elsewhere = make_user("kim@harbour.test", other_clinic, Role.MEMBER)
    assert signed_in(elsewhere).get("/clinics/harbour/").status_code == 200


@pytest.mark.django_db
def test_the_callers_pages_stay_open_to_a_signed_in_member(requiring, team_member):
    assert signed_in(team_member).get("/w/sunrise/").status_code == 200


@pytest.mark.django_db
def test_the_check_of_open_pages_ends_a_sign_in_without_two_factors_once_required(clinic, clinic_admin, team_member):
    client = signed_in(team_member)
    sign_in = SignIn(client.session.session_key, team_member.pk, clinic.pk)
    assert verdicts_of([sign_in]) == [None]
    do_change_configuration(clinic.pk, actor=clinic_admin, require_two_factors=True)
    assert verdicts_of([sign_in]) == [CLOSE_NOT_SIGNED_IN]

    device, _ = turn_on(team_member)
    verified = signed_in(team_member, with_device=device)
    assert verdicts_of([SignIn(verified.session.session_key, team_member.pk, clinic.pk)]) == [None]


@pytest.mark.django_db(transaction=True)
async def test_a_dashboard_opened_without_two_factors_is_refused_and_an_open_one_closes(
    sockets, monkeypatch, clinic, clinic_admin, team_member
):
    monkeypatch.setattr(verdicts, "CHECK_SECONDS", 1)
    client = await database_sync_to_async(signed_in)(team_member)
    cookie = client.cookies[protocol.SESSION_COOKIE].value
    page = sockets.socket(protocol.dashboard_path("sunrise"), cookie)
    assert (await page.connect(timeout=FRAME))[0]
    assert (await page.receive_json_from(timeout=FRAME))["type"] == "snapshot"

    await database_sync_to_async(do_change_configuration)(clinic.pk, actor=clinic_admin, require_two_factors=True)
    _, code = await frames_until_close(page, 6)
    assert code == CLOSE_NOT_SIGNED_IN

    again = sockets.socket(protocol.dashboard_path("sunrise"), cookie)
    await again.connect(timeout=FRAME)
    assert await closed_with(again) == CLOSE_NOT_SIGNED_IN
