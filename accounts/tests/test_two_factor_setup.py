"""Setting up two factors on /account/: a QR code made here, a code from the
app to confirm it, ten recovery codes shown once; new codes and turning off."""

import re
from urllib.parse import unquote

from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from audit.models import AuditEvent
from conftest import PASSWORD

from .conftest import LIMIT
from .two_factors import app_code, turn_on


def test_it_works(client, team_member):
    client.force_login(team_member)
    account = client.get("/account/").content.decode()
    assert "Two-factor authentication" in account and 'href="/account/two-factor/"' in account

    page = client.get("/account/two-factor/")
    html = page.content.decode()
    assert page.status_code == 200
    (qr,) = re.findall(r'<img class="qr" src="(data:image/svg\+xml[^"]+)"', html)
    device = TOTPDevice.objects.get(user=team_member, confirmed=False)
    assert "otpauth://totp/Waitroom" not in html  # only inside the image
    assert "<svg" in unquote(qr)
    secret = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', html).group(1)
    assert secret.replace(" ", "") in device.config_url

    done = client.post("/account/two-factor/", {"code": app_code(device)})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", done.content.decode())
    assert len(codes) == 10 and len(set(codes)) == 10
    assert two_factor.has_two_factors(team_member)
    assert sorted(StaticToken.objects.values_list("token", flat=True)) == sorted(codes)
    event = AuditEvent.objects.get(action="account.two_factor_enabled")
    assert event.actor == team_member
    assert not any(code in str(event.details) for code in codes)

    assert "You have 10 recovery codes left." in client.get("/account/").content.decode()
    assert client.get("/account/two-factor/").url == "/account/"  # on already


def test_a_reload_keeps_the_secret(client, team_member):
    client.force_login(team_member)
    first = client.get("/account/two-factor/").content.decode()
    second = client.get("/account/two-factor/").content.decode()
    secret = re.compile(r'<code class="secret">([A-Z2-7 ]+)</code>')
    assert secret.search(first).group(1) == secret.search(second).group(1)
    assert TOTPDevice.objects.filter(user=team_member).count() == 1


def test_a_wrong_code_turns_nothing_on(client, team_member):
    client.force_login(team_member)
    client.get("/account/two-factor/")
    response = client.post("/account/two-factor/", {"code": "000000"})
    assert response.status_code == 200
    assert "This code is not right." in response.content.decode()
    assert not two_factor.has_two_factors(team_member)
    assert not AuditEvent.objects.filter(action="account.two_factor_enabled").exists()


def test_new_recovery_codes_replace_the_old(client, team_member):
    _device, old = turn_on(team_member)
    client.force_login(team_member)
    response = client.post("/account/recovery-codes/")
    new = re.findall(r"<li><code>([a-z2-7]+)</code></li>", response.content.decode())
    assert len(new) == 10
    assert set(StaticToken.objects.values_list("token", flat=True)) == set(new)
    assert not set(old) & set(new)
    assert AuditEvent.objects.filter(action="account.recovery_codes_renewed", actor=team_member).exists()


def test_turning_off_asks_for_the_password(client, team_member):
    turn_on(team_member)
    client.force_login(team_member)
    client.post("/account/two-factor/off/", {"password": "not it"})
    assert two_factor.has_two_factors(team_member)
    client.post("/account/two-factor/off/", {"password": PASSWORD})
    assert not two_factor.has_two_factors(team_member)
    assert not StaticToken.objects.exists()
    assert AuditEvent.objects.filter(action="account.two_factor_disabled", actor=team_member).exists()


def test_signed_out_it_asks_to_sign_in(client):
    assert client.get("/account/two-factor/").url.startswith("/login/")
    assert client.post("/account/recovery-codes/").url.startswith("/login/")
    assert client.post("/account/two-factor/off/").url.startswith("/login/")


def test_in_german(client, team_member):
    client.force_login(team_member)
    html = client.get("/account/two-factor/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Zwei-Faktor-Authentifizierung" in html
    assert "Bestätigungscode" in html


def test_guessing_the_password_to_turn_off_meets_the_sign_in_limit(client, team_member):
    turn_on(team_member)
    client.force_login(team_member)
    for _ in range(LIMIT):
        response = client.post("/account/two-factor/off/", {"password": "guess"})
    assert response.status_code == 429
    assert client.post("/account/two-factor/off/", {"password": PASSWORD}).status_code == 429
    assert two_factor.has_two_factors(team_member)
    assert AuditEvent.objects.filter(action="account.locked_out").count() == 1


def test_a_second_factor_removed_ends_every_sign_in(client, team_member):
    """Turned off, or reset by an operator (a lost phone): every session of
    the person ends, everywhere (their open pages close: accounts/sessions)."""
    device, _codes = turn_on(team_member)
    elsewhere = Client()
    for browser in (client, elsewhere):
        browser.force_login(team_member)
        assert browser.get("/account/").status_code == 200
    device.delete()  # as the admin's delete does
    for browser in (client, elsewhere):
        assert browser.get("/account/").url.startswith("/login/")


def test_setting_up_an_app_ends_no_sign_in(client, team_member):
    client.force_login(team_member)
    two_factor.app_being_set_up(team_member).delete()  # an unconfirmed app, never used
    assert client.get("/account/").status_code == 200
