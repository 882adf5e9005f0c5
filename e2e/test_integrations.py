"""The integrations page in the browser: the clinic admin makes an API key,
sees it once, a practice system uses it, the admin revokes it. The page
passes axe-core in English and German. The API's reference page is tried
with a key, under the site's Content-Security-Policy, from the site's own
files, and passes axe-core in both languages too."""

import json
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from integrations.api_keys import do_create_api_key
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


API_DOCS = {
    "en": {"key": "API key", "try": "Send the request", "answer": "Answer: ", "status": "The clinic's status",
           "notify": "Notify one caller", "unauthorized": "Send a valid API key", "no_key": "Enter an API key above first."},
    "de": {"key": "API-Schlüssel", "try": "Anfrage senden", "answer": "Antwort: ", "status": "The clinic's status",
           "notify": "Notify one caller", "unauthorized": "Senden Sie einen gültigen API-Schlüssel",
           "no_key": "Geben Sie zuerst oben einen API-Schlüssel ein."},
}


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_api_reference_is_tried_with_a_key_and_passes_axe(new_page, live, clinic, clinic_admin, language):
    """A practice system's developer reads /api/docs, tries the clinic's status
    with a key and notifies a waiting caller from the page; a wrong key is
    refused in the reader's language. Everything comes from the site itself."""
    words = API_DOCS[language]
    _key, key = do_create_api_key(clinic, actor=clinic_admin, name="Medisoft PMS", scopes=["read", "notify"])
    sue = make_caller(clinic, name="Sue Smith")
    page = new_page(locale=LOCALE[language])
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto("/api/docs")
    assert_accessible(page)

    status = page.get_by_role("region", name=words["status"])
    send = status.get_by_role("button", name=f"{words['try']} – GET /api/v1/clinic")
    send.click()
    expect(status.get_by_role("status")).to_have_text(words["no_key"])
    expect(page.get_by_label(words["key"], exact=True)).to_be_focused()

    page.get_by_label(words["key"], exact=True).fill("wr_wrong_key")
    send.click()
    expect(status.get_by_role("status")).to_contain_text(f"{words['answer']}401")
    expect(status.get_by_role("status")).to_contain_text(words["unauthorized"])

    page.get_by_label(words["key"], exact=True).fill(key)
    send.click()
    expect(status.get_by_role("status")).to_contain_text(f"{words['answer']}200")
    expect(status.get_by_role("status")).to_contain_text('"name": "Sunrise Clinic"')

    notify = page.get_by_role("region", name=words["notify"])
    notify.get_by_label("caller_id").fill(str(sue.pk))
    notify.get_by_role("textbox", name="JSON").fill(json.dumps({"body": "Dr Lee is running late"}))
    notify.get_by_role("button", name=f"{words['try']} – POST /api/v1/callers/{{caller_id}}/notify").click()
    expect(notify.get_by_role("status")).to_contain_text(f"{words['answer']}200")
    expect(notify.get_by_role("status")).to_contain_text('"sent": 1')
    assert list(sue.messages.values_list("body", flat=True)) == ["Dr Lee is running late"]
    assert_accessible(page)  # with the answers shown

    assert requested and all(url.startswith(live) for url in requested), requested
    assert not [line for line in page.console_lines if "Content Security Policy" in line], page.console_lines
