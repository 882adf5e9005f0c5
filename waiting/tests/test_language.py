"""German and English: the caller pages speak the clinic's language (or the
browser's), the staff pages the browser's, and the texts handed to the pages'
scripts (the "page-data" JSON) are translated like the rest.

Refresh the catalogue after adding strings:
    .venv/bin/python manage.py makemessages -l de --ignore=.venv --ignore=var --ignore=e2e --ignore=bench
    (translate the new entries in locale/de/LC_MESSAGES/django.po)
    .venv/bin/python manage.py compilemessages -l de --ignore=.venv
"""

import ast
import gettext
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from waiting import strings
from waiting.models import Caller

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
PO = LOCALE_DIR / "de" / "LC_MESSAGES" / "django.po"
MO = LOCALE_DIR / "de" / "LC_MESSAGES" / "django.mo"

# Keys whose German text is rightly the same as the English one.
SAME_IN_GERMAN = {"status_offline"}

PAGE_DATA = re.compile(r'<script id="page-data" type="application/json">(.*?)</script>', re.S)


@pytest.fixture(autouse=True)
def english_afterwards():
    # The caller views activate the clinic's language for the rest of the
    # thread: leave the next test (maybe someone else's) in the default.
    yield
    translation.activate(settings.LANGUAGE_CODE)


def browser(language):
    return Client(headers={"accept-language": language})


def page_data(response):
    match = PAGE_DATA.search(response.content.decode())
    assert match, "the page has no page-data JSON"
    return json.loads(match.group(1))


def enter(client, clinic, name="Sue Smith"):
    response = client.post(reverse("waiting:enter", args=[clinic.slug]), {"name": name})
    assert response.status_code == 302, response.content.decode()
    return client.get(response["Location"])


def english_and_german(build):
    with translation.override("en"):
        english = build()
    with translation.override("de"):
        german = build()
    return english, german


# --- caller pages, browser language ---------------------------------------


def test_entry_page_in_german_for_a_german_browser(clinic):
    response = browser("de").get(reverse("waiting:enter", args=[clinic.slug]))
    html = response.content.decode()
    assert '<html lang="de">' in html
    assert "Willkommen bei Sunrise Clinic" in html
    assert "Ihr Name" in html
    assert "Wartebereich betreten" in html
    assert "Sie werden 30 Tage nach Ihrem Besuch gelöscht." in html
    assert "Welcome to" not in html
    assert response["Content-Language"] == "de"


def test_entry_page_in_english_by_default(clinic):
    for client in (Client(), browser("en"), browser("fr")):
        html = client.get(reverse("waiting:enter", args=[clinic.slug])).content.decode()
        assert '<html lang="en">' in html
        assert "Welcome to Sunrise Clinic" in html
        assert "Willkommen" not in html


def test_plural_of_retention_days(clinic):
    clinic.retention_days = 1
    clinic.save()
    html = browser("de").get(reverse("waiting:enter", args=[clinic.slug])).content.decode()
    assert "Sie werden 1 Tag nach Ihrem Besuch gelöscht." in html


def test_entry_form_errors_in_german(clinic):
    response = browser("de").post(
        reverse("waiting:enter", args=[clinic.slug]), {"name": "Sue Smith", "phone": "call me"}
    )
    assert response.status_code == 200
    assert "Bitte geben Sie eine Telefonnummer nur mit Ziffern ein" in response.content.decode()


def test_waiting_page_in_german_for_a_german_browser(clinic):
    response = enter(browser("de"), clinic)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="de">' in html
    assert "Warten auf Anruf" in html
    assert "Bitte bleiben Sie auf dieser Seite." in html  # the standard waiting text
    assert "Nachrichten der Klinik erscheinen hier." in html
    assert 'placeholder="Nachricht eingeben"' in html
    assert "Wartebereich verlassen" in html
    assert "Waiting for call" not in html

    data = page_data(response)["strings"]
    assert data["waiting"] == "Warten auf Anruf"
    assert data["on_hold"] == "Sie sind in der Warteschleife"
    assert data["minutes"] == "{n} Min."
    assert data["err_rate_limited"].startswith("Sie senden Nachrichten zu schnell")


