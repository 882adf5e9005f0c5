"""The patient's personal link (/i/<token>/): one button lets them in without
the entry form and onto the waiting page; outside its window, used, cancelled
or unknown, it says so in the patient's language; staff see the appointment
on the caller's card."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone, translation

from clinics.models import Clinic
from integrations import invitations
from realtime.events import caller_card
from waiting.actions import do_leave_waiting_area, do_pause_waiting_area
from waiting.models import Caller, OpeningPeriod
from waiting.snapshots import dashboard_snapshot

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture(autouse=True)
def english_afterwards():
    yield
    translation.activate(settings.LANGUAGE_CODE)


def invite(clinic, at=None, **fields):
    at = at or timezone.now() + timedelta(minutes=10)
    invitation, link = invitations.do_create_invitation(clinic, actor=None, name="Sue Smith", appointment_at=at, **fields)
    return invitation, link.removeprefix(settings.SITE_URL)


def browser(language="en", address="198.51.100.7"):
    return Client(headers={"accept-language": language}, REMOTE_ADDR=address)


def test_the_link_shows_one_button_and_lets_the_patient_in(clinic):
    invitation, path = invite(clinic)
    patient = browser()

    page = patient.get(path)
    assert page.status_code == 200 and "Enter the waiting area" in page.content.decode()
    assert "Sue Smith" not in page.content.decode()  # a forwarded link shows no name
    assert not Caller.objects.exists()  # opening the link (a link preview) uses nothing

    response = patient.post(path)

    assert response.status_code == 302 and response["Location"] == "/w/sunrise/wait/"
    caller = Caller.objects.get()
    assert caller.name == "Sue Smith" and caller.appointment_at == invitation.appointment_at
    assert patient.get("/w/sunrise/wait/").status_code == 200
    assert patient.get("/w/sunrise/").status_code == 302  # the clinic's link knows the visit too


def test_the_same_browser_opening_the_link_again_goes_to_its_waiting_page(clinic):
    invitation, path = invite(clinic)
    patient = browser()
    patient.post(path)

    for again in (patient.get(path), patient.post(path)):
        assert again.status_code == 302 and again["Location"] == "/w/sunrise/wait/"
    assert Caller.objects.count() == 1


def test_a_second_use_of_a_single_use_link_is_refused_in_the_patients_language(clinic):
    invitation, path = invite(clinic)
    browser().post(path)

    english, german = browser("en").get(path), browser("de", "198.51.100.8").post(path)

    assert english.status_code == 410 and "This link has been used already" in english.content.decode()
    assert german.status_code == 410 and "Dieser Link wurde schon verwendet" in german.content.decode()
    assert Caller.objects.count() == 1


def test_after_leaving_the_single_use_link_is_used(clinic):
    invitation, path = invite(clinic)
    patient = browser()
    patient.post(path)
    do_leave_waiting_area(Caller.objects.get().pk)

    response = patient.post(path)

    assert response.status_code == 410 and "used already" in response.content.decode()
    assert Caller.objects.count() == 1


def test_a_multi_use_link_makes_a_new_visit_after_leaving(clinic):
    invitation, path = invite(clinic, single_use=False)
    patient = browser()
    patient.post(path)
    do_leave_waiting_area(Caller.objects.get().pk)

    assert patient.post(path)["Location"] == "/w/sunrise/wait/"
    assert browser(address="198.51.100.9").post(path).status_code == 302
    assert Caller.objects.count() == 3 and Caller.objects.present().count() == 2


def test_before_its_window_the_link_says_when_it_opens_in_the_clinics_time_zone(clinic):
    Clinic.objects.filter(pk=clinic.pk).update(time_zone="Europe/Berlin")
    clinic.refresh_from_db()
    day = (timezone.now().astimezone(BERLIN) + timedelta(days=3)).date()
    invitation, path = invite(clinic, at=datetime.combine(day, time(10, 30), BERLIN))

    english, german = browser("en").get(path), browser("de").get(path)
    refused = browser("en").post(path)

    assert english.status_code == 200
    assert f"This link opens at 10:00 on {day.day} {day:%B}." in english.content.decode()
    assert "Europe/Berlin" in english.content.decode()
    german_month = {1: "Januar", 2: "Februar", 3: "März", 4: "April", 5: "Mai", 6: "Juni", 7: "Juli", 8: "August",
                    9: "September", 10: "Oktober", 11: "November", 12: "Dezember"}[day.month]
    assert f"Dieser Link funktioniert ab 10:00 Uhr am {day.day}. {german_month}." in german.content.decode()
    assert refused.status_code == 403 and not Caller.objects.exists()


def test_an_expired_link_says_so(clinic):
    invitation, path = invite(clinic)
    invitation.valid_until = timezone.now() - timedelta(seconds=1)
    invitation.valid_from = invitation.valid_until - timedelta(hours=1)
    invitation.save()

    english, german = browser("en").get(path), browser("de").post(path)

    assert english.status_code == 410 and "This link has expired" in english.content.decode()
    assert german.status_code == 410 and "Dieser Link ist abgelaufen" in german.content.decode()
    assert not Caller.objects.exists()


def test_a_cancelled_link_says_so(clinic, team_member):
    invitation, path = invite(clinic)
    invitations.do_cancel_invitation(clinic, invitation.pk, actor=team_member)

    response = browser("de").post(path)

    assert response.status_code == 410 and "Diese Termineinladung wurde abgesagt" in response.content.decode()
    assert not Caller.objects.exists()


@pytest.mark.parametrize(
    "token",
    ["x", "A" * 43, "A" * 5000, "%ED%A0%80" * 10, "x%00y" * 10, "1"],
)
def test_an_unknown_or_malformed_link_is_not_found(clinic, token):
    invite(clinic)

    response = browser().post(f"/i/{token}/")

    assert response.status_code == 404 and "This link does not work" in response.content.decode()
    assert not Caller.objects.exists()


def test_the_invitations_language_chooses_the_pages(clinic):
    invitation, path = invite(clinic, language="de")

    page = browser("en").get(path)
    browser("en").post(path)

    assert 'lang="de"' in page.content.decode() and "Wartebereich betreten" in page.content.decode()
    assert Caller.objects.get().language == "de"


def test_the_invited_come_in_while_the_waiting_area_is_closed(clinic):
    today = timezone.now().astimezone(ZoneInfo(clinic.time_zone)).weekday()
    OpeningPeriod.objects.create(clinic=clinic, weekday=(today + 3) % 7, opens=time(8), closes=time(9))
    invitation, path = invite(clinic)
    assert "closed" in browser().get("/w/sunrise/").content.decode()

    response = browser().post(path)

    assert response.status_code == 302 and Caller.objects.get().is_present


def test_while_paused_the_link_shows_the_pause_and_lets_nobody_in(clinic, team_member):
    invitation, path = invite(clinic)
    do_pause_waiting_area(clinic.pk, actor=team_member, message_de="Kurze Pause.")

    page, posted = browser("en").get(path), browser("de").post(path)

    assert page.status_code == 200 and "The waiting area is paused" in page.content.decode()
    assert posted.status_code == 403 and "Kurze Pause." in posted.content.decode()
    assert not Caller.objects.exists()
    invitation.refresh_from_db()
    assert invitation.state() == "open"  # it works once the team resumes


def test_entry_limits_per_address_apply_to_the_link(clinic, settings):
    settings.WAITROOM_ENTRIES_PER_ADDRESS = 1
    invitation, path = invite(clinic, single_use=False)
    browser(address="203.0.113.9").post(path)

    response = browser(address="203.0.113.9").post(path)

    assert response.status_code == 429 and response["Retry-After"]
    assert Caller.objects.count() == 1


def test_staff_see_the_appointment_on_the_callers_card(clinic):
    at = timezone.now() + timedelta(minutes=10)
    invitation, path = invite(clinic, at=at)
    browser().post(path)

    card = dashboard_snapshot(clinic.pk)["cards"][0]

    assert card["name"] == "Sue Smith" and card["appointment_at"] == at.isoformat()
    walk_in = Caller.objects.create(clinic=clinic, name="Walk In")
    assert caller_card(walk_in)["appointment_at"] is None


def test_the_dashboard_has_the_words_and_the_time_zone_for_the_appointment(client, clinic, team_member):
    client.force_login(team_member)

    page = client.get("/clinics/sunrise/", headers={"accept-language": "de"}).content.decode()

    assert '"appointment": "Termin {time}"' in page
    assert f'"time_zone": "{clinic.time_zone}"' in page


def test_the_callers_activity_says_they_came_with_an_invitation(client, clinic, team_member):
    invitation, path = invite(clinic)
    browser().post(path)
    caller = Caller.objects.get()
    client.force_login(team_member)

    events = client.get(f"/clinics/sunrise/callers/{caller.pk}/activity/").json()["events"]

    assert [e["what"] for e in events] == ["Entered the waiting area", "Came in with an appointment invitation"]
