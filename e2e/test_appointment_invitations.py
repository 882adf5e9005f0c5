"""Appointment invitations in a real browser: a team member invites Sue from
the Appointments page and copies her link; Sue opens it in Chromium, presses
the one button and lands on the waiting screen without the entry form; the
dashboard's card shows her name and "Appointment 10:30"; the single-use link
opened in another browser is refused. Every page passes axe in English and
German."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from integrations import invitations
from waiting import hours

from .axe import assert_accessible
from .helpers import card


def local(clinic, moment):
    return moment.astimezone(hours.zone(clinic))


def test_an_invited_patient_lands_on_the_waiting_screen_and_the_link_works_once(clinic, lee, new_page):
    appointment = local(clinic, timezone.now() + timedelta(minutes=20)).replace(second=0, microsecond=0)
    lee.get_by_role("link", name="Appointments").click()
    lee.get_by_label("Patient's name").fill("Sue Smith")
    lee.get_by_label("Phone number").fill("+49 30 123456")
    lee.get_by_label("Appointment:", exact=True).fill(appointment.strftime("%Y-%m-%dT%H:%M"))
    lee.get_by_role("button", name="Create invitation").click()
    link = lee.get_by_role("textbox", name="The patient's link").input_value()
    lee.get_by_role("button", name="Copy link").click()
    expect(lee.get_by_text("Copied")).to_be_visible()
    assert re.fullmatch(r"http://[^/]+/i/[A-Za-z0-9_-]{43}/", link)
    upcoming = lee.get_by_role("region", name="Upcoming")
    expect(upcoming.get_by_role("row", name=re.compile("Sue Smith"))).to_be_visible()

    sue = new_page()
    sue.goto(link)
    expect(sue.get_by_role("textbox")).to_have_count(0)  # no entry form
    sue.get_by_role("button", name="Enter the waiting area").click()
    expect(sue.get_by_role("heading", name="Waiting for call")).to_be_visible()

    lee.goto("/clinics/sunrise/")
    sues_card = card(lee, "Sue Smith")
    expect(sues_card).to_be_visible()
    # "Appointment 10:30"; twenty minutes ahead may be tomorrow already, which the card names: "Dec 5 00:15".
    day = "" if appointment.date() == local(clinic, timezone.now()).date() else f"{appointment:%b} {appointment.day} "
    when = rf"{re.escape(day)}0?{appointment.hour}:{appointment:%M}"
    expect(sues_card.get_by_text(re.compile(rf"^Appointment {when}$"))).to_be_visible()
    expect(sues_card.get_by_text("+49 30 123456")).to_be_visible()

    # Sue's browser, opening the link again, is back on her waiting screen.
    sue.goto(link)
    expect(sue.get_by_role("heading", name="Waiting for call")).to_be_visible()

    # Anybody else with the link is refused: it worked once.
    other = new_page(locale="de-DE")
    other.goto(link)
    expect(other.get_by_role("heading", name="Dieser Link wurde schon verwendet")).to_be_visible()
    expect(other.get_by_role("button")).to_have_count(0)
    lee.goto("/clinics/sunrise/appointments/")
    expect(lee.get_by_role("region", name="Used").get_by_role("row", name=re.compile("Sue Smith"))).to_be_visible()


@pytest.mark.parametrize("locale, language", [("en-GB", "en"), ("de-DE", "de")])
def test_every_page_of_an_invitation_passes_axe(clinic, team_member, dashboard, new_page, locale, language):
    now = timezone.now()
    cancelled, cancelled_link = invitations.do_create_invitation(
        clinic, actor=None, name="Ann Cancelled", appointment_at=now + timedelta(minutes=5)
    )
    _, soon_link = invitations.do_create_invitation(
        clinic, actor=None, name="Sue Smith", appointment_at=now + timedelta(minutes=5)
    )
    _, later_link = invitations.do_create_invitation(
        clinic, actor=None, name="Bob Later", appointment_at=now + timedelta(days=2)
    )
    expired, expired_link = invitations.do_create_invitation(
        clinic, actor=None, name="Eve Expired", appointment_at=now + timedelta(minutes=5)
    )
    expired.valid_from, expired.valid_until = now - timedelta(hours=3), now - timedelta(hours=1)
    expired.save()
    invitations.do_cancel_invitation(clinic, cancelled.pk, actor=team_member)

    staff = dashboard(team_member)
    staff.set_extra_http_headers({"Accept-Language": language})
    staff.goto("/clinics/sunrise/appointments/")
    expect(staff.get_by_role("heading", name={"en": "Appointments", "de": "Termine"}[language])).to_be_visible()
    assert_accessible(staff)
    staff.get_by_label({"en": "Patient's name", "de": "Name der Patientin / des Patienten"}[language]).fill(" ")
    staff.get_by_role("button", name={"en": "Create invitation", "de": "Einladung erstellen"}[language]).click()
    expect(staff.get_by_role("alert")).to_be_visible()  # the form's errors
    assert_accessible(staff)

    patient = new_page(locale=locale)
    path = lambda link: link[link.index("/i/"):]  # noqa: E731
    for link, heading in [
        (later_link, {"en": "This link opens at", "de": "Dieser Link funktioniert ab"}),
        (expired_link, {"en": "This link has expired", "de": "Dieser Link ist abgelaufen"}),
        (cancelled_link, {"en": "This appointment invitation was cancelled", "de": "Diese Termineinladung wurde abgesagt"}),
        ("/i/" + "A" * 43 + "/", {"en": "This link does not work", "de": "Dieser Link funktioniert nicht"}),
    ]:
        patient.goto(path(link))
        expect(patient.get_by_role("heading", name=re.compile(heading[language]))).to_be_visible()
        assert_accessible(patient)

    patient.goto(path(soon_link))
    button = {"en": "Enter the waiting area", "de": "Wartebereich betreten"}[language]
    assert_accessible(patient)
    patient.get_by_role("button", name=button).click()
    expect(patient.get_by_role("heading", name={"en": "Waiting for call", "de": "Warten auf Anruf"}[language])).to_be_visible()
    assert_accessible(patient)

    again = new_page(locale=locale)
    again.goto(path(soon_link))
    expect(again.get_by_role("heading", name={"en": "This link has been used already", "de": "Dieser Link wurde schon verwendet"}[language])).to_be_visible()
    assert_accessible(again)
