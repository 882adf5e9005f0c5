"""The integrations page in the browser: the clinic admin makes an API key,
sees it once, a practice system uses it, the admin revokes it. The page
passes axe-core in English and German. The API's docs page works under the
site's Content-Security-Policy, from the site's own files."""

import json
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from testkit.helpers import make_caller

from .accounts_labels import LOCALE
from .axe import assert_accessible

WORDS = {
    "en": {
        "email": "Email", "password": "Password", "sign_in": "Sign in", "heading": "Integrations",
        "name": "Name", "read": "Read callers' entry fields", "notify": "Notify callers", "make": "Make the key",
        "new_key": "The new key “Medisoft PMS”", "api_key": "API key", "never": "Never", "revoke": "Revoke",
        "revoked": "is revoked", "required": "Give the key a name",
    },
    "de": {
        "email": "E-Mail", "password": "Passwort", "sign_in": "Anmelden", "heading": "Integrationen",
        "name": "Name", "read": "Angaben der Wartenden lesen", "notify": "Wartende benachrichtigen",
        "make": "Schlüssel erstellen", "new_key": "Der neue Schlüssel „Medisoft PMS“", "api_key": "API-Schlüssel",
        "never": "Nie", "revoke": "Widerrufen", "revoked": "ist widerrufen", "required": "Geben Sie dem Schlüssel einen Namen",
    },
}


def call(live, path, key):
    request = urllib.request.Request(f"{live}/api/v1{path}", headers={"Authorization": f"Bearer {key}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.mark.parametrize("language", ["en", "de"])
def test_an_admin_makes_a_key_sees_it_once_and_revokes_it(new_page, live, clinic, clinic_admin, language):
    words = WORDS[language]
    make_caller(clinic, name="Sue Smith")
    page = new_page(locale=LOCALE[language])
    page.goto(f"/login/?next=/clinics/{clinic.slug}/integrations/")
    page.get_by_label(words["email"]).fill(clinic_admin.username)
    page.get_by_label(words["password"], exact=True).fill(PASSWORD)
    page.get_by_role("button", name=words["sign_in"]).click()
    expect(page.get_by_role("heading", name=words["heading"], level=1)).to_be_visible()
    assert_accessible(page)

    # Without a name: the error, said and marked.
    page.get_by_role("button", name=words["make"]).click()
    expect(page.get_by_role("alert")).to_contain_text(words["required"])
    assert_accessible(page)

    page.get_by_role("textbox", name=words["name"]).fill("Medisoft PMS")
    page.get_by_role("checkbox", name=words["read"]).check()
    page.get_by_role("checkbox", name=words["notify"]).check()
    page.get_by_role("button", name=words["make"]).click()
    expect(page.get_by_role("heading", name=words["new_key"])).to_be_visible()
    key = page.get_by_role("textbox", name=words["api_key"]).input_value()
    assert key.startswith("wr_")
    assert_accessible(page)

    status, answer = call(live, "/callers", key)
    assert status == 200
    assert answer["callers"][0]["entry"]["name"] == "Sue Smith"

    page.goto(f"/clinics/{clinic.slug}/integrations/")
    expect(page.get_by_role("row", name="Medisoft PMS")).to_be_visible()
    assert key not in page.content()  # shown once, never again
    assert_accessible(page)

    page.get_by_role("button", name=f"{words['revoke']} – Medisoft PMS").click()
    expect(page.get_by_role("status")).to_contain_text(words["revoked"])
    assert call(live, "/clinic", key)[0] == 401
    assert_accessible(page)


def test_the_api_docs_come_from_the_sites_own_files(new_page, live):
    page = new_page()
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto("/api/docs")

    expect(page.get_by_role("button", name="GET /api/v1/clinic The clinic's status")).to_be_visible()
    expect(page.get_by_role("button", name="POST /api/v1/notify Notify many callers")).to_be_visible()
    assert requested and all(url.startswith(live) for url in requested), requested
    assert not [line for line in page.console_lines if "Content Security Policy" in line], page.console_lines
