"""With two factors on, signing in asks for the app's code after the password;
a recovery code works instead, once. A wrong code counts as a failed sign-in
(the same lockout) and is audited; the admin asks for it too."""

import time

from django.test import Client

from accounts.views import PENDING
from audit.models import AuditEvent
from conftest import PASSWORD

from .conftest import LIMIT, sign_in
from .two_factors import app_code, turn_on


def signed_in_as(client):
    return client.session.get("_auth_user_id")


def enter_code(client, code, *, recovery=False, address="10.0.0.1", next_url=""):
    url = "/login/recovery-code/" if recovery else "/login/code/"
    return client.post(url, {"code": code, "next": next_url}, REMOTE_ADDR=address)


def test_it_asks_for_the_code_after_the_password(client, clinic, team_member):
    device, _codes = turn_on(team_member)
    response = sign_in(client, team_member.username)
    assert response.status_code == 302 and response.url == "/login/code/"
    assert signed_in_as(client) is None
    assert client.get(f"/clinics/{clinic.slug}/").status_code == 302  # not signed in yet

    page = client.get("/login/code/").content.decode()
    assert "Authentication code" in page and 'autocomplete="one-time-code"' in page
    response = enter_code(client, app_code(device, steps_ahead=1))
    assert response.status_code == 302
    assert signed_in_as(client) == str(team_member.pk)
    assert client.get(f"/clinics/{clinic.slug}/").status_code == 200
    event = AuditEvent.objects.get(action="account.signed_in")
    assert event.details["second_factor"] == "app" and event.details["path"] == "/login/code/"


def test_it_keeps_where_the_person_was_going(client, clinic, team_member):
    device, _codes = turn_on(team_member)
    response = client.post("/login/", {"username": team_member.username, "password": PASSWORD, "next": "/account/"})
    assert response.url == "/login/code/?next=%2Faccount%2F"
    response = enter_code(client, app_code(device, steps_ahead=1), next_url="/account/")
    assert response.url == "/account/"


def test_a_wrong_code_is_a_failed_sign_in(client, team_member):
    device, _codes = turn_on(team_member)
    sign_in(client, team_member.username)
    response = enter_code(client, "123456" if app_code(device) != "123456" else "654321")
    assert response.status_code == 200
    assert "This code is not right." in response.content.decode()
    assert signed_in_as(client) is None
    failed = AuditEvent.objects.get(action="account.sign_in_failed")
    assert failed.details["account"] == team_member.pk and failed.details["path"] == "/login/code/"


def test_wrong_codes_lock_the_account_out(client, team_member):
    device, _codes = turn_on(team_member)
    sign_in(client, team_member.username)
    for _ in range(LIMIT):
        response = enter_code(client, "99999999")
    assert response.status_code == 429
    assert "Too many failed sign-ins." in response.content.decode()
    assert AuditEvent.objects.filter(action="account.locked_out").count() == 1
    # The right code is no use now: the password step has to be done again, and is refused.
    assert enter_code(client, app_code(device, steps_ahead=1)).url.startswith("/login/")
    assert sign_in(client, team_member.username).status_code == 429
    assert signed_in_as(client) is None


def test_a_recovery_code_works_once(team_member, settings):
    # django-otp makes a device wait 1, 2, 4 ... seconds after each wrong code;
    # this test types the right one straight after a wrong one.
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
    _device, codes = turn_on(team_member)
    first = Client()
    sign_in(first, team_member.username)
    assert "Recovery code" in first.get("/login/recovery-code/").content.decode()
    assert enter_code(first, codes[0].upper(), recovery=True).status_code == 302
    assert signed_in_as(first) == str(team_member.pk)
    assert AuditEvent.objects.get(action="account.signed_in").details["second_factor"] == "recovery_code"

    again = Client()
    sign_in(again, team_member.username)
    assert enter_code(again, codes[0], recovery=True).status_code == 200
    assert signed_in_as(again) is None
    assert enter_code(again, codes[1], recovery=True).status_code == 302


def test_an_app_code_is_not_a_recovery_code(client, team_member):
    device, _codes = turn_on(team_member)
    sign_in(client, team_member.username)
    assert enter_code(client, app_code(device, steps_ahead=1), recovery=True).status_code == 200
    assert signed_in_as(client) is None


def test_the_code_page_needs_the_password_first(client, team_member):
    turn_on(team_member)
    response = client.get("/login/code/")
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_the_step_between_expires(client, team_member):
    device, _codes = turn_on(team_member)
    sign_in(client, team_member.username)
    session = client.session
    session[PENDING] = {**session[PENDING], "since": time.time() - 6 * 60}
    session.save()
    response = enter_code(client, app_code(device, steps_ahead=1))
    assert response.status_code == 302 and response.url.startswith("/login/")
    assert signed_in_as(client) is None


def test_without_two_factors_the_password_is_enough(client, team_member):
    assert sign_in(client, team_member.username).url == "/clinics/"
    assert signed_in_as(client) == str(team_member.pk)


def test_the_admin_asks_for_the_code_too(client, django_user_model):
    operator = django_user_model.objects.create_superuser("ops@example.com", "ops@example.com", PASSWORD)
    device, _codes = turn_on(operator)
    assert client.get("/admin/login/?next=/admin/").url == "/login/?next=/admin/"
    response = client.post("/login/?next=/admin/", {"username": operator.username, "password": PASSWORD})
    assert response.url == "/login/code/?next=%2Fadmin%2F"
    assert client.get("/admin/").status_code == 302
    response = enter_code(client, app_code(device, steps_ahead=1), next_url="/admin/")
    assert response.url == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_in_german(client, team_member):
    turn_on(team_member)
    sign_in(client, team_member.username)
    html = client.get("/login/code/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Bestätigungscode" in html and "Wiederherstellungscode verwenden" in html
