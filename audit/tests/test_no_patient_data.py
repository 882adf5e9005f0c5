"""No audit row holds what a caller told the clinic or what was written: a
whole visit runs through the actions and the reads (enter, messages both ways,
dashboard, activity, thread, call page, call, hold, transfer, leave, export),
and neither the trail nor its CSV holds the caller's name, phone, date of
birth, answer or a message's body."""

import datetime
import json
import warnings

from django.test import Client

from audit.models import AuditEvent
from calls.actions import do_hold, do_join_call, do_leave_call, do_resume
from clinics.actions import do_change_configuration
from clinics.models import Membership, Role
from messaging.actions import do_notify, do_send_caller_message
from waiting import snapshots
from waiting.actions import do_enter_waiting_area, do_leave_waiting_area, do_transfer_caller

NAME = "Zebediah Quarrington"
PHONE = "+49 171 5550199"
BIRTHDAY = datetime.date(1961, 7, 4)
ANSWER = "Kidney stones xyzzy"
TO_CALLER = "Your results plugh are in"
FROM_CALLER = "Thank you frotz, waiting"
SECRETS = [NAME, "Zebediah", "Quarrington", PHONE, "5550199", "1961-07-04", "04.07.1961", ANSWER, "xyzzy",
           TO_CALLER, "plugh", FROM_CALLER, "frotz"]


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_a_whole_visit_leaves_no_patient_data_in_the_trail(clinic, other_clinic, clinic_admin, team_member):
    Membership.objects.create(user=team_member, clinic=other_clinic, role=Role.MEMBER)
    do_change_configuration(clinic.pk, actor=clinic_admin, guest_messaging_enabled=True, phone_field="required",
                            date_of_birth_field="required", extra_field_label="Reason for your visit")
    lee = signed_in(team_member)

    sue = do_enter_waiting_area(clinic, name=NAME, phone=PHONE, date_of_birth=BIRTHDAY, extra_answer=ANSWER)
    snapshot = snapshots.dashboard_opened(clinic.pk, team_member)
    assert snapshot["cards"][0]["name"] == NAME  # what was read held it all
    do_notify(clinic, actor=team_member, caller_ids=[sue.pk], body=TO_CALLER, client_id="c-1")
    do_send_caller_message(sue.pk, body=FROM_CALLER, client_id="s-1")
    assert FROM_CALLER in lee.get(f"/clinics/sunrise/callers/{sue.pk}/thread/").content.decode()
    call, _seat = do_join_call(sue.pk, actor=team_member)
    assert NAME in lee.get(f"/clinics/sunrise/calls/{call.pk}/").content.decode()
    do_hold(call.pk, actor=team_member)
    do_resume(call.pk, actor=team_member)
    do_leave_call(call.pk, actor=team_member, then="hold")
    assert lee.get(f"/clinics/sunrise/callers/{sue.pk}/activity/").json()["name"] == NAME
    do_transfer_caller(sue.pk, other_clinic, actor=team_member)
    do_leave_waiting_area(sue.pk)

    admin = signed_in(clinic_admin)
    response = admin.get("/clinics/sunrise/audit/csv/")
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="StreamingHttpResponse must consume")
        exported = b"".join(response).decode()
    page = admin.get("/clinics/sunrise/audit/").content.decode()

    trail = [
        json.dumps([e.action, e.details], ensure_ascii=False, default=str) for e in AuditEvent.objects.all()
    ]
    assert {"caller.arrived", "dashboard.opened", "message.notify", "message.from_caller", "thread.read",
            "call.joined", "call.page_opened", "caller.on_hold", "activity.read", "caller.transferred",
            "caller.left", "audit.exported"} <= set(AuditEvent.objects.values_list("action", flat=True))
    assert len(exported.splitlines()) > 10
    for secret in SECRETS:
        assert not [row for row in trail if secret in row], secret
        assert secret not in exported, secret
        assert secret not in page, secret
