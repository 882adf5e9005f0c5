"""The clinic admin's audit page (/clinics/<slug>/audit/): the clinic's events,
newest first, filtered by person, action and date, 50 a page, and the same
rows as a CSV download that is itself recorded. Admins only: team members get
a 403 page, other clinics' staff 404, the signed-out the sign-in page."""

import csv
import io
import warnings
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from audit.log import record
from audit.models import AuditEvent
from clinics.audit_words import ACTIONS
from testkit.helpers import make_caller

URL = "/clinics/sunrise/audit/"
CSV_URL = "/clinics/sunrise/audit/csv/"


def on_day(event, day):
    """Move a recorded event to noon of `day` (tests only: the trail itself
    cannot be changed; the plain base manager is how cascades reach it)."""
    at = timezone.make_aware(datetime.combine(day, datetime.min.time()) + timedelta(hours=12))
    AuditEvent._base_manager.filter(pk=event.pk).update(created_at=at)
    return event


def csv_rows(response):
    assert response.status_code == 200
    with warnings.catch_warnings():
        # The test client is synchronous; the server streams asynchronously.
        warnings.filterwarnings("ignore", message="StreamingHttpResponse must consume")
        text = b"".join(response).decode()
    return list(csv.reader(io.StringIO(text)))


def shown(response):
    return response.content.decode()


def table(response):
    """The events' table alone (the action filter names every action too)."""
    html = shown(response)
    return html[html.find("<tbody>"):html.find("</tbody>")]


@pytest.fixture
def admin_client(client, clinic_admin):
    client.force_login(clinic_admin)
    return client


def test_it_works(admin_client, clinic, team_member):
    sue = make_caller(clinic)
    record("dashboard.opened", clinic=clinic, actor=team_member, callers=1)
    record("thread.read", clinic=clinic, actor=team_member, caller=sue)
    response = admin_client.get(URL)
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]
    assert "Audit trail" in shown(response)
    html = table(response)
    assert html.index("Read a caller&#x27;s messages") < html.index("Opened the waiting area") < html.index(
        "Caller entered the waiting area"
    )  # newest first
    assert f"#{sue.pk}" in html
    assert "callers: 1" in html
    assert "Dr Lee" in html
    assert "Sue Smith" not in html  # a caller by number, never by name


def test_it_lists_only_this_clinics_events(admin_client, clinic, other_clinic, outsider, team_member):
    record("dashboard.opened", clinic=other_clinic, actor=outsider, callers=7)
    record("account.signed_in", actor=outsider)  # not a member here
    record("account.signed_in", actor=team_member)  # a member: their sign-ins are the clinic's concern
    response = admin_client.get(URL)
    assert "callers: 7" not in shown(response) and "Olli" not in shown(response)
    # The team member's sign-in, and the admin's own (the admin is a member too).
    assert table(response).count("Signed in") == 2
    assert ">2 events</h2>" in shown(response)


@pytest.mark.parametrize("action", [a for a in ACTIONS if a.startswith("account.")])
def test_account_actions_are_shown_in_words(admin_client, clinic, team_member, action):
    record(action, actor=team_member)
    html = table(admin_client.get(URL))
    assert f"<td>{ACTIONS[action]}</td>" in html
    assert action not in html


def test_an_action_it_does_not_know_is_shown_by_its_name(admin_client, clinic, team_member):
    record("account.passkey_renamed", clinic=clinic, actor=team_member, passkey=3)
    response = admin_client.get(URL)
    assert "<code>account.passkey_renamed</code>" in shown(response)
    assert "passkey: 3" in shown(response)
    # ... and can be chosen in the filter.
    assert ">1 event</h2>" in shown(admin_client.get(URL, {"action": "account.passkey_renamed"}))


def test_it_speaks_german(client, clinic, clinic_admin, team_member):
    record("dashboard.opened", clinic=clinic, actor=team_member, callers=2)
    client.force_login(clinic_admin)
    html = shown(client.get(URL, HTTP_ACCEPT_LANGUAGE="de"))
    assert "Protokoll" in html
    assert "Hat den Wartebereich geöffnet" in html
    assert "CSV herunterladen" in html


# Who may see it ---------------------------------------------------------------


