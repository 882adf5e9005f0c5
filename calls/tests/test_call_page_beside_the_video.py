"""The staff call page: the caller's entry details beside the video, the
thread to write in, the waiting area's socket, screen sharing allowed; the
page's opening is the audited read of those details."""

import json
import re

from audit.models import AuditEvent
from calls.actions import do_join_call
from testkit.helpers import make_caller

from .helpers import signed_in


def page_data(response):
    return json.loads(re.search(r'<script id="page-data" type="application/json">(.*?)</script>', response.content.decode(), re.S)[1])


def test_the_call_page_shows_the_callers_entry_details(clinic, team_member):
    clinic.extra_field_label = "Reason for visit"
    clinic.save()
    sue = make_caller(clinic, phone="+49 30 123456", extra_answer="Repeat prescription")
    call, _ = do_join_call(sue.pk, actor=team_member)

    response = signed_in(team_member).get(f"/clinics/sunrise/calls/{call.pk}/")

    html = response.content.decode()
    details = html[html.index('aria-labelledby="details-title"'):html.index('aria-labelledby="chat-title"')]
    for text in ("Sue Smith", "+49 30 123456", "Reason for visit", "Repeat prescription"):
        assert text in details
    data = page_data(response)
    assert data["waiting"] == "/ws/clinics/sunrise/"
    assert data["thread"] == f"/clinics/sunrise/callers/{sue.pk}/thread/"
    assert data["caller_id"] == sue.pk and data["me"] == team_member.pk
    assert "display-capture=(self)" in response["Permissions-Policy"]
    opened = AuditEvent.objects.get(action="call.page_opened")
    assert (opened.actor, opened.caller_id) == (team_member, sue.pk)
    assert "Sue Smith" not in json.dumps(opened.details) and "123456" not in json.dumps(opened.details)


def test_another_clinics_staff_get_no_details(clinic, team_member, outsider):
    sue = make_caller(clinic, phone="+49 30 123456")
    call, _ = do_join_call(sue.pk, actor=team_member)

    response = signed_in(outsider).get(f"/clinics/sunrise/calls/{call.pk}/")
    assert response.status_code == 404
    response = signed_in(outsider).get(f"/clinics/harbour/calls/{call.pk}/")
    assert response.status_code == 404 and "123456" not in response.content.decode()


def test_the_appointment_shows_in_the_clinics_time(clinic, team_member):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from waiting.models import Caller

    clinic.time_zone = "Europe/Berlin"
    clinic.save()
    sue = make_caller(clinic)
    Caller.objects.filter(pk=sue.pk).update(appointment_at=datetime(2026, 12, 3, 9, 30, tzinfo=ZoneInfo("UTC")))
    call, _ = do_join_call(sue.pk, actor=team_member)

    html = signed_in(team_member).get(f"/clinics/sunrise/calls/{call.pk}/").content.decode()
    details = html[html.index('aria-labelledby="details-title"'):html.index('aria-labelledby="chat-title"')]
    assert "Appointment" in details and "10:30" in details
