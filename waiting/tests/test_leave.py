"""Leaving: the caller's "Leave the waiting area" button, and a team member's
"Remove from waiting area"."""

from django.test import Client

from audit.models import AuditEvent
from realtime.events import CALLERS_CHANGED, VISIT_CHANGED, caller_group, staff_group
from testkit.helpers import Listener, enter, make_caller
from waiting.actions import do_leave_waiting_area
from waiting.models import Caller, LeaveReason


def test_it_leaves_the_waiting_area(client, clinic, django_capture_on_commit_callbacks):
    caller = enter(client, clinic)
    staff = Listener(staff_group(clinic.pk))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/w/sunrise/leave/", follow=True)

    assert response.redirect_chain == [("/w/sunrise/wait/", 302)]
    html = response.content.decode()
    assert "Your visit has ended" in html
    assert "You have left the waiting area." in html
    caller.refresh_from_db()
    assert not caller.is_present
    assert caller.leave_reason == LeaveReason.LEFT
    assert not Caller.objects.present().exists()
    event = AuditEvent.objects.get(action="caller.left")
    assert event.caller_id == caller.pk and event.actor is None
    (event,) = staff.events()
    assert event["type"] == CALLERS_CHANGED
    assert event["cards"][0]["id"] == caller.pk
    assert event["cards"][0]["present"] is False


def test_it_forgets_the_visit(client, clinic):
    enter(client, clinic)
    client.post("/w/sunrise/leave/", follow=True)
    response = client.get("/w/sunrise/wait/")
    assert response.status_code == 302
    assert response["Location"] == "/w/sunrise/"


def test_it_requires_post(client, clinic):
    caller = enter(client, clinic)
    assert client.get("/w/sunrise/leave/").status_code == 405
    caller.refresh_from_db()
    assert caller.is_present


def test_it_requires_the_csrf_token(clinic):
    # Another site cannot make a caller leave by posting to the button's address.
    browser = Client(enforce_csrf_checks=True)
    caller = enter_with_token(browser, clinic)
    assert browser.post("/w/sunrise/leave/").status_code == 403
    caller.refresh_from_db()
    assert caller.is_present


def enter_with_token(browser, clinic):
    browser.get("/w/sunrise/")
    token = browser.cookies["csrftoken"].value
    response = browser.post("/w/sunrise/", {"name": "Sue Smith", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    return Caller.objects.get()


def test_it_leaves_only_this_browsers_visit(clinic):
    sue, tom = Client(), Client()
    enter(sue, clinic, name="Sue Smith")
    enter(tom, clinic, name="Tom Berg")
    sue.post("/w/sunrise/leave/")
    assert list(Caller.objects.present().values_list("name", flat=True)) == ["Tom Berg"]


def test_it_does_nothing_without_a_visit(client, clinic):
    make_caller(clinic)
    response = client.post("/w/sunrise/leave/")
    assert response.status_code == 302
    assert response["Location"] == "/w/sunrise/"
    assert Caller.objects.present().count() == 1


def test_leaving_twice_records_it_once(clinic, django_capture_on_commit_callbacks):
    caller = make_caller(clinic)
    first = do_leave_waiting_area(caller.pk)
    staff = Listener(staff_group(clinic.pk))
    with django_capture_on_commit_callbacks(execute=True):
        again = do_leave_waiting_area(caller.pk, reason=LeaveReason.REMOVED)
    assert again.left_at == first.left_at
    assert again.leave_reason == LeaveReason.LEFT
    assert AuditEvent.objects.filter(action="caller.left").count() == 1
    assert staff.events() == []


# Staff: remove -----------------------------------------------------------------


def test_a_team_member_removes_a_caller(client, clinic, team_member, django_capture_on_commit_callbacks):
    caller = make_caller(clinic)
    staff = Listener(staff_group(clinic.pk))
    page = Listener(caller_group(caller.pk))
    client.force_login(team_member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/clinics/sunrise/callers/{caller.pk}/remove/")

    assert response.status_code == 200
    assert response.json() == {"ok": True}
    caller.refresh_from_db()
    assert not caller.is_present
    assert caller.leave_reason == LeaveReason.REMOVED
    event = AuditEvent.objects.get(action="caller.left")
    assert event.actor == team_member
    assert event.details == {"reason": "removed"}
    (event,) = staff.events()
    assert event["cards"][0]["present"] is False
    (event,) = page.events()
    assert event["type"] == VISIT_CHANGED
    assert event["visit"]["present"] is False
    assert event["visit"]["leave_reason"] == "removed"


def test_the_removed_callers_page_says_the_clinic_closed_the_visit(client, clinic, team_member):
    caller = enter(client, clinic)
    staff = Client()
    staff.force_login(team_member)
    staff.post(f"/clinics/sunrise/callers/{caller.pk}/remove/")
    html = client.get("/w/sunrise/wait/").content.decode()
    assert "Your visit has ended" in html
    assert "The clinic has closed your visit." in html


def test_removing_a_caller_who_left_changes_nothing(client, clinic, team_member):
    caller = make_caller(clinic)
    do_leave_waiting_area(caller.pk)
    client.force_login(team_member)
    assert client.post(f"/clinics/sunrise/callers/{caller.pk}/remove/").status_code == 200
    caller.refresh_from_db()
    assert caller.leave_reason == LeaveReason.LEFT


def test_remove_requires_sign_in(client, clinic):
    caller = make_caller(clinic)
    response = client.post(f"/clinics/sunrise/callers/{caller.pk}/remove/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    caller.refresh_from_db()
    assert caller.is_present


def test_remove_requires_post(client, clinic, team_member):
    caller = make_caller(clinic)
    client.force_login(team_member)
    assert client.get(f"/clinics/sunrise/callers/{caller.pk}/remove/").status_code == 405
    caller.refresh_from_db()
    assert caller.is_present


def test_remove_returns_404_for_an_unknown_caller(client, clinic, team_member):
    client.force_login(team_member)
    assert client.post("/clinics/sunrise/callers/4242/remove/").status_code == 404