def test_the_nav_links_to_it_for_admins_only(client, clinic, clinic_admin, team_member):
    client.force_login(clinic_admin)
    assert f'href="{URL}"' in shown(client.get("/clinics/sunrise/"))
    client.force_login(team_member)
    assert f'href="{URL}"' not in shown(client.get("/clinics/sunrise/"))


@pytest.mark.parametrize("language, words", [("en", "You may not open this page"), ("de", "Sie dürfen diese Seite nicht öffnen")])
def test_a_team_member_gets_a_403_page_in_their_language(client, clinic, team_member, language, words):
    record("dashboard.opened", clinic=clinic, actor=team_member, callers=2)
    client.force_login(team_member)
    for url in (URL, CSV_URL):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 403
        assert words in shown(response)
        assert "callers: 2" not in shown(response)
    assert not AuditEvent.objects.filter(action="audit.exported").exists()


def test_staff_of_another_clinic_get_404(client, clinic, outsider, team_member):
    record("dashboard.opened", clinic=clinic, actor=team_member, callers=2)
    client.force_login(outsider)  # an admin, but of the harbour practice
    for url in (URL, CSV_URL):
        response = client.get(url)
        assert response.status_code == 404
        assert "callers" not in shown(response)
    assert not AuditEvent.objects.filter(action="audit.exported").exists()


def test_the_signed_out_are_sent_to_sign_in(client, clinic):
    for url in (URL, CSV_URL):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"/login/?next={url}"


def test_it_answers_only_get(admin_client, clinic):
    assert admin_client.post(URL).status_code == 405
    assert admin_client.post(CSV_URL).status_code == 405


# Filters -------------------------------------------------------------------------


def test_it_filters_by_person(admin_client, clinic, clinic_admin, team_member):
    record("dashboard.opened", clinic=clinic, actor=team_member, callers=1)
    record("dashboard.opened", clinic=clinic, actor=clinic_admin, callers=2)
    html = shown(admin_client.get(URL, {"person": team_member.pk}))
    assert "callers: 1" in html and "callers: 2" not in html


def test_it_filters_by_action(admin_client, clinic, team_member):
    sue = make_caller(clinic)
    record("thread.read", clinic=clinic, actor=team_member, caller=sue)
    html = table(admin_client.get(URL, {"action": "thread.read"}))
    assert "Read a caller&#x27;s messages" in html
    assert "Caller entered the waiting area" not in html


def test_it_filters_by_date_with_both_ends_included(admin_client, clinic, team_member):
    today = timezone.localdate()
    for n in range(5):
        on_day(record("dashboard.opened", clinic=clinic, actor=team_member, callers=n), today - timedelta(days=n))
    html = shown(admin_client.get(URL, {"since": today - timedelta(days=3), "until": today - timedelta(days=1)}))
    assert [n for n in range(5) if f"callers: {n}<" in html] == [1, 2, 3]


@pytest.mark.parametrize(
    "query",
    [
        "since=yesterday",
        "since=2026-02-30",
        "until=%ED%A0%80",
        "since=%ED%A0%80%00",
        "since=0001-01-01",
        "until=9999-12-31",
        "until=99999-01-01",
        "since=2026-05-02&until=2026-05-01",
        "person=%ED%A0%80",
        "person=99999999999999999999999",
        "person=-1",
        "action=%ED%A0%80",
        "action=caller.' OR 1=1 --",
    ],
)
def test_bad_filters_are_form_errors(admin_client, clinic, team_member, outsider, query):
    record("dashboard.opened", clinic=clinic, actor=team_member, callers=2)
    response = admin_client.get(f"{URL}?{query}")
    assert response.status_code == 400
    assert 'class="error" role="alert"' in shown(response)
    assert "callers: 2" not in shown(response)
    response = admin_client.get(f"{CSV_URL}?{query}")
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action="audit.exported").exists()


def test_a_person_of_another_clinic_is_not_a_choice(admin_client, clinic, outsider):
    record("account.signed_in", actor=outsider)
    assert admin_client.get(URL, {"person": outsider.pk}).status_code == 400


# Pages ---------------------------------------------------------------------------


@pytest.fixture
def many_events(clinic, team_member):
    for n in range(1, 52):  # 51: two pages
        record("dashboard.opened", clinic=clinic, actor=team_member, callers=n)


