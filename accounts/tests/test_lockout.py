"""Sign-in throttling (django-axes): after LIMIT failures for one account, or
from one address, signing in is refused for the cool-off, with a clear message
in the person's language, on /login/ and on /admin/login/ alike."""

import re
from datetime import timedelta

from axes.models import AccessAttempt
from django.core.management import call_command

from conftest import PASSWORD

from .conftest import LIMIT, fail, sign_in


def signed_in_as(client):
    return client.session.get("_auth_user_id")


def test_a_wrong_password_is_answered_as_before(client, team_member):
    response = sign_in(client, team_member.username, "not the password")
    assert response.status_code == 200
    assert "Your email and password didn't match" in response.content.decode()


def test_the_right_password_works_below_the_limit(client, team_member):
    fail(client, team_member.username, LIMIT - 1)
    response = sign_in(client, team_member.username)
    assert response.status_code == 302
    assert signed_in_as(client) == str(team_member.pk)


def test_an_account_is_locked_after_the_limit_from_many_addresses(client, team_member):
    for n in range(LIMIT):
        response = sign_in(client, team_member.username, "not the password", address=f"10.0.1.{n}")
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many failed sign-ins." in html
    assert "signing in is paused for 15 minutes" in html
    # The right password from yet another address: still refused.
    response = sign_in(client, team_member.username, address="10.0.2.1")
    assert response.status_code == 429
    assert signed_in_as(client) is None


def test_an_address_is_locked_after_the_limit_over_many_accounts(client, team_member, clinic_admin):
    for n in range(LIMIT):
        response = sign_in(client, f"nobody{n}@example.com", "guess", address="10.0.0.9")
    assert response.status_code == 429
    # Every account is refused from that address, the right password too ...
    assert sign_in(client, team_member.username, address="10.0.0.9").status_code == 429
    assert signed_in_as(client) is None
    # ... and nobody else is kept out.
    assert sign_in(client, clinic_admin.username, address="10.0.0.10").status_code == 302


def test_an_unknown_account_is_locked_like_a_real_one(client, team_member):
    # The lockout must not tell which accounts exist: the same page for both.
    unknown = fail(client, "nobody@sunrise.test", LIMIT, address="10.0.3.1")
    known = fail(client, team_member.username, LIMIT, address="10.0.3.2")
    assert unknown.status_code == known.status_code == 429
    assert without_csrf_token(unknown) == without_csrf_token(known)


def without_csrf_token(response):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def test_the_message_is_in_german_for_a_german_browser(client, team_member):
    response = fail(client, team_member.username, LIMIT, language="de-DE,de;q=0.9")
    assert response.status_code == 429
    html = response.content.decode()
    assert '<html lang="de">' in html
    assert "Zu viele fehlgeschlagene Anmeldeversuche." in html
    assert "ist die Anmeldung für 15 Minuten gesperrt" in html
    assert "Too many" not in html


def test_the_admin_signs_in_on_the_sign_in_page_with_its_lockout(client, django_user_model):
    operator = django_user_model.objects.create_superuser("ops@example.com", "ops@example.com", PASSWORD)
    assert client.get("/admin/").url == "/admin/login/?next=/admin/"
    # The admin's own password form is gone: nothing is checked there.
    response = sign_in(client, operator.username, path="/admin/login/?next=/admin/")
    assert response.status_code == 302 and response.url == "/login/?next=/admin/"
    assert signed_in_as(client) is None

    fail(client, operator.username, LIMIT)
    assert sign_in(client, operator.username).status_code == 429
    move_back(16)
    assert sign_in(client, operator.username).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_a_signed_in_non_operator_is_refused_by_the_admin(client, team_member):
    client.force_login(team_member)
    assert client.get("/admin/login/?next=/admin/").status_code == 403


def test_tries_during_a_lockout_do_not_make_it_longer(client, team_member):
    fail(client, team_member.username, LIMIT)
    attempts = list(AccessAttempt.objects.values_list("attempt_time", "failures_since_start"))
    fail(client, team_member.username, 3)
    assert list(AccessAttempt.objects.values_list("attempt_time", "failures_since_start")) == attempts


def move_back(minutes):
    """As if the failures so far happened `minutes` earlier."""
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= timedelta(minutes=minutes)
        attempt.save()


def test_the_lockout_ends_after_the_cool_off(client, team_member):
    fail(client, team_member.username, LIMIT)
    move_back(14)
    assert sign_in(client, team_member.username).status_code == 429
    move_back(2)  # 16 minutes now
    assert sign_in(client, team_member.username).status_code == 302
    assert signed_in_as(client) == str(team_member.pk)


def test_the_cool_off_comes_from_the_settings(client, team_member, settings):
    settings.AXES_COOLOFF_TIME = timedelta(minutes=2)
    response = fail(client, team_member.username, LIMIT)
    assert "paused for 2 minutes" in response.content.decode()
    move_back(3)
    assert sign_in(client, team_member.username).status_code == 302


def test_the_limit_comes_from_the_settings(client, team_member, settings):
    settings.AXES_FAILURE_LIMIT = 2
    assert fail(client, team_member.username, 1).status_code == 200
    assert fail(client, team_member.username, 1).status_code == 429


def test_an_operator_ends_a_lockout_with_a_command(client, team_member):
    fail(client, team_member.username, LIMIT)
    call_command("axes_reset_username", team_member.username)
    assert sign_in(client, team_member.username).status_code == 302


def test_an_operator_sees_and_deletes_lockouts_in_the_admin(client, team_member, django_user_model):
    fail(client, team_member.username, LIMIT)
    operator = django_user_model.objects.create_superuser("ops@example.com", "ops@example.com", PASSWORD)
    client.force_login(operator)
    page = client.get("/admin/axes/accessattempt/")
    assert page.status_code == 200
    assert team_member.username in page.content.decode()
    attempt = AccessAttempt.objects.get()
    assert client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"}).status_code == 302
    client.logout()
    assert sign_in(client, team_member.username).status_code == 302
