"""The retention purge: finished visits older than the clinic's retention
period go, with their messages; the audit trail keeps no trace of the patient."""

from io import StringIO

from django.core.management import call_command

from audit.models import AuditEvent
from messaging.actions import do_notify, do_send_caller_message
from messaging.models import Message
from testkit.helpers import ago, make_caller
from waiting.actions import do_leave_waiting_area, do_purge_old_visits
from waiting.models import Caller


def finished(clinic, name, days_ago, team_member=None):
    caller = make_caller(clinic, name=name, phone="+49 30 123456")
    if team_member:
        do_notify(clinic, actor=team_member, caller_ids=[caller.pk], body=f"Hello {name}")
    do_leave_waiting_area(caller.pk)
    Caller.objects.filter(pk=caller.pk).update(arrived_at=ago(days=days_ago, hours=1), left_at=ago(days=days_ago))
    return caller


def test_it_deletes_finished_visits_after_the_retention_period(clinic, team_member):
    clinic.retention_days = 30
    clinic.save()
    old = finished(clinic, "Old Visit", days_ago=31, team_member=team_member)
    recent = finished(clinic, "Recent Visit", days_ago=29, team_member=team_member)

    assert do_purge_old_visits() == 1

    assert list(Caller.objects.values_list("name", flat=True)) == ["Recent Visit"]
    assert not Message.objects.filter(caller_id=old.pk).exists()
    assert Message.objects.filter(caller_id=recent.pk).count() == 1
    event = AuditEvent.objects.get(action="visits.purged")
    assert event.clinic == clinic
    assert event.details == {"count": 1, "older_than_days": 30}


def test_it_keeps_callers_who_are_still_there(clinic):
    clinic.retention_days = 1
    clinic.save()
    caller = make_caller(clinic)
    Caller.objects.filter(pk=caller.pk).update(arrived_at=ago(days=10))
    assert do_purge_old_visits() == 0
    assert Caller.objects.filter(pk=caller.pk).exists()
    assert not AuditEvent.objects.filter(action="visits.purged").exists()


def test_it_uses_each_clinics_retention_period(clinic, other_clinic):
    clinic.retention_days = 7
    clinic.save()
    other_clinic.retention_days = 90
    other_clinic.save()
    finished(clinic, "Sunrise visit", days_ago=8)
    finished(other_clinic, "Harbour visit", days_ago=8)
    assert do_purge_old_visits() == 1
    assert list(Caller.objects.values_list("name", flat=True)) == ["Harbour visit"]
    assert list(AuditEvent.objects.filter(action="visits.purged").values_list("clinic", flat=True)) == [clinic.pk]


def test_the_audit_trail_keeps_no_trace_of_the_patient(clinic, team_member):
    clinic.guest_messaging_enabled = True
    clinic.save()
    caller = make_caller(clinic, name="Sue Smith", phone="+49 30 123456")
    do_notify(clinic, actor=team_member, caller_ids=[caller.pk], body="Your results are in")
    do_send_caller_message(caller.pk, body="Is it bad news?")
    do_leave_waiting_area(caller.pk)
    Caller.objects.filter(pk=caller.pk).update(left_at=ago(days=31))

    do_purge_old_visits()

    assert not Caller.objects.exists() and not Message.objects.exists()
    trail = str(list(AuditEvent.objects.values_list("action", "caller_id", "details")))
    for private in ("Sue", "Smith", "123456", "results", "bad news"):
        assert private not in trail
    # ...but still says what happened to visit number N.
    assert AuditEvent.objects.filter(caller_id=caller.pk, action="caller.arrived").exists()


def test_the_command_reports_what_it_deleted(clinic):
    finished(clinic, "Old Visit", days_ago=31)
    out = StringIO()
    call_command("purge_visits", stdout=out)
    assert out.getvalue().strip() == "Deleted 1 finished visits."
    assert not Caller.objects.exists()
    out = StringIO()
    call_command("purge_visits", stdout=out)
    assert out.getvalue().strip() == "Deleted 0 finished visits."
