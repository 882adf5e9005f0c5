"""With a passkey, signing in asks for it after the password (a second
factor only: never instead of the password). The app's code and a recovery
code remain other ways. A passkey that does not verify is a failed sign-in."""

import json
import time

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp_webauthn.models import WebAuthnCredential

from accounts.views import PENDING
from audit.models import AuditEvent
from conftest import PASSWORD

from .conftest import LIMIT, sign_in
from .passkeys import Authenticator, add_passkey, b64, passkey_step
from .two_factors import app_code, turn_on


def signed_in_as(client):
    return client.session.get("_auth_user_id")


def with_passkey(user, name="Laptop"):
    """The person adds a passkey on their account page (another browser)."""
    browser = Client()
    browser.force_login(user)
    key, _ = add_passkey(browser, name)
    browser.logout()
    return key


def test_it_works(client, clinic, team_member):
    key = with_passkey(team_member)
    response = sign_in(client, team_member.username)
    assert response.status_code == 302 and response.url == "/login/passkey/"
    assert signed_in_as(client) is None

    page = client.get("/login/passkey/")
    assert "Use your passkey" in page.content.decode()
    assert "publickey-credentials-get=(self)" in page["Permissions-Policy"]
    options = client.post("/login/passkey/options/", content_type="application/json").json()
    assert [c["id"] for c in options["allowCredentials"]] == [b64(key.credential_id)]  # this person's only

    response = client.post("/login/passkey/", {"credential": key.get(options), "next": ""}, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 302 and response.url == "/clinics/"
    assert signed_in_as(client) == str(team_member.pk)
    assert client.get(f"/clinics/{clinic.slug}/").status_code == 200
    passkey = WebAuthnCredential.objects.get(user=team_member)
    assert client.session[DEVICE_ID_SESSION_KEY] == passkey.persistent_id
    assert passkey.last_used_at is not None

    event = AuditEvent.objects.filter(action="account.signed_in").latest("pk")
    assert event.actor == team_member
    assert event.details == {"address": "10.0.0.1", "path": "/login/passkey/", "second_factor": "passkey"}


def test_it_keeps_where_the_person_was_going(client, team_member):
    key = with_passkey(team_member)
    response = client.post("/login/", {"username": team_member.username, "password": PASSWORD, "next": "/account/"})
    assert response.url == "/login/passkey/?next=%2Faccount%2F"
    assert passkey_step(client, key, next_url="/account/").url == "/account/"


def test_the_other_ways_are_offered(client, team_member):
    with_passkey(team_member)
    turn_on(team_member)
    sign_in(client, team_member.username)
    page = client.get("/login/passkey/").content.decode()
    assert 'href="/login/code/"' in page and 'href="/login/recovery-code/"' in page
    assert 'href="/login/passkey/"' in client.get("/login/code/").content.decode()
    # The app's code still signs in.
    device = team_member.totpdevice_set.get()
    response = client.post("/login/code/", {"code": app_code(device, steps_ahead=1)})
    assert response.status_code == 302 and signed_in_as(client) == str(team_member.pk)
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id


def test_without_an_app_no_code_is_offered(client, team_member):
    with_passkey(team_member)
    sign_in(client, team_member.username)
    page = client.get("/login/passkey/").content.decode()
    assert 'href="/login/code/"' not in page and 'href="/login/recovery-code/"' in page


def test_another_persons_passkey_is_refused_and_counted(client, team_member, clinic_admin):
    with_passkey(team_member)
    theirs = with_passkey(clinic_admin, "Admin's key")
    sign_in(client, team_member.username)
    response = passkey_step(client, theirs)
    assert response.status_code == 200 and "did not sign you in" in response.content.decode()
    assert signed_in_as(client) is None
    failed = AuditEvent.objects.get(action="account.sign_in_failed")
    assert failed.details["account"] == team_member.pk and failed.details["path"] == "/login/passkey/"


def test_a_passkey_claiming_another_id_is_refused(client, team_member, clinic_admin):
    mine = with_passkey(team_member)
    theirs = with_passkey(clinic_admin)
    sign_in(client, team_member.username)
    # Signed with the admin's key, naming the member's credential: the signature does not match.
    response = passkey_step(client, theirs, credential_id=mine.credential_id)
    assert signed_in_as(client) is None and response.status_code == 200
    assert AuditEvent.objects.filter(action="account.sign_in_failed").count() == 1


def test_a_passkey_without_the_password_step_is_refused(client, team_member):
    key = with_passkey(team_member)
    signed_in_before = AuditEvent.objects.filter(action="account.signed_in").count()
    refused = client.post("/login/passkey/options/", content_type="application/json")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "sign_in_again"
    # An answer signed for a challenge of another session's password step:
    other = Client()
    sign_in(other, team_member.username)
    options = other.post("/login/passkey/options/", content_type="application/json").json()
    response = client.post("/login/passkey/", {"credential": key.get(options)})
    assert response.status_code == 302 and response.url.startswith("/login/")
    assert signed_in_as(client) is None and DEVICE_ID_SESSION_KEY not in client.session
    assert AuditEvent.objects.filter(action="account.signed_in").count() == signed_in_before


def test_the_password_step_lasts_five_minutes(client, team_member):
    key = with_passkey(team_member)
    sign_in(client, team_member.username)
    options = client.post("/login/passkey/options/", content_type="application/json").json()
    session = client.session
    session[PENDING] = {**session[PENDING], "since": time.time() - 5 * 60 - 1}
    session.save()
    response = client.post("/login/passkey/", {"credential": key.get(options)})
    assert response.url.startswith("/login/") and signed_in_as(client) is None


def test_a_signature_works_once(client, team_member):
    key = with_passkey(team_member)
    sign_in(client, team_member.username)
    options = client.post("/login/passkey/options/", content_type="application/json").json()
    answer = key.get(options)
    assert client.post("/login/passkey/", {"credential": answer}).status_code == 302
    replay = Client()
    sign_in(replay, team_member.username)
    response = replay.post("/login/passkey/", {"credential": answer})
    assert response.status_code == 200 and signed_in_as(replay) is None


def test_failed_passkeys_lock_the_account_out(client, team_member):
    key = with_passkey(team_member)
    stranger = Authenticator()
    sign_in(client, team_member.username)
    for _ in range(LIMIT):
        response = passkey_step(client, stranger)
    assert response.status_code == 429
    assert AuditEvent.objects.filter(action="account.locked_out").count() == 1
    # The right passkey is no use now: the password step has to be done again, and is refused.
    assert client.post("/login/passkey/options/", content_type="application/json").status_code == 403
    assert client.post("/login/passkey/", {"credential": key.get({"challenge": "AAAA"})}).url.startswith("/login/")
    assert sign_in(client, team_member.username).status_code == 429
    assert signed_in_as(client) is None


BAD_CREDENTIALS = ["not json", "[1]", '{"id": "\\ud800"}', '{"id": "' + "x" * 20_000 + '"}', "", '{"id": "x"}']


@pytest.mark.parametrize("credential", BAD_CREDENTIALS)
def test_a_bad_answer_changes_nothing(client, team_member, credential):
    with_passkey(team_member)
    sign_in(client, team_member.username)
    client.post("/login/passkey/options/", content_type="application/json")
    events_before = AuditEvent.objects.count()
    response = client.post("/login/passkey/", {"credential": credential})
    assert signed_in_as(client) is None
    if credential == '{"id": "x"}':  # JSON, but no passkey's answer: a failed try
        assert response.status_code == 200
        return
    assert response.status_code == 400
    assert AuditEvent.objects.count() == events_before  # nothing counted
    assert client.session.get(PENDING)  # the step is still there to try properly


@pytest.mark.parametrize("body", ["not json", "[1]", '{"x": "\\ud800"}', '{"x": "' + "y" * 3_000_000 + '"}'])
def test_a_bad_body_to_the_options_is_refused(client, team_member, body):
    with_passkey(team_member)
    sign_in(client, team_member.username)
    response = client.post("/login/passkey/options/", body, content_type="application/json")
    assert response.status_code == 400
    assert "accounts_passkey_authentication" not in client.session


def test_no_options_for_an_account_without_a_passkey(client, team_member):
    """Options naming no passkey would let the browser offer any passkey it
    has for this site (another person's, on a shared computer)."""
    turn_on(team_member)
    sign_in(client, team_member.username)
    response = client.post("/login/passkey/options/", content_type="application/json")
    assert response.status_code == 400 and response.json()["error"]["code"] == "no_passkey"
    assert "accounts_passkey_authentication" not in client.session


def test_a_signed_in_session_is_not_signed_in_again(client, team_member):
    """The steps are for the pending sign-in only: a session already signed
    in (no password step pending) gets nothing from them."""
    with_passkey(team_member)
    client.force_login(team_member)
    assert client.post("/login/passkey/options/", content_type="application/json").status_code == 403
    assert client.get("/login/passkey/").url.startswith("/login/")


def test_the_audit_row_holds_no_name(client, team_member):
    team_member.first_name, team_member.last_name = "Lee", "Sunrise"
    team_member.save()
    key = with_passkey(team_member, "Lee's laptop")
    sign_in(client, team_member.username)
    passkey_step(client, key)
    for event in AuditEvent.objects.filter(action__startswith="account."):
        text = json.dumps(event.details)
        assert "Lee" not in text and "laptop" not in text and team_member.username not in text


def test_operators_with_a_passkey_have_two_factors(settings, team_member):
    from accounts import two_factor

    settings.REQUIRE_2FA_FOR_OPERATORS = True
    team_member.is_staff = True
    team_member.save()
    assert two_factor.operator_lacks_two_factors(team_member)
    with_passkey(team_member)
    assert not two_factor.operator_lacks_two_factors(team_member)


def test_in_german(client, team_member):
    with_passkey(team_member)
    sign_in(client, team_member.username, language="de")
    html = client.get("/login/passkey/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Passkey verwenden" in html
