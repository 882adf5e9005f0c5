"""The clinic admin's reports in a real browser: with known visits of today,
the tables beside the charts show their numbers (the median and the 90th
percentile of the waits), the day view and the CSV agree, and the page
passes axe-core in English and German."""

import csv
import io
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from audit.models import AuditEvent
from reports.days import zone_of
from reports.models import VisitSummary
from reports.tests.visits import Clock, seen_visit, unseen_visit

from .axe import assert_accessible

MINUTE = timedelta(minutes=1)


def todays_visits(clinic, member):
    """Three callers seen after 2, 4 and 9 minutes (10-minute calls), one who
    left unseen: all arriving this morning in the clinic's time zone. Only the
    test's clock is moved; the server's is the real one, whose today this is."""
    today = timezone.localdate(timezone.now(), zone_of(clinic))
    morning = datetime.combine(today, time(8, 0), tzinfo=zone_of(clinic))
    with pytest.MonkeyPatch.context() as patch:
        clock = Clock(patch)
        for index, minutes in enumerate((2, 4, 9)):
            seen_visit(clock, clinic, member, waited=minutes * MINUTE, at=morning + index * 30 * MINUTE, name=f"Caller {index}")
        unseen_visit(clock, clinic, at=morning + 2 * 60 * MINUTE)
    assert VisitSummary.objects.filter(clinic=clinic, day=today).count() == 4
    return today


def cells(page, table_name, row=-1):
    """The texts of one row of the table the page names so (its caption)."""
    rows = page.get_by_role("table", name=table_name).get_by_role("row")
    return rows.nth(row).get_by_role("cell")


def test_the_reports_show_known_visits_and_export_them(clinic, alex, team_member):
    today = todays_visits(clinic, team_member)
    alex.get_by_role("link", name="Reports").click()
    expect(alex.get_by_role("heading", name="Reports", level=1)).to_be_visible()
    # The last four weeks, per week: this week is the last row.
    expect(cells(alex, "Callers: per week")).to_have_text(["4", "3", "1"])
    expect(cells(alex, "Waiting time until seen (minutes): per week")).to_have_text(["4.0", "9.0", "3"])
    expect(cells(alex, "Calls: per week")).to_have_text(["3", "10.0"])
    expect(alex.get_by_role("img", name="Waiting time until seen (minutes)")).to_be_visible()
    assert_accessible(alex)

    alex.get_by_role("combobox", name="Per").select_option(label="Day")
    alex.get_by_role("textbox", name="From").fill(today.isoformat())
    alex.get_by_role("textbox", name="To").fill(today.isoformat())
    alex.get_by_role("button", name="Show").click()
    expect(alex.get_by_role("table", name="Callers: per day").get_by_role("row")).to_have_count(2)  # heading + today
    expect(cells(alex, "Waiting time until seen (minutes): per day")).to_have_text(["4.0", "9.0", "3"])

    with alex.expect_download() as download:
        alex.get_by_role("link", name="Download CSV").click()
    with open(download.value.path(), encoding="utf-8") as f:
        rows = list(csv.reader(io.StringIO(f.read())))
    assert rows[1] == [today.isoformat(), today.isoformat(), "4", "3", "1", "240", "540", "3", "600", "0", "0", "0", "0"]
    assert AuditEvent.objects.filter(action="reports.exported").count() == 1


def test_the_reports_are_accessible_in_german_and_with_errors(clinic, alex, team_member):
    todays_visits(clinic, team_member)
    alex.set_extra_http_headers({"Accept-Language": "de"})
    alex.goto(f"/clinics/{clinic.slug}/reports/")
    expect(alex.get_by_role("heading", name="Berichte", level=1)).to_be_visible()
    expect(cells(alex, "Wartezeit bis zum Gespräch (Minuten): pro Woche")).to_have_text(["4,0", "9,0", "3"])
    assert_accessible(alex)

    alex.goto(f"/clinics/{clinic.slug}/reports/?since=2024-01-01&until=2025-06-01")
    expect(alex.get_by_role("alert")).to_have_text("Wählen Sie höchstens 366 Tage.")
    assert_accessible(alex)
