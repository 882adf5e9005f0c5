"""Passkeys on /account/: added with a name (the browser makes them), listed
with when they were added and last used, removed with the password. The
first second factor of any kind brings recovery codes, shown once."""

import json
import re

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticToken
from django_otp_webauthn.models import WebAuthnCredential

from accounts import two_factor
from audit.models import AuditEvent
from conftest import PASSWORD

from .conftest import LIMIT
from .passkeys import Authenticator, add_passkey, b64
from .two_factors import app_code, turn_on

CODE = re.compile(r"<li><code>([a-z2-7]+)</code></li>")


def test_it_works(client, team_member):
    client.force_login(team_member)
    assert not two_factor.has_two_factors(team_member)
    _key, response = add_passkey(client, "Laptop at reception")
    assert response.status_code == 200
    codes = CODE.findall(response.content.decode())
    assert len(codes) == 10  # the first second factor: recovery codes, shown once
    assert sorted(StaticToken.objects.filter(device__user=team_member).values_list("token", flat=True)) == sorted(codes)

    passkey = WebAuthnCredential.objects.get(user=team_member)
    assert passkey.name == "Laptop at reception" and passkey.confirmed
    assert two_factor.has_two_factors(team_member)
    # This session counts as signed in with two factors from now on.
    assert client.session[DEVICE_ID_SESSION_KEY] == passkey.persistent_id

    account = client.get("/account/").content.decode()
    assert "Laptop at reception" in account and "Not yet" in account
    assert f'href="/account/passkeys/{passkey.pk}/remove/"' in account
    assert "You have 10 recovery codes left." in account

    event = AuditEvent.objects.get(action="account.passkey_added")
    assert event.actor == team_member and event.details["passkey"] == passkey.pk
    assert "Laptop" not in json.dumps(event.details)  # the name a person typed is not kept


def test_several_passkeys_and_no_new_recovery_codes(client, team_member):
    client.force_login(team_member)
    _key, first = add_passkey(client, "Laptop")
    codes = CODE.findall(first.content.decode())
    _key, second = add_passkey(client, "Security key")
    assert second.status_code == 302 and second.url == "/account/"
    assert WebAuthnCredential.objects.filter(user=team_member).count() == 2
    assert sorted(StaticToken.objects.values_list("token", flat=True)) == sorted(codes)
    assert "The passkey is added." in client.get("/account/").content.decode()


def test_the_same_authenticator_is_not_added_twice(client, team_member):
    client.force_login(team_member)
    key, _ = add_passkey(client)
    options = client.post("/account/passkeys/options/", content_type="application/json").json()
    assert [c["id"] for c in options["excludeCredentials"]] == [b64(key.credential_id)]
    _key, again = add_passkey(client, authenticator=key)  # a browser that ignored the exclusion
    assert again.status_code == 400
    assert WebAuthnCredential.objects.filter(user=team_member).count() == 1


def test_a_passkey_after_the_app_keeps_the_recovery_codes(client, team_member):
    device, codes = turn_on(team_member)
    client.force_login(team_member)
    session = client.session  # signed in with the app, as the code step does
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    _key, response = add_passkey(client)
    assert response.status_code == 302
    assert sorted(StaticToken.objects.values_list("token", flat=True)) == sorted(codes)
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id  # the device it signed in with


def test_an_app_after_a_passkey_keeps_the_recovery_codes(client, team_member):
    client.force_login(team_member)
    _key, first = add_passkey(client)
    codes = CODE.findall(first.content.decode())
    passkey = WebAuthnCredential.objects.get(user=team_member)
    assert client.get("/account/two-factor/").status_code == 200  # an app may be added too
    device = two_factor.app_being_set_up(team_member)
    response = client.post("/account/two-factor/", {"code": app_code(device)})
    assert response.status_code == 302 and response.url == "/account/"
    assert two_factor.has_app(team_member)
    assert sorted(StaticToken.objects.values_list("token", flat=True)) == sorted(codes)
    assert client.session[DEVICE_ID_SESSION_KEY] == passkey.persistent_id


def test_confirming_the_first_app_records_it_in_the_session(client, team_member):
    client.force_login(team_member)
    client.get("/account/two-factor/")
    device = two_factor.app_being_set_up(team_member)
    assert DEVICE_ID_SESSION_KEY not in client.session
    client.post("/account/two-factor/", {"code": app_code(device)})
    device.refresh_from_db()
    assert device.confirmed and client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id


