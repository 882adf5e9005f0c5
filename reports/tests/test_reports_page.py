"""The clinic admin's reports (/clinics/<slug>/reports/): callers, waits,
calls and messages per day or week from the visits' summaries, each chart
with its table, and the CSV download (recorded). Admins only."""

import csv
import io
import re
from datetime import date, datetime, timedelta, timezone as utc

import pytest

from audit.models import AuditEvent
from reports.figures import median, percentile_90
from reports.models import VisitSummary

from .visits import seen_visit, unseen_visit

URL = "/clinics/sunrise/reports/"
CSV_URL = "/clinics/sunrise/reports/csv/"
MINUTE = timedelta(minutes=1)
MONDAY = datetime(2026, 5, 4, 8, 0, tzinfo=utc.utc)  # 10:00 in Berlin


@pytest.fixture
def admin_client(client, clinic_admin):
    """The admin's browser. Signed in again at each request: the tests move
    the clock by days, and a staff sign-in ends after hours."""
    get = client.get

    def get_signed_in(*args, **kwargs):
        client.force_login(clinic_admin)
        return get(*args, **kwargs)

    client.get = get_signed_in
    return client


def table(response, key):
    """The rows of one chart's table: [[heading, cell, ...], ...]."""
    html = response.content.decode()
    start = html.index(f'<caption id="{key}-caption">')
    body = html[html.index("<tbody>", start):html.index("</tbody>", start)]
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def csv_rows(response):
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode())))


# The figures ---------------------------------------------------------------


def test_median_and_90th_percentile_of_known_waits():
    assert (median([60, 120, 600]), percentile_90([600, 60, 120])) == (120, 600)  # odd
    assert (median([60, 120, 180, 240]), percentile_90([60, 120, 180, 240])) == (150, 240)  # even
    assert percentile_90(list(range(1, 11))) == 9  # nearest rank: 9 of 10 waited at most 9
    assert percentile_90(list(range(1, 21))) == 18
    assert (median([]), percentile_90([])) == (None, None)  # no data


def test_a_day_shows_its_callers_waits_calls_and_messages(clock, admin_client, clinic, team_member):
    for minutes in (2, 4, 9):  # odd: the median is 4
        seen_visit(clock, clinic, team_member, waited=minutes * MINUTE, call=10 * MINUTE, at=MONDAY + minutes * MINUTE)
    unseen_visit(clock, clinic, at=MONDAY + 30 * MINUTE)  # left without being seen: no wait
    response = admin_client.get(URL, {"period": "day", "since": "2026-05-04", "until": "2026-05-05"})
    assert response.status_code == 200
    assert table(response, "callers") == [["05/04/2026", "4", "3", "1"], ["05/05/2026", "0", "0", "0"]]
    assert table(response, "waits") == [["05/04/2026", "4.0", "9.0", "3"], ["05/05/2026", "–", "–", "0"]]
    assert table(response, "calls") == [["05/04/2026", "3", "10.0"], ["05/05/2026", "0", "–"]]
    assert "Sue Smith" not in response.content.decode() and "Ned" not in response.content.decode()


def test_an_even_number_of_waits_has_the_mean_of_the_middle_two(clock, admin_client, clinic, team_member):
    for minutes in (1, 2, 4, 8):
        seen_visit(clock, clinic, team_member, waited=minutes * MINUTE, at=MONDAY + minutes * MINUTE)
    response = admin_client.get(URL, {"period": "day", "since": "2026-05-04", "until": "2026-05-04"})
    assert table(response, "waits") == [["05/04/2026", "3.0", "8.0", "4"]]


def test_weeks_run_from_monday_to_sunday_in_the_clinics_time_zone(clock, admin_client, clinic, settings):
    settings.TIME_ZONE = "Europe/Berlin"
    unseen_visit(clock, clinic, at=datetime(2026, 5, 10, 21, 59, tzinfo=utc.utc))  # Sunday 23:59 in Berlin
    unseen_visit(clock, clinic, at=datetime(2026, 5, 10, 22, 0, tzinfo=utc.utc))  # Monday 00:00 in Berlin
    clock.set(datetime(2026, 5, 13, 12, 0, tzinfo=utc.utc))
    # Wednesday to Wednesday: the whole weeks that hold them.
    response = admin_client.get(URL, {"period": "week", "since": "2026-05-06", "until": "2026-05-13"})
    assert [row[:2] for row in table(response, "callers")] == [["Week of 05/04/2026", "1"], ["Week of 05/11/2026", "1"]]
    html = response.content.decode()
    assert 'value="2026-05-04"' in html and 'value="2026-05-17"' in html  # the days shown


