"""Call activity: per caller, a log of arrival, joins, holds, leaves,
transfers and the end, with who and when (issue 3, item 9)."""

from datetime import datetime

from django.utils import timezone

from calls.actions import (
    ABANDONED_AFTER,
    do_end_call,
    do_hold,
    do_join_call,
    do_leave_call,
    do_release_abandoned_calls,
    do_resume,
)
from calls.models import Participant
from testkit.helpers import ago, make_caller
from waiting.actions import do_transfer_caller

from .helpers import also_member_of, signed_in


def activity(user, caller, slug):
    response = signed_in(user).get(f"/clinics/{slug}/callers/{caller.pk}/activity/")
    assert response.status_code == 200
    return response.json()


def test_it_works(clinic, other_clinic, team_member, clinic_admin):
    also_member_of(other_clinic, team_member)
    started = timezone.now()
    sue = make_caller(clinic)
    call, _ = do_join_call(sue.pk, actor=team_member)
    do_join_call(sue.pk, actor=clinic_admin)
    do_hold(call.pk, actor=team_member)
    do_resume(call.pk, actor=clinic_admin)
    do_leave_call(call.pk, actor=clinic_admin)
    do_leave_call(call.pk, actor=team_member, then="hold")
    do_transfer_caller(sue.pk, other_clinic, actor=team_member)
    second, _ = do_join_call(sue.pk, actor=team_member)
    do_end_call(second.pk, actor=team_member)

    log = activity(team_member, sue, "harbour")

    assert (log["caller_id"], log["name"]) == (sue.pk, "Sue Smith")
    assert [(e["what"], e["who"]) for e in log["events"]] == [
        ("Entered the waiting area", None),
        ("Being seen", "Dr Lee"),
        ("Joined the call", "Dr Lee"),
        ("Joined the call", "Alex"),
        ("Put on hold", "Dr Lee"),
        ("Being seen", "Alex"),
        ("Left the call", "Alex"),
        ("Left the call", "Dr Lee"),
        ("Call ended, caller on hold", "Dr Lee"),
        ("Put on hold", "Dr Lee"),
        ("Transferred from Sunrise Clinic to Harbour Practice", "Dr Lee"),
        ("Being seen", "Dr Lee"),
        ("Joined the call", "Dr Lee"),
        ("Call ended", "Dr Lee"),
        ("Visit ended with the call", "Dr Lee"),
    ]
    times = [datetime.fromisoformat(e["at"]) for e in log["events"]]
    assert times == sorted(times)
    assert started <= times[0] and times[-1] <= timezone.now()


def test_it_shows_a_call_left_unattended(clinic, team_member):
    sue = make_caller(clinic)
    do_join_call(sue.pk, actor=team_member)
    Participant.objects.filter(user=team_member).update(away_since=ago(seconds=ABANDONED_AFTER.total_seconds() + 1))
    do_release_abandoned_calls()

    events = activity(team_member, sue, "sunrise")["events"]
    assert [(e["what"], e["who"]) for e in events[-3:]] == [
        ("Call left unattended: caller put on hold", None),
        ("Call ended, caller on hold", None),
        ("Put on hold", None),
    ]


def test_it_keeps_each_callers_log_apart(clinic, team_member):
    sue, tom = make_caller(clinic, "Sue Smith"), make_caller(clinic, "Tom Berg")
    do_join_call(tom.pk, actor=team_member)
    assert [e["what"] for e in activity(team_member, sue, "sunrise")["events"]] == ["Entered the waiting area"]


def test_it_validates_ownership(clinic, other_clinic, team_member, outsider):
    sue = make_caller(clinic)
    browser = signed_in(outsider)
    assert browser.get(f"/clinics/sunrise/callers/{sue.pk}/activity/").status_code == 404
    assert browser.get(f"/clinics/harbour/callers/{sue.pk}/activity/").status_code == 404


def test_the_old_clinic_no_longer_reads_a_transferred_callers_log(clinic, other_clinic, team_member, clinic_admin):
    also_member_of(other_clinic, team_member)
    sue = make_caller(clinic)
    do_transfer_caller(sue.pk, other_clinic, actor=team_member)
    assert signed_in(clinic_admin).get(f"/clinics/sunrise/callers/{sue.pk}/activity/").status_code == 404


def test_it_lists_each_transfer_once(clinic, other_clinic, team_member):
    also_member_of(other_clinic, team_member)
    sue = make_caller(clinic)
    do_transfer_caller(sue.pk, other_clinic, actor=team_member)
    do_transfer_caller(sue.pk, clinic, actor=team_member)
    assert [e["what"] for e in activity(team_member, sue, "sunrise")["events"]] == [
        "Entered the waiting area",
        "Transferred from Sunrise Clinic to Harbour Practice",
        "Transferred from Harbour Practice to Sunrise Clinic",
    ]