def test_a_session_from_before_the_first_factor_cannot_add_another(client, team_member):
    """Signed in with the password alone before two factors were on: that
    session must not add a factor of its own (and so count as verified)."""
    old_session = Client()
    old_session.force_login(team_member)
    client.force_login(team_member)
    add_passkey(client)
    refused = old_session.post("/account/passkeys/options/", content_type="application/json")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "sign_in_with_two_factors"
    response = old_session.post("/account/passkeys/", {"name": "Mine", "credential": "{}"})
    assert response.status_code == 403
    assert old_session.get("/account/two-factor/").url == "/account/"
    assert WebAuthnCredential.objects.filter(user=team_member).count() == 1
    assert DEVICE_ID_SESSION_KEY not in old_session.session


@pytest.mark.parametrize(
    "name, why",
    [("", "Give the passkey a name"), ("\u200b \u2800", "Give the passkey a name"), ("x" * 65, "at most 64 characters")],
)
def test_a_passkey_needs_a_name(client, team_member, name, why):
    client.force_login(team_member)
    _key, response = add_passkey(client, name)
    assert response.status_code == 400 and why in response.content.decode()
    assert not WebAuthnCredential.objects.exists()
    assert not StaticToken.objects.exists()


def test_bidi_controls_leave_the_name(client, team_member):
    client.force_login(team_member)
    add_passkey(client, "\u202egnp.exe Laptop")
    assert WebAuthnCredential.objects.get().name == "gnp.exe Laptop"


def test_a_passkey_made_for_another_site_is_refused(client, team_member):
    client.force_login(team_member)
    _key, response = add_passkey(client, authenticator=Authenticator(origin="https://evil.example"))
    assert response.status_code == 400 and "could not be added" in response.content.decode()
    _key, response = add_passkey(client, authenticator=Authenticator(rp_id="evil.example"))
    assert response.status_code == 400
    assert not WebAuthnCredential.objects.exists() and not StaticToken.objects.exists()
    assert not AuditEvent.objects.filter(action="account.passkey_added").exists()


def test_an_answer_works_for_one_challenge_only(client, team_member):
    client.force_login(team_member)
    options = client.post("/account/passkeys/options/", content_type="application/json").json()
    assert client.post("/account/passkeys/", {"name": "A", "credential": Authenticator().create(options)}).status_code == 200
    # Another passkey signing the same challenge (a recorded answer, replayed).
    again = client.post("/account/passkeys/", {"name": "B", "credential": Authenticator().create(options)})
    assert again.status_code == 400 and "took too long" in again.content.decode()
    assert list(WebAuthnCredential.objects.values_list("name", flat=True)) == ["A"]


BAD_JSON = [
    ("not json", "not a passkey"),
    ("[1, 2]", "not a passkey"),
    ('{"id": "x\\ud800"}', "valid Unicode"),
    ('{"id": "' + "x" * 20_000 + '"}', "too long"),
    ("", "did not send a passkey"),
]


@pytest.mark.parametrize("credential, why", BAD_JSON)
def test_a_bad_answer_to_add_changes_nothing(client, team_member, credential, why):
    client.force_login(team_member)
    client.post("/account/passkeys/options/", content_type="application/json")
    response = client.post("/account/passkeys/", {"name": "Laptop", "credential": credential})
    assert response.status_code == 400 and why in response.content.decode()
    assert not WebAuthnCredential.objects.exists() and not StaticToken.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="account.passkey").exists()
    assert DEVICE_ID_SESSION_KEY not in client.session


@pytest.mark.parametrize("body", ["not json", "[1]", '{"x": "\\ud800"}', '{"x": "' + "y" * 3_000_000 + '"}'])
def test_a_bad_body_to_the_options_changes_nothing(client, team_member, body):
    client.force_login(team_member)
    response = client.post("/account/passkeys/options/", body, content_type="application/json")
    assert response.status_code == 400
    assert "accounts_passkey_registration" not in client.session


def test_signed_out_it_asks_to_sign_in(client, team_member):
    response = client.post("/account/passkeys/options/", content_type="application/json")
    assert response.status_code == 401 and response.json()["error"]["code"] == "not_signed_in"
    assert client.post("/account/passkeys/", {"name": "A", "credential": "{}"}).url.startswith("/login/")
    client.force_login(team_member)
    add_passkey(client)
    passkey = WebAuthnCredential.objects.get()
    client.logout()
    assert client.get(f"/account/passkeys/{passkey.pk}/remove/").url.startswith("/login/")
    assert client.post(f"/account/passkeys/{passkey.pk}/remove/", {"password": PASSWORD}).url.startswith("/login/")
    assert WebAuthnCredential.objects.exists()


