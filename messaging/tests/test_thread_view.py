"""A team member opens a caller's whole thread: in order, who wrote, when."""

from datetime import timedelta
from unittest import mock

from django.utils import timezone

from audit.models import AuditEvent
from clinics.models import Membership, Role
from messaging.actions import do_notify, do_send_caller_message
from testkit.helpers import make_caller
from waiting.actions import do_leave_waiting_area


def test_it_shows_the_thread_in_order_with_who_and_when(client, clinic, team_member, clinic_admin):
    clinic.guest_messaging_enabled = True
    clinic.save()
    caller = make_caller(clinic)
    start = timezone.now() - timedelta(minutes=30)
    script = [
        (team_member, "Dr Lee is running 15 minutes late"),
        (None, "Thanks, I'll wait"),
        (clinic_admin, "Dr Lee is ready for you now"),
    ]
    for minute, (author, body) in enumerate(script):
        with mock.patch("django.utils.timezone.now", return_value=start + timedelta(minutes=minute)):
            if author is None:
                do_send_caller_message(caller.pk, body=body)
            else:
                do_notify(clinic, actor=author, caller_ids=[caller.pk], body=body)

    client.force_login(team_member)
    response = client.get(f"/clinics/sunrise/callers/{caller.pk}/thread/")
    assert response.status_code == 200
    data = response.json()
    assert data["caller_id"] == caller.pk
    assert data["name"] == "Sue Smith"
    assert [(m["seq"], m["sender"], m["author"], m["body"]) for m in data["messages"]] == [
        (1, "clinic", "Dr Lee", "Dr Lee is running 15 minutes late"),
        (2, "caller", None, "Thanks, I'll wait"),
        (3, "clinic", "Alex", "Dr Lee is ready for you now"),
    ]
    assert [m["created_at"] for m in data["messages"]] == [
        (start + timedelta(minutes=n)).isoformat() for n in range(3)
    ]


def test_an_author_without_a_name_is_shown_by_their_sign_in(client, clinic, django_user_model):
    nameless = django_user_model.objects.create_user("reception@sunrise.test")
    Membership.objects.create(user=nameless, clinic=clinic, role=Role.MEMBER)
    caller = make_caller(clinic)
    do_notify(clinic, actor=nameless, caller_ids=[caller.pk], body="Hello")
    client.force_login(nameless)
    (message,) = client.get(f"/clinics/sunrise/callers/{caller.pk}/thread/").json()["messages"]
    assert message["author"] == "reception@sunrise.test"


def test_an_empty_thread(client, clinic, team_member):
    caller = make_caller(clinic)
    client.force_login(team_member)
    assert client.get(f"/clinics/sunrise/callers/{caller.pk}/thread/").json()["messages"] == []


def test_it_shows_only_this_callers_thread(client, clinic, team_member):
    sue = make_caller(clinic, name="Sue")
    tom = make_caller(clinic, name="Tom")
    do_notify(clinic, actor=team_member, caller_ids=[tom.pk], body="For Tom")
    client.force_login(team_member)
    assert client.get(f"/clinics/sunrise/callers/{sue.pk}/thread/").json()["messages"] == []


def test_the_thread_of_a_caller_who_left_can_still_be_read(client, clinic, team_member):
    caller = make_caller(clinic)
    do_notify(clinic, actor=team_member, caller_ids=[caller.pk], body="See you soon")
    do_leave_waiting_area(caller.pk)
    client.force_login(team_member)
    response = client.get(f"/clinics/sunrise/callers/{caller.pk}/thread/")
    assert [m["body"] for m in response.json()["messages"]] == ["See you soon"]


def test_it_records_who_read_the_thread(client, clinic, team_member):
    caller = make_caller(clinic)
    client.force_login(team_member)
    client.get(f"/clinics/sunrise/callers/{caller.pk}/thread/")
    event = AuditEvent.objects.get(action="thread.read")
    assert event.actor == team_member
    assert event.clinic == clinic
    assert event.caller_id == caller.pk


def test_it_returns_404_for_a_caller_of_another_clinic(client, clinic, other_clinic, team_member):
    theirs = make_caller(other_clinic)
    do_notify(other_clinic, actor=None, caller_ids=[theirs.pk], body="Harbour secret")
    client.force_login(team_member)
    response = client.get(f"/clinics/sunrise/callers/{theirs.pk}/thread/")
    assert response.status_code == 404
    assert b"Harbour secret" not in response.content
    assert not AuditEvent.objects.filter(action="thread.read").exists()


def test_it_returns_404_for_an_unknown_caller(client, clinic, team_member):
    client.force_login(team_member)
    assert client.get("/clinics/sunrise/callers/4242/thread/").status_code == 404
    assert client.get(f"/clinics/sunrise/callers/{2**70}/thread/").status_code == 404


def test_it_requires_sign_in(client, clinic):
    caller = make_caller(clinic)
    response = client.get(f"/clinics/sunrise/callers/{caller.pk}/thread/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_it_only_reads(client, clinic, team_member):
    caller = make_caller(clinic)
    client.force_login(team_member)
    assert client.post(f"/clinics/sunrise/callers/{caller.pk}/thread/").status_code == 405