def test_it_shows_the_last_four_weeks_by_default(clock, admin_client, clinic):
    clock.set(datetime(2026, 5, 13, 12, 0, tzinfo=utc.utc))  # a Wednesday
    unseen_visit(clock, clinic, at=datetime(2026, 4, 15, 12, 0, tzinfo=utc.utc))  # 4 weeks ago: in
    unseen_visit(clock, clinic, at=datetime(2026, 4, 10, 12, 0, tzinfo=utc.utc))  # 5 weeks ago: out
    clock.set(datetime(2026, 5, 13, 12, 0, tzinfo=utc.utc))
    response = admin_client.get(URL)
    rows = table(response, "callers")
    assert [row[0] for row in rows] == [
        "Week of 04/13/2026", "Week of 04/20/2026", "Week of 04/27/2026", "Week of 05/04/2026", "Week of 05/11/2026"
    ]
    assert [row[1] for row in rows] == ["1", "0", "0", "0", "0"]


def test_messages_unanswered_and_notifications(clock, admin_client, messaging_clinic, team_member):
    from messaging.actions import do_notify, do_send_caller_message
    from waiting.actions import do_leave_waiting_area

    from .visits import arrive

    sue, bob = arrive(clock, messaging_clinic, MONDAY), arrive(clock, messaging_clinic, MONDAY, "Bob Jones")
    do_notify(messaging_clinic, actor=team_member, caller_ids=[sue.pk, bob.pk], body="Running late")
    do_send_caller_message(sue.pk, body="OK")
    for caller in (sue, bob):
        do_leave_waiting_area(caller.pk)
    response = admin_client.get(URL, {"period": "day", "since": "2026-05-04", "until": "2026-05-04"})
    assert table(response, "messages") == [["05/04/2026", "2", "1", "1", "2"]]


def test_the_charts_are_images_with_a_title_and_a_description(clock, admin_client, clinic, team_member):
    seen_visit(clock, clinic, team_member, waited=3 * MINUTE, at=MONDAY)
    html = admin_client.get(URL, {"period": "day", "since": "2026-05-04", "until": "2026-05-06"}).content.decode()
    assert html.count('<svg role="img" aria-labelledby="') == 4 and 'aria-describedby="waits-desc"' in html
    assert '<title id="waits-title">Waiting time until seen (minutes)</title>' in html
    assert "The table beside the chart has the numbers." in html
    assert html.count('<th scope="row">') == 4 * 3 and '<th scope="col">Median wait</th>' in html
    assert "<rect " in html  # the bars are drawn


def test_it_speaks_german(clock, admin_client, clinic, team_member):
    seen_visit(clock, clinic, team_member, waited=90 * timedelta(seconds=1), at=MONDAY)
    response = admin_client.get(
        URL, {"period": "day", "since": "2026-05-04", "until": "2026-05-04"}, HTTP_ACCEPT_LANGUAGE="de"
    )
    html = response.content.decode()
    assert "<h1>Berichte" in html
    assert table(response, "waits")[0][1] == "1,5"  # minutes, the German way


def test_the_numbers_stay_after_the_purge(clock, admin_client, clinic, team_member):
    from waiting.actions import do_purge_old_visits

    seen_visit(clock, clinic, team_member, waited=6 * MINUTE, at=MONDAY)
    clock.advance(timedelta(days=clinic.retention_days + 1))
    do_purge_old_visits()
    response = admin_client.get(URL, {"period": "day", "since": "2026-05-04", "until": "2026-05-04"})
    assert table(response, "waits") == [["05/04/2026", "6.0", "6.0", "1"]]


def test_it_counts_only_this_clinics_visits(clock, admin_client, clinic, other_clinic, outsider):
    unseen_visit(clock, other_clinic, at=MONDAY)
    response = admin_client.get(URL, {"period": "day", "since": "2026-05-04", "until": "2026-05-04"})
    assert table(response, "callers") == [["05/04/2026", "0", "0", "0"]]


# The CSV ---------------------------------------------------------------------


