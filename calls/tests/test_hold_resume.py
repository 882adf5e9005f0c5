"""The Call Manager's Hold and Resume: only the call's participants may press them."""

from audit.models import AuditEvent
from realtime.events import CALL_CHANGED, CALLERS_CHANGED, VISIT_CHANGED, caller_group, staff_group
from testkit.helpers import Listener, make_caller
from waiting.models import Status

from .helpers import error_code, in_call, press, signed_in


def status_of(caller):
    caller.refresh_from_db()
    return caller.status


def test_it_works(clinic, team_member, django_capture_on_commit_callbacks):
    sue = make_caller(clinic)
    call = in_call(sue, team_member)
    dashboards = Listener(staff_group(clinic.pk))
    page = Listener(caller_group(sue.pk))
    with django_capture_on_commit_callbacks(execute=True):
        response = press(signed_in(team_member), call, "hold")

    assert response.status_code == 200 and response.json() == {"ok": True}
    assert status_of(sue) == Status.ON_HOLD
    call.refresh_from_db()
    assert call.is_open  # held, not ended: the team member is still in the call
    held = AuditEvent.objects.get(action="caller.on_hold")
    assert (held.actor, held.caller_id) == (team_member, sue.pk)
    (event,) = dashboards.events()
    assert event["type"] == CALLERS_CHANGED and event["cards"][0]["status"] == "on_hold"
    visit, call_event = page.events()
    assert visit["type"] == VISIT_CHANGED and visit["visit"]["status"] == "on_hold"
    # The caller's page pauses the media and shows that they are on hold.
    assert call_event["type"] == CALL_CHANGED and call_event["call"]["on_hold"] is True
    assert call_event["call"]["open"] is True


def test_it_resumes(clinic, team_member, django_capture_on_commit_callbacks):
    sue = make_caller(clinic)
    call = in_call(sue, team_member)
    browser = signed_in(team_member)
    press(browser, call, "hold")
    page = Listener(caller_group(sue.pk))
    with django_capture_on_commit_callbacks(execute=True):
        response = press(browser, call, "resume")

    assert response.status_code == 200
    assert status_of(sue) == Status.BEING_SEEN
    visit, call_event = page.events()
    assert visit["visit"]["status"] == "being_seen"
    assert call_event["call"]["on_hold"] is False


def test_a_second_participant_may_resume(clinic, team_member, clinic_admin):
    sue = make_caller(clinic)
    call = in_call(sue, team_member, clinic_admin)
    press(signed_in(team_member), call, "hold")
    assert press(signed_in(clinic_admin), call, "resume").status_code == 200
    assert status_of(sue) == Status.BEING_SEEN


def test_it_refuses_a_team_member_who_is_not_in_the_call(clinic, team_member, clinic_admin):
    sue = make_caller(clinic)
    call = in_call(sue, team_member)
    response = press(signed_in(clinic_admin), call, "hold")
    assert response.status_code == 400 and error_code(response) == "not_in_call"
    assert status_of(sue) == Status.BEING_SEEN

    press(signed_in(team_member), call, "hold")
    response = press(signed_in(clinic_admin), call, "resume")
    assert response.status_code == 400 and error_code(response) == "not_in_call"
    assert status_of(sue) == Status.ON_HOLD
    assert AuditEvent.objects.filter(actor=clinic_admin).exclude(action="account.signed_in").count() == 0


def test_it_refuses_a_team_member_who_left_the_call(clinic, team_member, clinic_admin):
    sue = make_caller(clinic)
    call = in_call(sue, team_member, clinic_admin)
    alex = signed_in(clinic_admin)
    assert press(alex, call, "leave").status_code == 200
    response = press(alex, call, "hold")
    assert response.status_code == 400 and error_code(response) == "not_in_call"
    assert status_of(sue) == Status.BEING_SEEN


def test_it_validates_ownership(clinic, other_clinic, team_member, outsider):
    sue = make_caller(clinic)
    call = in_call(sue, team_member)
    olli = signed_in(outsider)
    assert olli.post(f"/clinics/sunrise/calls/{call.pk}/hold/").status_code == 404
    assert olli.post(f"/clinics/harbour/calls/{call.pk}/hold/").status_code == 404
    assert status_of(sue) == Status.BEING_SEEN


def test_it_refuses_to_resume_a_caller_who_is_not_on_hold(clinic, team_member):
    sue = make_caller(clinic)
    call = in_call(sue, team_member)
    response = press(signed_in(team_member), call, "resume")
    assert response.status_code == 400 and error_code(response) == "wrong_status"
    assert status_of(sue) == Status.BEING_SEEN


def test_it_refuses_to_hold_twice(clinic, team_member):
    sue = make_caller(clinic)
    call = in_call(sue, team_member)
    browser = signed_in(team_member)
    press(browser, call, "hold")
    response = press(browser, call, "hold")
    assert response.status_code == 400 and error_code(response) == "wrong_status"
    assert AuditEvent.objects.filter(action="caller.on_hold").count() == 1


def test_it_refuses_a_call_that_has_ended(clinic, team_member):
    sue = make_caller(clinic)
    call = in_call(sue, team_member)
    browser = signed_in(team_member)
    press(browser, call, "leave", then="wait")
    response = press(browser, call, "hold")
    assert response.status_code == 400 and error_code(response) == "call_ended"
    assert status_of(sue) == Status.WAITING


def test_it_refuses_an_unknown_button(clinic, team_member):
    sue = make_caller(clinic)
    call = in_call(sue, team_member)
    assert press(signed_in(team_member), call, "mute-everyone").status_code == 404
    assert status_of(sue) == Status.BEING_SEEN
