"""Opening hours and the pause in a real browser: outside the hours the
caller link says the waiting area is closed and when it opens (English and
German); a clinic admin pauses the waiting area and a team member's dashboard
shows it at once, new callers read the pause message, and a resume lets them
in again; the Opening hours page works and passes axe in English and German."""

from datetime import time

import pytest
from playwright.sync_api import expect

from waiting import hours
from waiting.models import ClosedDay, OpeningPeriod

from .axe import assert_accessible
from .helpers import enter_waiting_area


@pytest.fixture
def closed_today(clinic):
    """Open every day 8:00–17:00, but today is a closed date."""
    for day in range(7):
        OpeningPeriod.objects.create(clinic=clinic, weekday=day, opens=time(8), closes=time(17))
    today = hours.today(clinic)
    ClosedDay.objects.create(clinic=clinic, first_day=today, last_day=today, note="Staff training")
    clinic.closed_message_en = "We are closed for staff training today."
    clinic.closed_message_de = "Heute bleiben wir wegen einer Fortbildung geschlossen."
    clinic.save()
    return clinic


@pytest.mark.parametrize(
    "locale, title, message, opens",
    [
        ("en-GB", "The waiting area is closed", "We are closed for staff training today.", "Opens again tomorrow, 8:00"),
        ("de-DE", "Der Wartebereich ist geschlossen", "Heute bleiben wir wegen einer Fortbildung geschlossen.", "Öffnet wieder morgen, 8:00"),
    ],
)
def test_outside_the_hours_the_caller_reads_the_closed_message(new_page, closed_today, locale, title, message, opens):
    page = new_page(locale=locale)
    page.goto("/w/sunrise/")
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    expect(page.get_by_text(message)).to_be_visible()
    expect(page.get_by_text(opens)).to_be_visible()
    expect(page.get_by_role("textbox")).to_have_count(0)  # no entry form
    assert_accessible(page)


def test_a_pause_shows_live_on_every_dashboard_and_new_callers_read_it(clinic, lee, alex, new_page, sue):
    alex.get_by_role("button", name="Pause the waiting area").click()
    dialog = alex.get_by_role("dialog", name="Pause the waiting area")
    dialog.get_by_label("Pause message (English)").fill("Dr Lee was called to an emergency. Please try again at 3 pm.")
    dialog.get_by_role("button", name="Pause", exact=True).click()
    expect(dialog).to_be_hidden()

    # Dr Lee's dashboard is told at once, without a reload.
    expect(lee.get_by_text("Waiting area paused")).to_be_visible()
    expect(lee.get_by_role("button", name="Resume the waiting area")).to_be_visible()
    expect(lee.get_by_role("button", name="Pause the waiting area")).to_be_hidden()
    expect(alex.get_by_text("Waiting area paused")).to_be_visible()
    assert_accessible(lee)

    # A new caller reads the pause message; Sue, already waiting, stays.
    newcomer = new_page()
    newcomer.goto("/w/sunrise/")
    expect(newcomer.get_by_role("heading", name="The waiting area is paused")).to_be_visible()
    expect(newcomer.get_by_text("Dr Lee was called to an emergency.")).to_be_visible()
    expect(sue.get_by_role("heading", name="Waiting for call")).to_be_visible()
    expect(lee.locator("#callers > li")).to_have_count(1)

    # A team member resumes: the admin's dashboard is told, callers come in again.
    lee.get_by_role("button", name="Resume the waiting area").click()
    expect(alex.get_by_text("Waiting area paused")).to_be_hidden()
    expect(alex.get_by_role("button", name="Pause the waiting area")).to_be_visible()
    enter_waiting_area(newcomer, clinic, "Tom Jones")
    expect(lee.locator("#callers > li")).to_have_count(2)


@pytest.mark.parametrize(
    "language, heading, day, saved",
    [
        ("en", "Opening hours", "Monday", "The opening hours are saved."),
        ("de", "Öffnungszeiten", "Montag", "Die Öffnungszeiten sind gespeichert."),
    ],
)
def test_the_opening_hours_page(clinic, alex, language, heading, day, saved):
    alex.set_extra_http_headers({"Accept-Language": language})
    alex.goto("/clinics/sunrise/settings/hours/")
    expect(alex.get_by_role("heading", name=heading)).to_be_visible()
    assert_accessible(alex)

    alex.locator(f"#id_day0_0_opens").fill("08:00")
    alex.locator(f"#id_day0_0_closes").fill("12:00")
    alex.locator(f"#id_day0_1_opens").fill("13:00")
    alex.locator(f"#id_day0_1_closes").fill("17:00")
    expect(alex.get_by_label(f"{day}, ", exact=False).first).to_be_visible()
    alex.locator("form.hours button[type=submit]").click()
    expect(alex.get_by_text(saved)).to_be_visible()
    assert [(p.weekday, p.opens, p.closes) for p in OpeningPeriod.objects.filter(clinic=clinic)] == [
        (0, time(8), time(12)),
        (0, time(13), time(17)),
    ]
    # A closed date, with a mistake first: the error is shown and passes axe too.
    alex.get_by_label("First day" if language == "en" else "Erster Tag").fill("2999-12-31")
    alex.get_by_label("Last day" if language == "en" else "Letzter Tag").fill("2999-12-01")
    alex.locator("form[action$='/closed/'] button[type=submit]").click()
    expect(alex.get_by_role("alert")).to_be_visible()
    assert_accessible(alex)