def test_ended_page_in_german(clinic):
    client = browser("de")
    enter(client, clinic)
    html = client.post(reverse("waiting:leave", args=[clinic.slug]), follow=True).content.decode()
    assert "Ihr Besuch ist beendet" in html
    assert "Sie haben den Wartebereich verlassen." in html
    assert "Wartebereich erneut betreten" in html


# --- caller pages, clinic language -----------------------------------------


def test_clinic_language_german_wins_over_an_english_browser(clinic):
    clinic.language = "de"
    clinic.save()
    client = browser("en-GB,en;q=0.9")

    entry = client.get(reverse("waiting:enter", args=[clinic.slug]))
    assert "Willkommen bei Sunrise Clinic" in entry.content.decode()
    assert entry["Content-Language"] == "de"

    waiting = enter(client, clinic)
    html = waiting.content.decode()
    assert '<html lang="de">' in html
    assert "Warten auf Anruf" in html
    assert page_data(waiting)["strings"]["waiting"] == "Warten auf Anruf"

    ended = client.post(reverse("waiting:leave", args=[clinic.slug]), follow=True).content.decode()
    assert "Ihr Besuch ist beendet" in ended


def test_clinic_language_english_wins_over_a_german_browser(clinic):
    clinic.language = "en"
    clinic.save()
    client = browser("de")
    entry = client.get(reverse("waiting:enter", args=[clinic.slug])).content.decode()
    assert "Welcome to Sunrise Clinic" in entry
    waiting = enter(client, clinic)
    assert "Waiting for call" in waiting.content.decode()
    assert page_data(waiting)["strings"]["waiting"] == "Waiting for call"


def test_clinic_waiting_text_is_shown_as_written(clinic):
    clinic.waiting_text_de = "Dr Lee ist heute etwas später."
    clinic.save()
    html = enter(browser("de"), clinic).content.decode()
    assert "Dr Lee ist heute etwas später." in html


# --- staff pages -----------------------------------------------------------


def staff_browser(user, language):
    client = browser(language)
    client.force_login(user)
    return client


def test_dashboard_follows_a_german_browser(clinic, team_member):
    Caller.objects.create(clinic=clinic, name="Sue Smith")
    client = staff_browser(team_member, "de-DE,de;q=0.9,en;q=0.5")
    response = client.get(reverse("waiting:dashboard", args=[clinic.slug]))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="de">' in html
    assert "Wartebereich" in html
    assert ">Benachrichtigen</button>" in html
    assert "Antwort ausstehend" in html
    assert 'placeholder="Nachricht eingeben"' in html
    # The status filters come from the model's choices.
    for label in ("Wartend", "Wird gesehen", "In der Warteschleife", "Offline"):
        assert f"> {label} <" in html, label
    assert "Abmelden" in html

    data = page_data(response)["strings"]
    assert data["status_waiting"] == "Wartend"
    assert data["status_being_seen"] == "Wird gesehen"
    assert data["status_on_hold"] == "In der Warteschleife"
    assert data["notify"] == "Benachrichtigen"
    assert data["notify_many_title"] == "Angezeigte Anrufer benachrichtigen"
    assert data["reach_many"] == "Diese Nachricht erreicht {n} Anrufer: {detail}."


def test_dashboard_in_english_for_an_english_browser_whatever_the_clinic_language(clinic, team_member):
    # The clinic's language is for the caller pages only.
    clinic.language = "de"
    clinic.save()
    response = staff_browser(team_member, "en").get(reverse("waiting:dashboard", args=[clinic.slug]))
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert ">Notify</button>" in html
    assert page_data(response)["strings"]["status_waiting"] == "Waiting"
    assert "Wartend" not in html


