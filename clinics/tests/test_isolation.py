"""Staff of one clinic can never see or touch anything of another: every page
and endpoint of clinic A answers 404 to staff of clinic B, never 403, so they
do not even learn that a caller exists."""

import re

import pytest

from audit.models import AuditEvent
from clinics.models import Membership, Role
from messaging.actions import do_notify
from messaging.models import Message
from testkit.helpers import enter, make_caller, post_json
from waiting.models import Caller

SECRET = "Sue Smith (private)"


@pytest.fixture
def sue(clinic, team_member):
    caller = make_caller(clinic, name=SECRET)
    do_notify(clinic, actor=team_member, caller_ids=[caller.pk], body="Your results are in")
    return caller


def assert_untouched(caller):
    caller.refresh_from_db()
    assert caller.is_present
    assert caller.message_count == 1
    assert list(caller.messages.values_list("body", flat=True)) == ["Your results are in"]


def assert_not_found(response):
    assert response.status_code == 404
    body = response.content.decode()
    assert SECRET not in body and "Your results are in" not in body


def test_the_dashboard(client, clinic, outsider):
    client.force_login(outsider)
    assert_not_found(client.get("/clinics/sunrise/"))


def test_the_configuration(client, clinic, outsider):
    client.force_login(outsider)
    assert_not_found(client.get("/clinics/sunrise/settings/"))
    assert_not_found(client.post("/clinics/sunrise/settings/", {"guest_messaging_enabled": "on"}))
    clinic.refresh_from_db()
    assert clinic.guest_messaging_enabled is False


def test_notify(client, clinic, outsider, sue):
    client.force_login(outsider)
    assert_not_found(post_json(client, "/clinics/sunrise/notify/", {"caller_ids": [sue.pk], "body": "Hi from the harbour"}))
    assert_untouched(sue)


def test_notify_through_their_own_clinic(client, outsider, sue):
    # The harbour's own endpoint will not reach the sunrise's callers either.
    client.force_login(outsider)
    response = post_json(client, "/clinics/harbour/notify/", {"caller_ids": [sue.pk], "body": "Hi from the harbour"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "no_callers"
    assert_untouched(sue)
    assert not Message.objects.filter(body="Hi from the harbour").exists()


def test_the_thread(client, outsider, sue):
    client.force_login(outsider)
    assert_not_found(client.get(f"/clinics/sunrise/callers/{sue.pk}/thread/"))
    assert_not_found(client.get(f"/clinics/harbour/callers/{sue.pk}/thread/"))
    assert not AuditEvent.objects.filter(action="thread.read").exists()


def test_remove(client, outsider, sue):
    client.force_login(outsider)
    assert_not_found(client.post(f"/clinics/sunrise/callers/{sue.pk}/remove/"))
    assert_not_found(client.post(f"/clinics/harbour/callers/{sue.pk}/remove/"))
    assert_untouched(sue)


def test_it_works_both_ways(client, other_clinic, team_member):
    theirs = make_caller(other_clinic)
    client.force_login(team_member)
    for url in (
        "/clinics/harbour/",
        "/clinics/harbour/settings/",
        f"/clinics/harbour/callers/{theirs.pk}/thread/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/clinics/harbour/callers/{theirs.pk}/remove/").status_code == 404
    assert post_json(client, "/clinics/harbour/notify/", {"caller_ids": [theirs.pk], "body": "x"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_present and theirs.message_count == 0


def test_a_member_of_both_clinics_reaches_both(client, clinic, other_clinic, team_member):
    Membership.objects.create(user=team_member, clinic=other_clinic, role=Role.MEMBER)
    client.force_login(team_member)
    assert client.get("/clinics/sunrise/").status_code == 200
    assert client.get("/clinics/harbour/").status_code == 200
    # ...with the role each clinic gave: an admin of neither.
    assert client.get("/clinics/harbour/settings/").status_code == 403


def test_a_clinic_that_does_not_exist_looks_the_same(client, clinic, outsider):
    client.force_login(outsider)
    unknown = client.get("/clinics/no-such-clinic/")
    foreign = client.get("/clinics/sunrise/")
    assert unknown.status_code == foreign.status_code == 404
    # The same page, but for what differs at every request: the sign-out
    # form's token (masked anew) and the seconds left until idle sign-out.
    moving = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"|"seconds_left": [0-9.]+')
    assert moving.sub(b"", unknown.content) == moving.sub(b"", foreign.content)


def test_a_caller_of_one_clinic_has_no_visit_at_another(client, clinic, other_clinic):
    enter(client, clinic)
    response = client.get("/w/harbour/wait/")
    assert response.status_code == 302
    assert response["Location"] == "/w/harbour/"
    assert client.post("/w/harbour/leave/")["Location"] == "/w/harbour/"
    assert Caller.objects.get().is_present  # leaving the harbour does not end the sunrise visit