def test_it_shows_50_a_page_newest_first(admin_client, many_events):
    dashboards = {"action": "dashboard.opened"}  # (not the admin's own sign-in)
    first = shown(admin_client.get(URL, dashboards))
    assert first.count("<tr>") == 51  # the header and 50 events
    assert "callers: 51<" in first and "callers: 2<" in first and "callers: 1<" not in first
    assert "Page 1 of 2" in first
    second = shown(admin_client.get(URL, dashboards | {"page": 2}))
    assert second.count("<tr>") == 2 and "callers: 1<" in second


def test_the_page_links_keep_the_filter(admin_client, many_events, team_member):
    html = shown(admin_client.get(URL, {"action": "dashboard.opened", "person": team_member.pk}))
    assert f'href="?action=dashboard.opened&amp;person={team_member.pk}&amp;page=2"' in html


# (Not `page`: pytest-playwright would take a test with that argument for a browser test.)
@pytest.mark.parametrize("number", ["99999999999999999999999999", "-3", "0", "two", "%ED%A0%80", "1e9", ""])
def test_any_page_number_shows_a_page(admin_client, many_events, number):
    response = admin_client.get(f"{URL}?page={number}")
    assert response.status_code == 200
    assert "Page 1 of 2" in shown(response) or "Page 2 of 2" in shown(response)


# The CSV -------------------------------------------------------------------------


def test_the_csv_has_the_filtered_rows_and_is_recorded(admin_client, clinic, clinic_admin, team_member):
    sue = make_caller(clinic)
    record("thread.read", clinic=clinic, actor=team_member, caller=sue)
    record("dashboard.opened", clinic=clinic, actor=clinic_admin, callers=1)
    response = admin_client.get(CSV_URL, {"person": team_member.pk})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-sunrise-')
    rows = csv_rows(response)
    assert rows[0] == ["When", "Who", "Account", "Action", "What", "Caller", "Details"]
    assert [row[1:] for row in rows[1:]] == [
        ["Dr Lee", "lee@sunrise.test", "thread.read", "Read a caller's messages", str(sue.pk), "{}"]
    ]
    exported = AuditEvent.objects.get(action="audit.exported")
    assert exported.actor == clinic_admin and exported.clinic == clinic
    assert exported.details == {"filter": {"person": team_member.pk}, "rows": 1}


def test_the_csv_is_newest_first_and_holds_all_of_a_long_trail(admin_client, clinic, team_member, monkeypatch):
    monkeypatch.setattr("clinics.audit_page.CSV_PIECE", 7)  # read in many pieces
    for n in range(30):
        record("dashboard.opened", clinic=clinic, actor=team_member, callers=n)
    rows = csv_rows(admin_client.get(CSV_URL, {"action": "dashboard.opened"}))
    assert [row[6] for row in rows[1:]] == [f'{{"callers": {n}}}' for n in reversed(range(30))]
    assert AuditEvent.objects.get(action="audit.exported").details["rows"] == 30


def test_the_csv_does_not_hold_its_own_record(admin_client, clinic):
    exports = {"action": "audit.exported"}
    rows = csv_rows(admin_client.get(CSV_URL, exports))
    assert rows[1:] == []
    assert AuditEvent.objects.get(action="audit.exported").details == {"filter": exports, "rows": 0}
    # The next export has the first one.
    rows = csv_rows(admin_client.get(CSV_URL, exports))
    assert [row[3] for row in rows[1:]] == ["audit.exported"]


def test_a_name_like_a_formula_stays_text_in_the_csv(admin_client, clinic, team_member):
    team_member.first_name = "=HYPERLINK(\"http://evil\")"
    team_member.save()
    record("dashboard.opened", clinic=clinic, actor=team_member, callers=0)
    rows = csv_rows(admin_client.get(CSV_URL, {"action": "dashboard.opened"}))
    assert rows[1][1] == "'=HYPERLINK(\"http://evil\")"


def test_the_csv_speaks_german(client, clinic, clinic_admin, team_member):
    record("dashboard.opened", clinic=clinic, actor=team_member, callers=0)
    client.force_login(clinic_admin)
    rows = csv_rows(client.get(CSV_URL, {"action": "dashboard.opened"}, HTTP_ACCEPT_LANGUAGE="de"))
    assert rows[0][0] == "Wann"
    assert rows[1][4] == "Hat den Wartebereich geöffnet"
