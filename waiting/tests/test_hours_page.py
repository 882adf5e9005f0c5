"""The Opening hours page (/clinics/<slug>/settings/hours/): clinic admins
set the weekly periods and breaks, the time zone, the closed message and the
closed dates; every change is in the audit trail in words."""

from datetime import date, time, timedelta

import pytest
from django.test import Client

from audit.models import AuditEvent
from clinics.models import Clinic
from testkit.helpers import enter
from waiting import hours
from waiting.hours_page import HoursForm
from waiting.models import ClosedDay, OpeningPeriod

URL = "/clinics/sunrise/settings/hours/"
ADD = "/clinics/sunrise/settings/hours/closed/"


def signed_in(user, language="en"):
    client = Client(headers={"accept-language": language})
    client.force_login(user)
    return client


def form_data(clinic, week=None, **fields):
    """The page's form as the browser posts it; `week`: {weekday: ["08:00-12:00", …]}."""
    data = {
        "time_zone": clinic.time_zone,
        "closed_message_en": clinic.closed_message_en,
        "closed_message_de": clinic.closed_message_de,
    }
    for day, periods in (week or {}).items():
        for slot, period in enumerate(periods):
            opens, closes = period.split("-")
            data[HoursForm.name(day, slot, "opens")] = opens
            data[HoursForm.name(day, slot, "closes")] = closes
    return data | fields


def stored_week(clinic):
    return [(p.weekday, f"{p.opens:%H:%M}", f"{p.closes:%H:%M}") for p in OpeningPeriod.objects.filter(clinic=clinic)]


def hours_events():
    return AuditEvent.objects.filter(action__in=["clinic.hours_changed", "clinic.closed_days_added", "clinic.closed_days_removed"])


def test_an_admin_sets_weekdays_with_a_lunch_break(clinic, clinic_admin):
    client = signed_in(clinic_admin)
    week = {day: ["08:00-12:00", "13:00-17:00"] for day in range(5)}
    response = client.post(URL, form_data(clinic, week, closed_message_en="Weekdays only."))
    assert (response.status_code, response["Location"]) == (302, URL)
    assert stored_week(clinic) == [(d, o, c) for d in range(5) for o, c in (("08:00", "12:00"), ("13:00", "17:00"))]
    clinic.refresh_from_db()
    assert clinic.closed_message_en == "Weekdays only."

    event = AuditEvent.objects.get(action="clinic.hours_changed")
    assert (event.actor, event.clinic) == (clinic_admin, clinic)
    assert event.details["changes"]["monday"] == ["", "08:00–12:00, 13:00–17:00"]
    assert event.details["changes"]["closed_message_en"] == ["", "Weekdays only."]
    assert "saturday" not in event.details["changes"]

    page = client.get(URL).content.decode()
    assert "The opening hours are saved." in page
    assert 'value="13:00"' in page
    trail = client.get("/clinics/sunrise/audit/").content.decode()
    assert "Changed the opening hours" in trail


def test_a_night_period_and_a_new_time_zone(clinic, clinic_admin):
    client = signed_in(clinic_admin)
    client.post(URL, form_data(clinic, {4: ["22:00-02:00"]}, time_zone="Europe/London"))
    assert stored_week(clinic) == [(4, "22:00", "02:00")]
    clinic.refresh_from_db()
    assert clinic.time_zone == "Europe/London"
    changes = AuditEvent.objects.get(action="clinic.hours_changed").details["changes"]
    assert changes["time_zone"] == ["Europe/Berlin", "Europe/London"]
    assert changes["friday"] == ["", "22:00–02:00"]


def test_clearing_a_day_removes_its_periods(clinic, clinic_admin):
    OpeningPeriod.objects.create(clinic=clinic, weekday=0, opens=time(8), closes=time(12))
    OpeningPeriod.objects.create(clinic=clinic, weekday=1, opens=time(8), closes=time(12))
    signed_in(clinic_admin).post(URL, form_data(clinic, {1: ["08:00-12:00"]}))
    assert stored_week(clinic) == [(1, "08:00", "12:00")]
    assert AuditEvent.objects.get(action="clinic.hours_changed").details["changes"] == {"monday": ["08:00–12:00", ""]}


