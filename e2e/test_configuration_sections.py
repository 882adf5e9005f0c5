"""General configuration in sections, in a real browser: the clinic admin
opens Privacy from the section navigation, a refused value is summarised at
the top and linked to its field, the fixed value is saved and the change reads
as a sentence. Every section, the 403 and 404 pages and the poster pass
axe-core in English and German."""

import re

import pytest
from playwright.sync_api import expect

from clinics.models import Clinic

from .axe import assert_accessible

SECTIONS = {
    "en": ["Messaging", "Caller pages", "Entry fields", "Privacy"],
    "de": ["Nachrichten", "Anruferseiten", "Eingabefelder", "Datenschutz"],
}


def section_nav(page, language="en"):
    return page.get_by_role("navigation", name={"en": "Settings sections", "de": "Bereiche der Einstellungen"}[language])


def test_an_admin_fixes_a_refused_value_and_reads_the_change_in_words(clinic, alex):
    alex.get_by_role("link", name="General configuration").click()
    expect(alex.get_by_role("heading", name="General configuration")).to_be_visible()
    section_nav(alex).get_by_role("link", name="Privacy").click()
    expect(alex.get_by_role("heading", level=1)).to_have_text("Privacy")
    expect(section_nav(alex).get_by_role("link", name="Privacy")).to_have_attribute("aria-current", "page")

    grace = alex.get_by_role("spinbutton", name="Offline grace period (minutes)")
    expect(grace).to_have_accessible_description(re.compile("keeps their place"))
    grace.fill("0")
    alex.get_by_role("button", name="Save").click()

    summary = alex.get_by_role("alert")
    expect(summary).to_contain_text("Offline grace period (minutes): Ensure this value is greater than or equal to 1.")
    expect(grace).to_have_attribute("aria-invalid", "true")
    expect(grace).to_have_accessible_description(re.compile("keeps their place.*greater than or equal to 1"))
    assert_accessible(alex)
    summary.get_by_role("link").click()
    expect(grace).to_be_focused()
    assert Clinic.objects.get(pk=clinic.pk).offline_grace_minutes == 10  # nothing saved

    grace.fill("15")
    alex.get_by_role("button", name="Save").click()
    expect(alex.get_by_text("The configuration is saved.")).to_be_visible()
    expect(grace).to_have_value("15")
    expect(grace).not_to_have_attribute("aria-invalid", "true")
    expect(alex.get_by_role("listitem").filter(has_text="Alex changed the offline grace period from 10 to 15 minutes")).to_have_count(1)
    assert Clinic.objects.get(pk=clinic.pk).offline_grace_minutes == 15

    # The overview says it too, with the value in words.
    section_nav(alex).get_by_role("link", name="Overview").click()
    expect(alex.get_by_text("15 minutes", exact=True)).to_be_visible()
    expect(alex.get_by_role("listitem").filter(has_text="from 10 to 15 minutes")).to_have_count(1)


@pytest.mark.parametrize("language", ["en", "de"])
def test_every_section_is_accessible(clinic, alex, language):
    alex.set_extra_http_headers({"Accept-Language": language})
    alex.goto(f"/clinics/{clinic.slug}/settings/")
    assert_accessible(alex)
    for title in SECTIONS[language]:
        section_nav(alex, language).get_by_role("link", name=title, exact=True).click()
        expect(alex.get_by_role("heading", level=1)).to_have_text(title)
        assert_accessible(alex)
    # A section with its errors shown.
    alex.goto(f"/clinics/{clinic.slug}/settings/privacy/")
    alex.locator("#id_retention_days").fill("0")
    alex.locator("form.config button[type=submit]").click()
    expect(alex.get_by_role("alert")).to_be_visible()
    assert_accessible(alex)


@pytest.mark.parametrize(
    "language, forbidden, missing",
    [
        ("en", "You may not open this page", "Page not found"),
        ("de", "Sie dürfen diese Seite nicht öffnen", "Seite nicht gefunden"),
    ],
)
def test_the_403_and_404_pages_speak_the_readers_language(clinic, other_clinic, lee, language, forbidden, missing):
    lee.set_extra_http_headers({"Accept-Language": language})
    response = lee.goto(f"/clinics/{clinic.slug}/settings/privacy/")
    assert response.status == 403
    expect(lee.get_by_role("heading", level=1)).to_have_text(forbidden)
    assert lee.evaluate("document.documentElement.lang") == language
    assert_accessible(lee)

    response = lee.goto(f"/clinics/{other_clinic.slug}/settings/")
    assert response.status == 404
    expect(lee.get_by_role("heading", level=1)).to_have_text(missing)
    assert_accessible(lee)


@pytest.mark.parametrize("language, title", [("en", "Your video appointment"), ("de", "Ihr Videotermin")])
def test_the_poster_prints_the_link_and_its_code(clinic, lee, language, title):
    Clinic.objects.filter(pk=clinic.pk).update(language=language)
    lee.set_extra_http_headers({"Accept-Language": language})
    lee.reload()
    lee.get_by_role("link", name={"en": "Poster", "de": "Aushang"}[language]).click()
    poster = lee.get_by_role("article")
    expect(poster.get_by_role("heading", level=1)).to_have_text("Sunrise Clinic")
    expect(poster.get_by_role("heading", level=2)).to_contain_text(title)
    link = poster.locator(".link")
    expect(link).to_have_text(re.compile(r"^https?://.+/w/sunrise/$"))
    qr = poster.get_by_role("img")
    expect(qr).to_have_accessible_name(re.compile("QR"))
    assert lee.evaluate("(img) => img.complete && img.naturalWidth > 0", qr.element_handle())
    assert_accessible(lee)

    lee.emulate_media(media="print")
    expect(lee.locator(".topbar")).to_be_hidden()
    expect(lee.get_by_role("button", name={"en": "Print", "de": "Drucken"}[language])).to_be_hidden()
    expect(qr).to_be_visible()
