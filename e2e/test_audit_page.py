"""The clinic admin's audit page in a real browser: Dr Lee opening the
waiting area is listed, the admin filters to him and downloads the rows as
CSV (itself recorded); the page passes axe-core in English and German."""

import csv
import io
import time

from playwright.sync_api import expect

from audit.models import AuditEvent

from .axe import assert_accessible


def events(page):
    return page.get_by_role("table").get_by_role("row")


def opened_the_dashboard(user):
    """A dashboard's socket records its opening when it connects, a moment
    after the page shows: wait for it before reading the trail."""
    for _ in range(100):
        if AuditEvent.objects.filter(action="dashboard.opened", actor=user).exists():
            return
        time.sleep(0.1)
    raise AssertionError(f"{user} opened no dashboard")


def test_the_audit_page_lists_a_dashboard_read_and_exports_it(clinic, lee, alex, team_member):
    opened_the_dashboard(team_member)
    alex.get_by_role("link", name="Audit trail").click()
    expect(alex.get_by_role("heading", name="Audit trail")).to_be_visible()
    lee_opened = events(alex).filter(has_text="Dr Lee").filter(has_text="Opened the waiting area")
    expect(lee_opened).to_have_count(1)
    expect(lee_opened).to_contain_text("callers: 0")
    assert_accessible(alex)

    alex.get_by_label("Person").select_option(label="Dr Lee")
    alex.get_by_label("Action").select_option(label="Opened the waiting area")
    alex.get_by_role("button", name="Show").click()
    expect(alex.get_by_role("heading", name="1 event")).to_be_visible()

    with alex.expect_download() as download:
        alex.get_by_role("link", name="Download CSV").click()
    with open(download.value.path(), encoding="utf-8") as f:
        rows = list(csv.reader(io.StringIO(f.read())))
    assert download.value.suggested_filename.startswith("audit-sunrise-")
    assert rows[0] == ["When", "Who", "Account", "Action", "What", "Caller", "Details"]
    assert [row[1:] for row in rows[1:]] == [
        ["Dr Lee", team_member.username, "dashboard.opened", "Opened the waiting area", "", '{"callers": 0}']
    ]
    exported = AuditEvent.objects.get(action="audit.exported")
    assert exported.details == {"filter": {"person": team_member.pk, "action": "dashboard.opened"}, "rows": 1}

    # The export is on the trail too.
    alex.goto(f"/clinics/{clinic.slug}/audit/")
    expect(events(alex).filter(has_text="Downloaded the audit trail")).to_have_count(1)


def test_the_audit_page_is_accessible_in_german_and_with_errors(clinic, alex, clinic_admin):
    opened_the_dashboard(clinic_admin)
    alex.set_extra_http_headers({"Accept-Language": "de"})
    alex.goto(f"/clinics/{clinic.slug}/audit/")
    expect(alex.get_by_role("heading", name="Audit-Protokoll")).to_be_visible()
    expect(events(alex).filter(has_text="Hat den Wartebereich geöffnet")).to_have_count(1)
    assert_accessible(alex)

    alex.goto(f"/clinics/{clinic.slug}/audit/?since=2026-05-02&until=2026-05-01")
    expect(alex.get_by_role("alert")).to_have_text("Das Enddatum liegt vor dem Anfangsdatum.")
    assert_accessible(alex)