def test_nothing_is_recorded_when_nothing_changed(clinic, clinic_admin):
    OpeningPeriod.objects.create(clinic=clinic, weekday=0, opens=time(8), closes=time(12))
    signed_in(clinic_admin).post(URL, form_data(clinic, {0: ["08:00-12:00"]}))
    assert not hours_events().exists()


@pytest.mark.parametrize(
    "week, fields, error",
    [
        ({0: ["08:00-08:00"]}, {}, "A period must close at another time than it opens."),
        ({0: ["08:00-12:00", "11:00-14:00"]}, {}, "The periods of one day overlap."),
        ({}, {HoursForm.name(0, 0, "opens"): "08:00"}, "Give both times of the period, or neither."),
        ({}, {HoursForm.name(0, 0, "opens"): "25:00", HoursForm.name(0, 0, "closes"): "26:00"}, "Enter a valid time."),
        ({}, {"time_zone": "Mars/Olympus"}, "Select a valid choice."),
        ({}, {"closed_message_en": "x" * 2001}, "Ensure this value has at most 2000 characters"),
    ],
)
def test_hours_that_cannot_be_meant_are_refused_and_nothing_changes(clinic, clinic_admin, week, fields, error):
    OpeningPeriod.objects.create(clinic=clinic, weekday=2, opens=time(8), closes=time(12))
    # Together with a valid change: that one must not be saved either.
    response = signed_in(clinic_admin).post(URL, form_data(clinic, {2: ["09:00-12:00"], **week}, **fields))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="error" role="alert"' in html
    assert error in html
    assert stored_week(clinic) == [(2, "08:00", "12:00")]
    assert Clinic.objects.get(pk=clinic.pk).time_zone == "Europe/Berlin"
    assert not hours_events().exists()


def test_the_page_says_whether_the_waiting_area_is_open_now(clinic, clinic_admin):
    client = signed_in(clinic_admin)
    assert "The waiting area is open: new callers come in." in client.get(URL).content.decode()
    ClosedDay.objects.create(clinic=clinic, first_day=hours.today(clinic), last_day=hours.today(clinic))
    assert "The waiting area is closed now. Opens again tomorrow, 0:00" in client.get(URL).content.decode()


def test_the_page_in_german(clinic, clinic_admin):
    html = signed_in(clinic_admin, "de").get(URL).content.decode()
    assert '<html lang="de">' in html
    assert "Öffnungszeiten" in html
    assert "Nachricht bei geschlossenem Wartebereich (Deutsch)" in html
    assert "Montag" in html and "Schließtage" in html


# Closed dates ---------------------------------------------------------------


def test_an_admin_adds_and_removes_closed_dates(clinic, clinic_admin):
    client = signed_in(clinic_admin)
    first = hours.today(clinic) + timedelta(days=10)
    response = client.post(
        ADD, {"closed-first_day": first.isoformat(), "closed-last_day": (first + timedelta(days=2)).isoformat(), "closed-note": "Christmas"}
    )
    assert (response.status_code, response["Location"]) == (302, URL)
    closed = ClosedDay.objects.get(clinic=clinic)
    assert (closed.first_day, closed.last_day, closed.note) == (first, first + timedelta(days=2), "Christmas")
    added = AuditEvent.objects.get(action="clinic.closed_days_added")
    assert added.details == {"from": first.isoformat(), "to": (first + timedelta(days=2)).isoformat(), "note": "Christmas"}
    assert "Christmas" in client.get(URL).content.decode()

    response = client.post(f"{ADD}{closed.pk}/remove/")
    assert response.status_code == 302
    assert not ClosedDay.objects.exists()
    assert AuditEvent.objects.get(action="clinic.closed_days_removed").actor == clinic_admin
    assert "Removed closed dates" in client.get("/clinics/sunrise/audit/").content.decode()