def test_removing_a_passkey_asks_for_the_password_and_ends_every_sign_in(client, team_member):
    client.force_login(team_member)
    add_passkey(client, "Laptop")
    _key, _ = add_passkey(client, "Phone")
    laptop = WebAuthnCredential.objects.get(name="Laptop")
    elsewhere = Client()
    elsewhere.force_login(team_member)

    page = client.get(f"/account/passkeys/{laptop.pk}/remove/")
    assert page.status_code == 200 and "Laptop" in page.content.decode()
    wrong = client.post(f"/account/passkeys/{laptop.pk}/remove/", {"password": "not it"})
    assert "That was not your password" in wrong.content.decode()
    assert WebAuthnCredential.objects.filter(pk=laptop.pk).exists()
    failed = AuditEvent.objects.get(action="account.sign_in_failed")
    assert failed.details["account"] == team_member.pk

    done = client.post(f"/account/passkeys/{laptop.pk}/remove/", {"password": PASSWORD})
    assert done.status_code == 302
    assert list(WebAuthnCredential.objects.values_list("name", flat=True)) == ["Phone"]
    for browser in (client, elsewhere):
        assert browser.get("/account/").url.startswith("/login/")
    event = AuditEvent.objects.get(action="account.passkey_removed")
    assert event.actor == team_member and event.details == {"passkey": laptop.pk, "address": "127.0.0.1"}
    assert StaticToken.objects.exists()  # the phone's passkey is still a second factor


def test_removing_the_last_passkey_drops_the_recovery_codes(client, team_member):
    client.force_login(team_member)
    add_passkey(client)
    passkey = WebAuthnCredential.objects.get()
    client.post(f"/account/passkeys/{passkey.pk}/remove/", {"password": PASSWORD})
    assert not two_factor.has_two_factors(team_member)
    assert not StaticToken.objects.exists()


def test_guessing_the_password_to_remove_meets_the_sign_in_limit(client, team_member):
    client.force_login(team_member)
    add_passkey(client)
    passkey = WebAuthnCredential.objects.get()
    for _ in range(LIMIT):
        response = client.post(f"/account/passkeys/{passkey.pk}/remove/", {"password": "guess"})
    assert response.status_code == 429
    assert client.post(f"/account/passkeys/{passkey.pk}/remove/", {"password": PASSWORD}).status_code == 429
    assert WebAuthnCredential.objects.exists()


def test_another_persons_passkey_is_not_found(client, team_member, clinic_admin, outsider):
    owner = Client()
    owner.force_login(team_member)
    add_passkey(owner, "Mine")
    passkey = WebAuthnCredential.objects.get()
    for person in (clinic_admin, outsider):
        client.force_login(person)
        assert "Mine" not in client.get("/account/").content.decode()
        assert client.get(f"/account/passkeys/{passkey.pk}/remove/").status_code == 404
        assert client.post(f"/account/passkeys/{passkey.pk}/remove/", {"password": PASSWORD}).status_code == 404
    assert WebAuthnCredential.objects.filter(pk=passkey.pk).exists()
    assert owner.get("/account/").status_code == 200  # nothing ended


def test_turning_two_factors_off_removes_the_passkeys_too(client, team_member):
    client.force_login(team_member)
    add_passkey(client)
    client.post("/account/two-factor/off/", {"password": PASSWORD})
    assert not WebAuthnCredential.objects.exists() and not StaticToken.objects.exists()
    assert not two_factor.has_two_factors(team_member)


def test_who_has_two_factors(team_member, clinic_admin, outsider):
    turn_on(team_member)
    WebAuthnCredential.objects.create(user=clinic_admin, name="Key", credential_id=b"1", public_key=b"k", confirmed=True)
    WebAuthnCredential.objects.create(user=outsider, name="Key", credential_id=b"2", public_key=b"k", confirmed=False)
    assert two_factor.has_two_factors(team_member)  # an app
    assert two_factor.has_two_factors(clinic_admin)  # a passkey
    assert not two_factor.has_two_factors(outsider)  # a passkey an operator turned off


def test_the_account_page_may_ask_for_passkeys_and_no_other_page_may(client, team_member, clinic):
    client.force_login(team_member)
    policy = client.get("/account/")["Permissions-Policy"]
    assert "publickey-credentials-create=(self)" in policy and "publickey-credentials-get=(self)" in policy
    assert "camera=()" in policy
    policy = client.get(f"/clinics/{clinic.slug}/")["Permissions-Policy"]
    assert "publickey-credentials-create=()" in policy and "publickey-credentials-get=()" in policy


def test_in_german(client, team_member):
    client.force_login(team_member)
    add_passkey(client, "Laptop")
    html = client.get("/account/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Passkey hinzufügen" in html and "Noch nie" in html


def test_an_operator_deletes_a_lost_passkey_in_the_admin(client, admin_client, team_member):
    client.force_login(team_member)
    add_passkey(client)
    passkey = WebAuthnCredential.objects.get()
    url = f"/admin/django_otp_webauthn/webauthncredential/{passkey.pk}/delete/"
    assert admin_client.get("/admin/django_otp_webauthn/webauthncredential/").status_code == 200
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not WebAuthnCredential.objects.exists()
    assert client.get("/account/").url.startswith("/login/")  # their sign-ins ended
