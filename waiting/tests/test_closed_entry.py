"""The caller link outside the opening hours and while the waiting area is
paused: it says so in the caller's language, and when it opens again; a
posted entry form is refused with the same page and stores nothing; callers
already in stay and are served."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone, translation

from audit.models import AuditEvent
from realtime.events import callers_group, staff_group
from testkit.helpers import Listener, enter, make_caller
from waiting.actions import do_enter_waiting_area
from waiting.models import Caller, ClosedDay, OpeningPeriod
from waitroom.errors import ActionError

BERLIN = ZoneInfo("Europe/Berlin")
SATURDAY_MORNING = datetime(2025, 1, 11, 10, 0, tzinfo=BERLIN)
MONDAY_MORNING = datetime(2025, 1, 13, 9, 0, tzinfo=BERLIN)


@pytest.fixture(autouse=True)
def english_afterwards():
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def now(monkeypatch):
    """Sets the clock the hours are read by."""

    def set_now(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)

    set_now(SATURDAY_MORNING)
    return set_now


@pytest.fixture
def weekdays(clinic):
    """Open Monday to Friday, 8:00–12:00 and 13:00–17:00."""
    for day in range(5):
        OpeningPeriod.objects.create(clinic=clinic, weekday=day, opens=time(8), closes=time(12))
        OpeningPeriod.objects.create(clinic=clinic, weekday=day, opens=time(13), closes=time(17))
    return clinic


def browser(language):
    return Client(headers={"accept-language": language})


def test_outside_the_hours_the_link_says_closed_and_when_it_opens(weekdays, now):
    weekdays.closed_message_en = "We answer calls on weekdays."
    weekdays.save()
    response = browser("en").get("/w/sunrise/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "The waiting area is closed" in html
    assert "We answer calls on weekdays." in html
    assert "Opens again Monday, 8:00" in html
    assert "Times in the time zone Europe/Berlin." in html
    assert 'name="name"' not in html  # no entry form


def test_a_german_caller_reads_it_in_german(weekdays, now):
    weekdays.closed_message_en = "We answer calls on weekdays."
    weekdays.closed_message_de = "Wir sind werktags für Sie da."
    weekdays.save()
    html = browser("de-DE,de;q=0.9").get("/w/sunrise/").content.decode()
    assert '<html lang="de">' in html
    assert "Der Wartebereich ist geschlossen" in html
    assert "Wir sind werktags für Sie da." in html
    assert "Öffnet wieder Montag, 8:00" in html
    assert "We answer calls" not in html


def test_without_a_german_version_a_german_caller_reads_the_english_one(weekdays, now):
    weekdays.closed_message_en = "We answer calls on weekdays."
    weekdays.save()
    html = browser("de").get("/w/sunrise/").content.decode()
    assert "We answer calls on weekdays." in html
    assert "Öffnet wieder Montag, 8:00" in html


def test_without_a_closed_message_the_standard_one_in_the_callers_language(weekdays, now):
    assert "Please come back during the opening hours." in browser("en").get("/w/sunrise/").content.decode()
    assert "Bitte kommen Sie während der Öffnungszeiten wieder." in browser("de").get("/w/sunrise/").content.decode()


def test_the_clinics_language_chooses_the_version(weekdays, now):
    weekdays.language = "de"
    weekdays.closed_message_en = "We answer calls on weekdays."
    weekdays.closed_message_de = "Wir sind werktags für Sie da."
    weekdays.save()
    html = browser("en").get("/w/sunrise/").content.decode()
    assert "Wir sind werktags für Sie da." in html


@pytest.mark.parametrize(
    "moment, english, german",
    [
        (datetime(2025, 1, 13, 12, 30, tzinfo=BERLIN), "Opens again today, 13:00", "Öffnet wieder heute, 13:00"),
        (datetime(2025, 1, 13, 18, 0, tzinfo=BERLIN), "Opens again tomorrow, 8:00", "Öffnet wieder morgen, 8:00"),
        (datetime(2025, 1, 10, 18, 0, tzinfo=BERLIN), "Opens again Monday, 8:00", "Öffnet wieder Montag, 8:00"),
    ],
)
def test_when_it_opens_again_in_words(weekdays, now, moment, english, german):
    now(moment)
    assert english in browser("en").get("/w/sunrise/").content.decode()
    assert german in browser("de").get("/w/sunrise/").content.decode()


def test_more_than_a_week_ahead_it_gives_the_date(weekdays, now):
    ClosedDay.objects.create(clinic=weekdays, first_day=date(2025, 1, 13), last_day=date(2025, 1, 31), note="Holidays")
    assert "Opens again Monday, 3 February, 8:00" in browser("en").get("/w/sunrise/").content.decode()
    assert "Öffnet wieder Montag, 3. Februar, 8:00" in browser("de").get("/w/sunrise/").content.decode()


def test_the_hours_are_the_clinics_time_zone(weekdays, now):
    weekdays.time_zone = "America/New_York"
    weekdays.save()
    now(MONDAY_MORNING)  # 9:00 in Berlin is 3:00 in New York
    html = browser("en").get("/w/sunrise/").content.decode()
    assert "Opens again today, 8:00" in html
    assert "Times in the time zone America/New_York." in html


def test_a_posted_entry_form_is_refused_and_nothing_is_stored(weekdays, now, django_capture_on_commit_callbacks):
    staff = Listener(staff_group(weekdays.pk), callers_group(weekdays.pk))
    with django_capture_on_commit_callbacks(execute=True):
        response = browser("en").post("/w/sunrise/", {"name": "Sue Smith"})
    assert response.status_code == 403
    assert "The waiting area is closed" in response.content.decode()
    assert "Opens again Monday, 8:00" in response.content.decode()
    assert not Caller.objects.exists()
    assert not AuditEvent.objects.exists()
    assert staff.events() == []


def test_within_the_hours_callers_come_in(weekdays, now):
    now(MONDAY_MORNING)
    caller = enter(Client(), weekdays)
    assert caller.is_present


def test_callers_in_the_waiting_area_stay_when_it_closes(weekdays, now):
    now(datetime(2025, 1, 13, 16, 55, tzinfo=BERLIN))
    client = Client()
    caller = enter(client, weekdays)
    now(datetime(2025, 1, 13, 17, 30, tzinfo=BERLIN))
    # Their link still leads to their waiting page, which stays open.
    response = client.get("/w/sunrise/")
    assert (response.status_code, response["Location"]) == (302, "/w/sunrise/wait/")
    page = client.get("/w/sunrise/wait/")
    assert page.status_code == 200
    assert "Waiting for call" in page.content.decode()
    caller.refresh_from_db()
    assert caller.is_present


def test_the_action_refuses_outside_the_hours(weekdays, now):
    with pytest.raises(ActionError) as refused:
        make_caller(weekdays)
    assert (refused.value.code, refused.value.status) == ("closed", 403)
    assert not Caller.objects.exists()


def test_a_personal_invitation_comes_in_outside_the_hours(weekdays, now):
    # The seam for personal links (issue 14): whoever checks the link passes it on.
    caller = do_enter_waiting_area(weekdays, name="Sue Smith", invitation=object())
    assert caller.is_present


# Paused -------------------------------------------------------------------------


def test_while_paused_the_link_shows_the_pause_message(clinic):
    clinic.paused = True
    clinic.pause_message_en = "Dr Lee was called to an emergency. Please try again in an hour."
    clinic.pause_message_de = "Dr. Lee wurde zu einem Notfall gerufen."
    clinic.save()
    english = browser("en").get("/w/sunrise/").content.decode()
    assert "The waiting area is paused" in english
    assert "Dr Lee was called to an emergency." in english
    assert "Opens again" not in english
    german = browser("de").get("/w/sunrise/").content.decode()
    assert "Der Wartebereich ist pausiert" in german
    assert "Dr. Lee wurde zu einem Notfall gerufen." in german


def test_while_paused_without_a_message_the_standard_one(clinic):
    clinic.paused = True
    clinic.save()
    assert "Please try again later." in browser("en").get("/w/sunrise/").content.decode()
    assert "Bitte versuchen Sie es später noch einmal." in browser("de").get("/w/sunrise/").content.decode()


def test_while_paused_a_posted_form_is_refused_and_nothing_is_stored(clinic):
    clinic.paused = True
    clinic.save()
    response = browser("en").post("/w/sunrise/", {"name": "Sue Smith"})
    assert response.status_code == 403
    assert "The waiting area is paused" in response.content.decode()
    assert not Caller.objects.exists()
    with pytest.raises(ActionError) as refused:
        make_caller(clinic)
    assert refused.value.code == "paused"
    # A pause stops the personally invited too.
    with pytest.raises(ActionError):
        do_enter_waiting_area(clinic, name="Sue Smith", invitation=object())


def test_a_pause_that_came_while_the_form_was_filled_in_is_refused_the_same_way(clinic, monkeypatch):
    # The page was open before the pause; the form arrives after it.
    from types import SimpleNamespace

    from waiting import hours, views

    page_was_open = SimpleNamespace(entry_refusal=lambda clinic, *a, **k: None, Refusal=hours.Refusal)
    monkeypatch.setattr(views, "hours", page_was_open)
    clinic.paused = True
    clinic.save()
    response = browser("en").post("/w/sunrise/", {"name": "Sue Smith"})
    assert response.status_code == 403
    assert "The waiting area is paused" in response.content.decode()
    assert not Caller.objects.exists()


def test_another_clinics_pause_changes_nothing_here(clinic, other_clinic):
    other_clinic.paused = True
    other_clinic.save()
    assert enter(Client(), clinic).is_present