def test_one_closed_day_needs_no_last_day(clinic, clinic_admin):
    day = hours.today(clinic) + timedelta(days=1)
    signed_in(clinic_admin).post(ADD, {"closed-first_day": day.isoformat()})
    closed = ClosedDay.objects.get()
    assert (closed.first_day, closed.last_day) == (day, day)


@pytest.mark.parametrize(
    "data, error",
    [
        ({}, "This field is required."),
        ({"closed-first_day": "soon"}, "Enter a valid date."),
        ({"closed-first_day": "+10", "closed-last_day": "+9"}, "The last day is before the first day."),
        ({"closed-first_day": "-3", "closed-last_day": "-1"}, "These dates are over."),
        ({"closed-first_day": "+1", "closed-last_day": "+200"}, "Close at most 92 days at once."),
        ({"closed-first_day": "1999-12-31"}, "Choose a date in the years 2000 to 2999."),
        ({"closed-first_day": "+1", "closed-note": "x" * 101}, "Ensure this value has at most 100 characters"),
    ],
)
def test_bad_closed_dates_are_refused_and_nothing_is_stored(clinic, clinic_admin, data, error):
    today = hours.today(clinic)
    data = {k: (today + timedelta(days=int(v))).isoformat() if v[:1] in "+-" and k != "closed-note" else v for k, v in data.items()}
    response = signed_in(clinic_admin).post(ADD, data)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not ClosedDay.objects.exists()
    assert not hours_events().exists()


def test_another_clinics_closed_dates_cannot_be_removed(clinic, other_clinic, clinic_admin):
    theirs = ClosedDay.objects.create(clinic=other_clinic, first_day=date(2030, 1, 1), last_day=date(2030, 1, 1))
    assert signed_in(clinic_admin).post(f"{ADD}{theirs.pk}/remove/").status_code == 404
    assert ClosedDay.objects.filter(pk=theirs.pk).exists()
    assert not hours_events().exists()


# Whoever may not --------------------------------------------------------------


@pytest.mark.parametrize("method, url", [("get", URL), ("post", URL), ("post", ADD), ("post", f"{ADD}1/remove/")])
def test_a_team_member_gets_the_403_page(clinic, team_member, method, url):
    ClosedDay.objects.create(pk=1, clinic=clinic, first_day=date(2030, 1, 1), last_day=date(2030, 1, 1))
    response = getattr(signed_in(team_member), method)(url, form_data(clinic, {0: ["08:00-12:00"]}) if method == "post" else None)
    assert response.status_code == 403
    assert "<html" in response.content.decode()  # the site's page, not a bare word
    assert not OpeningPeriod.objects.exists()
    assert ClosedDay.objects.count() == 1


@pytest.mark.parametrize("method, url", [("get", URL), ("post", URL), ("post", ADD), ("post", f"{ADD}1/remove/")])
def test_another_clinics_admin_gets_404(clinic, other_clinic, outsider, method, url):
    ClosedDay.objects.create(pk=1, clinic=clinic, first_day=date(2030, 1, 1), last_day=date(2030, 1, 1))
    assert getattr(signed_in(outsider), method)(url, {}).status_code == 404
    assert ClosedDay.objects.count() == 1


@pytest.mark.parametrize("url", [URL, ADD])
def test_signed_out_people_and_callers_are_sent_to_sign_in(clinic, url):
    assert Client().post(url, form_data(clinic, {0: ["08:00-12:00"]}))["Location"].startswith("/login/")
    caller = Client()
    enter(caller, clinic)
    assert caller.post(url, form_data(clinic, {0: ["08:00-12:00"]}))["Location"].startswith("/login/")
    assert not OpeningPeriod.objects.exists()


def test_closed_dates_are_posted_only(clinic, clinic_admin):
    assert signed_in(clinic_admin).get(ADD).status_code == 405
