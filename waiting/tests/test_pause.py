"""Pause the waiting area: any member of the clinic's team stops new callers
at once and resumes; every dashboard of the clinic is told, the trail records
who did it, and callers already waiting stay."""

import json

import pytest
from django.test import Client

from audit.models import AuditEvent
from clinics.models import TEXT_MAX, Clinic
from realtime.events import CLINIC_CHANGED, callers_group, staff_group
from testkit.helpers import Listener, enter, make_caller

PAUSE, RESUME = "/clinics/sunrise/pause/", "/clinics/sunrise/resume/"


def post(client, url, data=None, raw=None):
    body = raw if raw is not None else json.dumps(data or {})
    return client.post(url, body, content_type="application/json")


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def paused(clinic):
    return Clinic.objects.get(pk=clinic.pk).paused


def test_a_team_member_pauses_and_every_dashboard_is_told(clinic, other_clinic, team_member, django_capture_on_commit_callbacks):
    staff, pages = Listener(staff_group(clinic.pk)), Listener(callers_group(clinic.pk))
    elsewhere = Listener(staff_group(other_clinic.pk), callers_group(other_clinic.pk))
    with django_capture_on_commit_callbacks(execute=True):
        response = post(signed_in(team_member), PAUSE, {"message_en": "Back at 3 pm.", "message_de": "Ab 15 Uhr wieder da."})
    assert response.status_code == 200
    assert response.json() == {"ok": True, "paused": True}
    clinic.refresh_from_db()
    assert (clinic.paused, clinic.pause_message_en, clinic.pause_message_de) == (True, "Back at 3 pm.", "Ab 15 Uhr wieder da.")
    [event] = staff.events()
    assert event["type"] == CLINIC_CHANGED and event["clinic"]["paused"] is True
    assert [e["clinic"]["paused"] for e in pages.events()] == [True]
    assert elsewhere.events() == []


def test_pausing_is_recorded_without_patient_data(clinic, team_member):
    make_caller(clinic, "Sue Smith")
    post(signed_in(team_member), PAUSE, {"message_en": "Back soon."})
    event = AuditEvent.objects.get(action="clinic.paused")
    assert (event.actor, event.clinic, event.caller_id) == (team_member, clinic, None)
    assert event.details == {"changes": {"pause_message_en": ["", "Back soon."]}}
    assert "Sue" not in json.dumps(event.details)


def test_pausing_again_changes_only_the_message(clinic, team_member):
    client = signed_in(team_member)
    post(client, PAUSE)
    post(client, PAUSE)
    assert AuditEvent.objects.filter(action="clinic.paused").count() == 1
    post(client, PAUSE, {"message_en": "Another text"})
    assert AuditEvent.objects.filter(action="clinic.pause_message_changed").count() == 1
    assert AuditEvent.objects.filter(action="clinic.paused").count() == 1


def test_resume_lets_new_callers_in_again_and_is_recorded(clinic, clinic_admin, team_member, django_capture_on_commit_callbacks):
    post(signed_in(clinic_admin), PAUSE)
    staff = Listener(staff_group(clinic.pk))
    with django_capture_on_commit_callbacks(execute=True):
        response = post(signed_in(team_member), RESUME)
    assert response.json() == {"ok": True, "paused": False}
    assert not paused(clinic)
    assert [e["clinic"]["paused"] for e in staff.events()] == [False]
    event = AuditEvent.objects.get(action="clinic.resumed")
    assert (event.actor, event.details) == (team_member, {})
    assert enter(Client(), clinic).is_present


def test_resuming_an_open_waiting_area_records_nothing(clinic, team_member):
    post(signed_in(team_member), RESUME)
    assert not AuditEvent.objects.filter(action="clinic.resumed").exists()


def test_callers_already_waiting_stay_when_it_pauses(clinic, team_member):
    client = Client()
    caller = enter(client, clinic)
    post(signed_in(team_member), PAUSE)
    caller.refresh_from_db()
    assert caller.is_present
    assert client.get("/w/sunrise/wait/").status_code == 200


def test_the_dashboard_shows_the_pause_when_it_opens(clinic, team_member):
    client = signed_in(team_member)
    html = client.get("/clinics/sunrise/").content.decode()
    assert '<div id="paused" class="banner warn paused-banner" hidden>' in html
    post(client, PAUSE)
    html = client.get("/clinics/sunrise/").content.decode()
    assert '<div id="paused" class="banner warn paused-banner">' in html
    assert "Resume the waiting area" in html


# Whoever may not ---------------------------------------------------------------


def test_another_clinics_staff_get_404_and_nothing_changes(clinic, outsider):
    client = signed_in(outsider)
    assert post(client, PAUSE).status_code == 404
    clinic.paused = True
    clinic.save()
    assert post(client, RESUME).status_code == 404
    assert paused(clinic)
    assert not AuditEvent.objects.filter(action__startswith="clinic.").exists()


def test_signed_out_people_are_sent_to_sign_in(clinic):
    response = post(Client(), PAUSE)
    assert (response.status_code, response["Location"]) == (302, f"/login/?next={PAUSE}")
    assert not paused(clinic)


def test_a_callers_session_cannot_pause(clinic):
    client = Client()
    enter(client, clinic)
    assert post(client, PAUSE).status_code == 302  # to the staff sign-in
    assert not paused(clinic)


def test_only_post(clinic, team_member):
    assert signed_in(team_member).get(PAUSE).status_code == 405
    assert not paused(clinic)


@pytest.mark.parametrize(
    "raw, code",
    [
        ("not json", "bad_request"),
        ("[1, 2]", "bad_request"),
        ('{"message_en": 5}', "invalid"),
        ('{"message_de": ["x"]}', "invalid"),
        ('{"message_en": "x\\ud800"}', "invalid"),
        (json.dumps({"message_en": "x" * (TEXT_MAX + 1)}), "too_long"),
    ],
)
def test_bad_input_gets_a_clear_error_and_nothing_changes(clinic, team_member, raw, code):
    response = post(signed_in(team_member), PAUSE, raw=raw)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["message"]
    assert not paused(clinic)
    assert not AuditEvent.objects.filter(action__startswith="clinic.").exists()