def test_configuration_and_sign_in_in_german(clinic, clinic_admin):
    html = browser("de").get(reverse("login")).content.decode()
    assert "Anmeldung für Mitarbeitende" in html
    client = staff_browser(clinic_admin, "de")
    html = client.get(reverse("clinics:configuration", args=[clinic.slug])).content.decode()
    assert "Allgemeine Konfiguration" in html
    assert "Gastbenachrichtigungen aktivieren" in html
    assert "Browsersprache des Anrufers" in html


# --- the strings handed to scripts -----------------------------------------


@pytest.mark.parametrize("build", [strings.caller_page, strings.dashboard_page])
def test_every_script_string_is_translated(build):
    english, german = english_and_german(build)
    assert english.keys() == german.keys()
    untranslated = [k for k in english if k not in SAME_IN_GERMAN and english[k] == german[k]]
    assert not untranslated, f"not translated into German (refresh locale/, see the module docstring): {untranslated}"


@pytest.mark.parametrize("build", [strings.caller_page, strings.dashboard_page])
def test_script_strings_keep_their_placeholders(build):
    english, german = english_and_german(build)
    placeholder = re.compile(r"\{\w+\}")
    for key in english:
        assert sorted(placeholder.findall(english[key])) == sorted(placeholder.findall(german[key])), key


# --- the catalogue itself --------------------------------------------------


def po_entries(text):
    """(msgid, msgstrs, flags) of each entry of a .po file, header excluded."""
    entries = []
    for block in text.split("\n\n"):
        fields, current, flags = {}, None, []
        for line in block.splitlines():
            if line.startswith("#,"):
                flags += [f.strip() for f in line[2:].split(",")]
            match = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d\])?) "(.*)"$', line)
            if match:
                current = match.group(1)
                fields[current] = match.group(2)
            elif line.startswith('"') and current:
                fields[current] += line[1:-1]
        if fields.get("msgid"):
            msgstrs = [v for k, v in fields.items() if k.startswith("msgstr")]
            # A word that means different things in different places has a
            # context ("Remove" a passkey, a team member): gettext keys it so.
            msgid = f"{fields['msgctxt']}\x04{fields['msgid']}" if "msgctxt" in fields else fields["msgid"]
            entries.append((msgid, fields.get("msgid_plural"), msgstrs, flags))
    return entries


def unescape(s):
    return ast.literal_eval(f'"{s}"')  # .po strings use C escapes, as Python does


def test_catalogue_is_complete_and_compiled():
    entries = po_entries(PO.read_text(encoding="utf-8"))
    assert entries
    assert not [e[0] for e in entries if "fuzzy" in e[3]], "fuzzy entries in the German catalogue"
    assert not [e[0] for e in entries if not all(e[2])], "untranslated entries in the German catalogue"
    # The .mo in the repo must be compiled from this .po (clinics need no gettext tools).
    with MO.open("rb") as f:
        compiled = gettext.GNUTranslations(f)
    for msgid, plural, msgstrs, _flags in entries:
        if plural is None:
            assert compiled.gettext(unescape(msgid)) == unescape(msgstrs[0]), f"{msgid!r}: run compilemessages"
        else:
            assert compiled.ngettext(unescape(msgid), unescape(plural), 1) == unescape(msgstrs[0]), msgid
            assert compiled.ngettext(unescape(msgid), unescape(plural), 5) == unescape(msgstrs[1]), msgid


def test_catalogue_keeps_placeholders():
    placeholder = re.compile(r"\{\w+\}|%\(\w+\)[sd]")
    for msgid, plural, msgstrs, _flags in po_entries(PO.read_text(encoding="utf-8")):
        wanted = sorted(placeholder.findall(msgid))
        for msgstr in msgstrs:
            assert sorted(placeholder.findall(msgstr)) == wanted, msgid