def test_the_csv_has_the_figures_and_is_recorded(clock, admin_client, clinic, clinic_admin, team_member):
    seen_visit(clock, clinic, team_member, waited=1 * MINUTE, call=5 * MINUTE, at=MONDAY)
    seen_visit(clock, clinic, team_member, waited=2 * MINUTE, call=6 * MINUTE, at=MONDAY + MINUTE)
    unseen_visit(clock, clinic, at=MONDAY + timedelta(days=1))
    response = admin_client.get(CSV_URL, {"period": "day", "since": "2026-05-04", "until": "2026-05-06"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="report-sunrise-day-2026-05-04-2026-05-06.csv"'
    assert csv_rows(response) == [
        ["From", "To", "Callers", "Callers seen", "Left without being seen", "Median wait (seconds)",
         "90th percentile wait (seconds)", "Calls", "Median call length (seconds)", "Messages from the clinic",
         "Messages from callers", "Caller messages left unanswered", "Notifications sent"],
        ["2026-05-04", "2026-05-04", "2", "2", "0", "90", "120", "2", "330", "0", "0", "0", "0"],
        ["2026-05-05", "2026-05-05", "1", "0", "1", "", "", "0", "", "0", "0", "0", "0"],
        ["2026-05-06", "2026-05-06", "0", "0", "0", "", "", "0", "", "0", "0", "0", "0"],
    ]
    exported = AuditEvent.objects.get(action="reports.exported")
    assert exported.actor == clinic_admin and exported.clinic == clinic
    assert exported.details == {"filter": {"period": "day", "since": "2026-05-04", "until": "2026-05-06"}, "rows": 3}


def test_the_csv_of_weeks_names_each_weeks_days(clock, admin_client, clinic):
    unseen_visit(clock, clinic, at=MONDAY + timedelta(days=8))
    response = admin_client.get(CSV_URL, {"period": "week", "since": "2026-05-04", "until": "2026-05-17"})
    assert [row[:3] for row in csv_rows(response)[1:]] == [["2026-05-04", "2026-05-10", "0"], ["2026-05-11", "2026-05-17", "1"]]


def test_a_half_second_median_is_written_as_such(clock, admin_client, clinic, team_member):
    for seconds in (60, 61):
        seen_visit(clock, clinic, team_member, waited=timedelta(seconds=seconds), at=MONDAY)
    rows = csv_rows(admin_client.get(CSV_URL, {"period": "day", "since": "2026-05-04", "until": "2026-05-04"}))
    assert rows[1][5:7] == ["60.5", "61"]


# Who may see it ----------------------------------------------------------------


def test_a_team_member_gets_the_403_page(client, clinic, team_member):
    client.force_login(team_member)
    for url in (URL, CSV_URL):
        response = client.get(url)
        assert response.status_code == 403
        assert "You may not open this page" in response.content.decode()
    assert not AuditEvent.objects.filter(action="reports.exported").exists()


def test_another_clinics_staff_get_not_found(client, clinic, outsider):
    client.force_login(outsider)  # an admin of Harbour
    assert client.get(URL).status_code == 404
    assert client.get(CSV_URL).status_code == 404
    assert client.get("/clinics/nowhere/reports/").status_code == 404


def test_the_signed_out_are_sent_to_sign_in(client, clinic):
    for url in (URL, CSV_URL):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_callers_session_is_sent_to_sign_in(client, clinic):
    from testkit.helpers import enter

    enter(client, clinic)
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_page_is_not_recorded_in_the_audit_trail(admin_client, clinic):
    admin_client.get(URL)
    assert not AuditEvent.objects.filter(action__startswith="reports").exists()


def test_the_admin_finds_reports_in_the_menu(admin_client, clinic):
    html = admin_client.get("/clinics/sunrise/audit/").content.decode()
    assert '<a href="/clinics/sunrise/reports/">Reports</a>' in html


@pytest.mark.parametrize(
    "query, error",
    [
        ("since=yesterday", "Enter a valid date."),
        ("until=2026-02-30", "Enter a valid date."),
        ("since=2026-05-10&until=2026-05-01", "The end date is before the start date."),
        ("since=2025-01-01&until=2026-01-02", "Choose at most 366 days."),
        ("since=1999-12-31&until=2000-01-01", "Choose a date in the years 2000 to 2999."),
        ("since=99999-01-01", "Enter a valid date."),
        ("period=month", "Select a valid choice."),
        ("period=day%ED%A0%80", "Select a valid choice."),  # a lone surrogate, as UTF-8 bytes
        ("since=2026-05-04%ED%A0%80", "Enter a valid date."),
        ("since=x\ud800", "Enter a valid date."),  # one the client could not encode at all
        ("since=%00", "Enter a valid date."),
        ("since=" + "9" * 5000, "Enter a valid date."),  # oversized
        ("period[]=day", None),  # an unknown parameter is ignored
    ],
)
def test_bad_queries_are_a_form_error_never_a_crash(admin_client, clinic, query, error):
    url = f"{URL}?{query.encode('utf-8', 'surrogatepass').decode('latin-1')}" if "\ud800" in query else f"{URL}?{query}"
    response = admin_client.get(url)
    if error is None:
        assert response.status_code == 200
        return
    assert response.status_code == 400
    assert error in response.content.decode().replace("&#x27;", "'")
    csv_response = admin_client.get(url.replace(URL, CSV_URL))
    assert csv_response.status_code == 400 and csv_response["Content-Type"].startswith("text/html")
    assert not AuditEvent.objects.filter(action="reports.exported").exists()


def test_366_days_is_the_most(admin_client, clinic):
    assert admin_client.get(URL, {"period": "day", "since": "2024-01-01", "until": "2024-12-31"}).status_code == 200
    assert admin_client.get(URL, {"period": "day", "since": "2024-01-01", "until": "2025-01-01"}).status_code == 400


def test_its_own_summaries_only(clock, clinic, other_clinic):
    """(Sanity of the fixtures above: a visit of Harbour is Harbour's.)"""
    unseen_visit(clock, other_clinic, at=MONDAY)
    assert VisitSummary.objects.get().clinic == other_clinic
    assert VisitSummary.objects.get().day == date(2026, 5, 4)
