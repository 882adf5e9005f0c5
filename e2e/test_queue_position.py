"""Queue position (issue 12): a waiting caller sees their place and the
expected wait, live, in their language; screen readers hear it politely; the
clinic admin turns it on on the Queue settings page."""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from clinics.models import Clinic
from waiting.models import Caller

from .axe import assert_accessible
from .helpers import caller_in_call, join_call


def place(page):
    return page.locator("#queue-position")


def wait(page):
    return page.locator("#queue-wait")


def show_the_queue(clinic, minutes_per_place=4):
    """The clinic shows the queue, and has seen enough callers lately for an
    expected wait: each place took about `minutes_per_place`."""
    Clinic.objects.filter(pk=clinic.pk).update(show_queue_position=True, show_expected_wait=True)
    seen = timezone.now() - timedelta(days=1)
    for _ in range(10):
        Caller.objects.create(
            clinic=clinic,
            name="Earlier",
            arrived_at=seen - timedelta(minutes=minutes_per_place),
            first_seen_at=seen,
            place_on_arrival=1,
            left_at=seen + timedelta(minutes=10),
        )


def test_a_caller_moves_from_2_to_1_when_the_caller_ahead_is_joined(clinic, lee, waiting_caller):
    show_the_queue(clinic)
    sue = waiting_caller("Sue Smith")
    tom = waiting_caller("Tom Berg")
    expect(place(sue)).to_have_text("You are number 1 in the queue")
    expect(place(tom)).to_have_text("You are number 2 in the queue")
    expect(wait(tom)).to_have_text("Expected wait: about 5–10 minutes")
    # Screen readers hear it once, politely (not the live wait timer's every tick).
    news = tom.locator("#queue-news")
    expect(news).to_have_attribute("aria-live", "polite")
    expect(news).to_have_text("You are number 2 in the queue. Expected wait: about 5–10 minutes")
    assert_accessible(tom)

    join_call(lee, "Sue Smith")  # from the dashboard
    caller_in_call(sue)
    expect(place(tom)).to_have_text("You are number 1 in the queue")
    expect(wait(tom)).to_have_text("Expected wait: less than 5 minutes")
    expect(place(sue)).to_be_hidden()  # being seen: not in the queue
    # Told to screen readers at most every 12 seconds after the last time.
    expect(news).to_have_text("You are number 1 in the queue. Expected wait: less than 5 minutes", timeout=16_000)


def test_a_german_caller_reads_their_place_in_german(clinic, new_page, waiting_caller):
    show_the_queue(clinic)
    waiting_caller("Sue Smith")
    page = new_page(locale="de-DE")
    page.goto(f"/w/{clinic.slug}/")
    page.get_by_label("Ihr Name").fill("Tom Berg")
    page.get_by_role("button", name="Wartebereich betreten").click()
    expect(place(page)).to_have_text("Sie sind Nummer 2 in der Warteschlange")
    expect(wait(page)).to_have_text("Voraussichtliche Wartezeit: etwa 5–10 Minuten")
    assert_accessible(page)


def test_the_clinic_admin_turns_the_queue_on(clinic, alex, new_page, waiting_caller):
    alex.goto(f"/clinics/{clinic.slug}/settings/queue/")
    expect(alex.get_by_role("heading", name=re.compile("^Queue"))).to_be_visible()
    assert_accessible(alex)
    sue = waiting_caller("Sue Smith")
    expect(place(sue)).to_be_hidden()

    alex.get_by_label("Show queue position").check()
    alex.get_by_role("button", name="Save").click()
    expect(alex.get_by_text("The configuration is saved.")).to_be_visible()
    expect(alex.get_by_label("Show queue position")).to_be_checked()
    # Sue's open page shows her place without a reload.
    expect(place(sue)).to_have_text("You are number 1 in the queue")

    # The expected wait alone is refused, its error tied to the box.
    alex.get_by_label("Show queue position").uncheck()
    alex.get_by_label("Show expected wait").check()
    alex.get_by_role("button", name="Save").click()
    box = alex.get_by_role("checkbox", name="Show expected wait")
    expect(box).to_have_accessible_description(re.compile("turn that on too"))
    assert_accessible(alex)

    german = new_page(locale="de-DE")
    german.context.add_cookies(alex.context.cookies())
    german.goto(f"/clinics/{clinic.slug}/settings/queue/")
    expect(german.get_by_role("heading", name=re.compile("^Warteschlange"))).to_be_visible()
    expect(german.get_by_label("Position in der Warteschlange anzeigen")).to_be_checked()
    assert_accessible(german)
