"""Changing a password on /password-change/ keeps this session and signs out
every other session of the account; audited."""

from django.test import Client

from audit.models import AuditEvent
from conftest import PASSWORD

from .conftest import LIMIT, sign_in

NEW_PASSWORD = "a brand new long passphrase"


def change(client, old=PASSWORD, new=NEW_PASSWORD):
    return client.post("/password-change/", {"old_password": old, "new_password1": new, "new_password2": new})


def test_it_keeps_this_session_and_ends_the_others(team_member):
    here, elsewhere = Client(), Client()
    assert sign_in(here, team_member.username).status_code == 302
    assert sign_in(elsewhere, team_member.username, address="10.0.0.2").status_code == 302
    assert elsewhere.get("/account/").status_code == 200

    response = change(here)
    assert response.status_code == 302 and response.url == "/account/"
    page = here.get("/account/")
    assert page.status_code == 200
    assert "Your password is changed." in page.content.decode()

    signed_out = elsewhere.get("/account/")
    assert signed_out.status_code == 302 and signed_out.url.startswith("/login/")
    assert sign_in(Client(), team_member.username, NEW_PASSWORD).status_code == 302


def test_it_is_audited_without_a_password(client, team_member):
    client.force_login(team_member)
    change(client)
    event = AuditEvent.objects.get(action="account.password_changed")
    assert event.actor == team_member
    assert PASSWORD not in str(event.details) and NEW_PASSWORD not in str(event.details)


def test_a_wrong_old_password_changes_nothing(client, team_member):
    client.force_login(team_member)
    response = change(client, old="not it")
    assert response.status_code == 200
    assert "Your old password was entered incorrectly." in response.content.decode()
    assert not AuditEvent.objects.filter(action="account.password_changed").exists()
    team_member.refresh_from_db()
    assert team_member.check_password(PASSWORD)


def test_signed_out_it_asks_to_sign_in(client):
    response = client.get("/password-change/")
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_in_german(client, team_member):
    client.force_login(team_member)
    html = client.get("/password-change/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Passwort ändern" in html
    assert "Altes Passwort" in html


def test_guessing_the_old_password_meets_the_sign_in_limit(client, team_member):
    # A stolen session must not be a way around the lockout.
    client.force_login(team_member)
    for _ in range(LIMIT - 1):
        assert change(client, old="guess").status_code == 200
    response = change(client, old="guess")
    assert response.status_code == 429
    assert "Too many failed sign-ins." in response.content.decode()
    # The right old password is refused now, and the password stays.
    assert change(client).status_code == 429
    team_member.refresh_from_db()
    assert team_member.check_password(PASSWORD)
    failed = AuditEvent.objects.filter(action="account.sign_in_failed")
    assert failed.count() == LIMIT  # the refused one was not even checked
    assert {e.details["path"] for e in failed} == {"/password-change/"}
    assert sign_in(Client(), team_member.username).status_code == 429
