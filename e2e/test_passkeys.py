"""Passkeys in the browser, with Chromium's virtual authenticator (DevTools
Protocol): added from the account page, then asked for after the password
when signing in. Every page and state passes axe-core, in English and German.

WebAuthn needs a secure context and a domain as the relying party: the tests
open the server as http://localhost:PORT (e2e/servers.py sets the id and
origin to match), not 127.0.0.1 as the other tests do."""

import pytest
from django_otp_webauthn.models import WebAuthnCredential
from playwright.sync_api import expect

from audit.models import AuditEvent
from conftest import PASSWORD

from .accounts_labels import LOCALE, WORDS
from .axe import assert_accessible

PASSKEY_WORDS = {
    "en": {
        "name": "Name of the new passkey",
        "add": "Add a passkey",
        "passkeys": "Passkeys",
        "use": "Use your passkey",
        "not_used": "The passkey was not used",
        "remove": "Remove the passkey Laptop",
        "remove_button": "Remove the passkey",
        "your_password": "Your password",
    },
    "de": {
        "name": "Name des neuen Passkeys",
        "add": "Passkey hinzufügen",
        "passkeys": "Passkeys",
        "use": "Passkey verwenden",
        "not_used": "Der Passkey wurde nicht verwendet",
        "remove": "Passkey Laptop entfernen",
        "remove_button": "Den Passkey entfernen",
        "your_password": "Ihr Passwort",
    },
}


def with_authenticator(page):
    """A passkey authenticator built into this tab (a platform one: Touch ID
    or Windows Hello would be, with the person's fingerprint accepted)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    options = {"protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
               "hasUserVerification": True, "isUserVerified": True}
    authenticator = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": options})["authenticatorId"]
    return cdp, authenticator


def password_step(page, site, words, user, next_url):
    page.goto(f"{site}/login/?next={next_url}")
    page.get_by_label(words["email"]).fill(user.username)
    page.get_by_label(words["password"]).fill(PASSWORD)
    page.get_by_role("button", name=words["sign_in"]).click()


@pytest.mark.parametrize("language", ["en", "de"])
def test_a_passkey_is_added_and_signs_in_after_the_password(live, new_page, clinic, team_member, language):
    site = live.replace("127.0.0.1", "localhost")
    words, passkey_words = WORDS[language], PASSKEY_WORDS[language]
    page = new_page(locale=LOCALE[language])
    cdp, authenticator = with_authenticator(page)

    # Signed in with the password alone, the person adds a passkey.
    password_step(page, site, words, team_member, f"/clinics/{clinic.slug}/")
    expect(page.get_by_role("heading", name=words["waiting_area"])).to_be_visible()
    page.goto(f"{site}/account/")
    page.get_by_label(passkey_words["name"]).fill("Laptop")
    page.get_by_role("button", name=passkey_words["add"]).click()
    # The first second factor: recovery codes, shown once.
    expect(page.get_by_role("heading", name=words["recovery_heading"])).to_be_visible()
    assert len(page.get_by_role("list", name=words["recovery_list"]).get_by_role("listitem").all()) == 10
    page.get_by_role("link", name=words["saved_them"]).click()
    passkeys = page.get_by_role("table", name=passkey_words["passkeys"])
    expect(passkeys.get_by_role("cell", name="Laptop", exact=True)).to_be_visible()
    assert len(cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]) == 1
    assert_accessible(page)
    page.get_by_role("button", name=words["sign_out"]).click()

    # Signing in: the password, then the passkey.
    password_step(page, site, words, team_member, f"/clinics/{clinic.slug}/")
    use = page.get_by_role("button", name=passkey_words["use"])
    expect(use).to_be_visible()
    assert_accessible(page)
    page.wait_for_load_state()  # the passkey script is in (see below)
    use.click()
    expect(page.get_by_role("heading", name=words["waiting_area"])).to_be_visible()
    assert page.url == f"{site}/clinics/{clinic.slug}/"
    event = AuditEvent.objects.filter(action="account.signed_in").latest("pk")
    assert event.details["second_factor"] == "passkey"
    assert WebAuthnCredential.objects.get(user=team_member).last_used_at is not None

    # Another browser, with no passkey of this account: the step says so,
    # and the password step is not undone.
    elsewhere = new_page(locale=LOCALE[language])
    with_authenticator(elsewhere)
    password_step(elsewhere, site, words, team_member, f"/clinics/{clinic.slug}/")
    # Its script asks the browser (a click before it has loaded posts the form
    # with no passkey, and the server says so: right, but not this case).
    elsewhere.wait_for_load_state()
    elsewhere.get_by_role("button", name=passkey_words["use"]).click()
    expect(elsewhere.get_by_role("alert")).to_contain_text(passkey_words["not_used"])
    assert_accessible(elsewhere)

    # Removing the passkey asks for the password and ends the sign-in.
    page.goto(f"{site}/account/")
    page.get_by_role("link", name=passkey_words["remove"]).click()
    assert_accessible(page)
    page.get_by_label(passkey_words["your_password"]).fill(PASSWORD)
    page.get_by_role("button", name=passkey_words["remove_button"]).click()
    expect(page.get_by_role("heading", name=words["sign_in_heading"])).to_be_visible()
    assert not WebAuthnCredential.objects.filter(user=team_member).exists()
