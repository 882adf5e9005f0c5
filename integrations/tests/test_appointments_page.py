"""The team's appointments page (/clinics/<slug>/appointments/): every member
of the team creates, lists and cancels appointment invitations; the link is
shown once; another clinic's staff find nothing (404)."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from audit.models import AuditEvent
from clinics.models import Clinic, FieldMode
from integrations import invitations
from integrations.invitations import PatientInvitation

URL = "/clinics/sunrise/appointments/"
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def berlin(clinic):
    Clinic.objects.filter(pk=clinic.pk).update(time_zone="Europe/Berlin")
    clinic.refresh_from_db()
    return clinic


def tomorrow_at(hour, minute=0):
    day = (timezone.now().astimezone(BERLIN) + timedelta(days=1)).date()
    return datetime(day.year, day.month, day.day, hour, minute)


def form(**fields):
    return {"name": "Sue Smith", "appointment_at": tomorrow_at(10, 30).strftime("%Y-%m-%dT%H:%M"), "single_use": "on", **fields}


def test_a_team_member_creates_an_invitation_and_sees_the_link_once(client, berlin, team_member):
    client.force_login(team_member)

    response = client.post(URL, form(phone="+49 30 1234"))

    assert response.status_code == 302 and response["Location"] == URL
    invitation = PatientInvitation.objects.get()
    assert (invitation.name, invitation.phone, invitation.single_use, invitation.created_by) == (
        "Sue Smith",
        "+49 30 1234",
        True,
        team_member,
    )
    # The times typed are the clinic's wall clock: 10:30 in Berlin.
    assert invitation.appointment_at == tomorrow_at(10, 30).replace(tzinfo=BERLIN)
    assert invitation.valid_from == tomorrow_at(10, 0).replace(tzinfo=BERLIN)
    page = client.get(URL).content.decode()
    link = re.search(r'value="(http://testserver/i/[A-Za-z0-9_-]{43}/)"', page).group(1)
    assert invitations.invitation_for_token(link.split("/")[-2]) == invitation
    assert "Sue Smith" in page and "10:30" in page
    assert link not in client.get(URL).content.decode()  # shown once


def test_the_window_and_multiple_use_can_be_chosen(client, berlin, team_member):
    client.force_login(team_member)

    client.post(
        URL,
        form(
            single_use="",
            valid_from=tomorrow_at(8).strftime("%Y-%m-%dT%H:%M"),
            valid_until=tomorrow_at(18).strftime("%Y-%m-%dT%H:%M"),
            language="de",
        ),
    )

    invitation = PatientInvitation.objects.get()
    assert not invitation.single_use and invitation.language == "de"
    assert (invitation.valid_from, invitation.valid_until) == (
        tomorrow_at(8).replace(tzinfo=BERLIN),
        tomorrow_at(18).replace(tzinfo=BERLIN),
    )


def test_the_form_asks_the_clinics_entry_fields(client, clinic, team_member):
    Clinic.objects.filter(pk=clinic.pk).update(
        phone_field=FieldMode.OFF, date_of_birth_field=FieldMode.REQUIRED, extra_field_label="Reason for your visit"
    )
    client.force_login(team_member)

    page = client.get(URL).content.decode()
    missing = client.post(URL, form())

    assert 'name="phone"' not in page and 'name="date_of_birth"' in page and "Reason for your visit" in page
    assert missing.status_code == 400 and not PatientInvitation.objects.exists()
    client.post(URL, form(date_of_birth="1980-05-17", extra_answer="Follow-up"))
    assert PatientInvitation.objects.get().extra_answer == "Follow-up"


@pytest.mark.parametrize(
    "fields",
    [
        {"name": ""},
        {"name": "\u200b \u200b"},
        {"name": "x" * 101},
        {"name": "x" * 100_000},
        {"appointment_at": "tomorrow"},
        {"appointment_at": ""},
        {"phone": "call me"},
        {"valid_from": tomorrow_at(12).strftime("%Y-%m-%dT%H:%M"), "valid_until": tomorrow_at(11).strftime("%Y-%m-%dT%H:%M")},
        {"language": "fr"},
    ],
)
def test_bad_input_shows_the_form_with_errors_and_creates_nothing(client, clinic, team_member, fields):
    client.force_login(team_member)

    response = client.post(URL, form(**fields))

    assert response.status_code == 400
    assert "Please correct what is marked below" in response.content.decode()
    assert not PatientInvitation.objects.exists()
    assert not AuditEvent.objects.filter(action="invitation.created").exists()


def test_a_lone_surrogates_bytes_arrive_as_replacement_characters(client, clinic, team_member):
    """A form post cannot carry a lone surrogate: its bytes are not UTF-8, and
    Django reads them as U+FFFD (the action refuses a real one: the API's way
    in, test_invitation_rules.py). Nothing unencodable is stored or shown."""
    client.force_login(team_member)
    body = f"name=Ada%ED%A0%80&appointment_at={tomorrow_at(10).strftime('%Y-%m-%dT%H:%M')}&single_use=on"

    response = client.post(URL, body.encode(), content_type="application/x-www-form-urlencoded")

    assert response.status_code == 302
    assert PatientInvitation.objects.get().name == "Ada\ufffd\ufffd\ufffd"
    assert client.get(URL).status_code == 200


def test_the_page_lists_upcoming_used_and_over(client, clinic, team_member):
    soon = timezone.now() + timedelta(minutes=5)
    upcoming, _ = invitations.do_create_invitation(clinic, actor=None, name="Ann Upcoming", appointment_at=soon)
    used, _ = invitations.do_create_invitation(clinic, actor=None, name="Bob Used", appointment_at=soon)
    invitations.do_use_invitation(used)
    client.force_login(team_member)

    page = client.get(URL).content.decode()

    upcoming_part, used_part = page.split('id="used-title"')
    assert "Ann Upcoming" in upcoming_part and "Bob Used" in used_part
    assert f"/appointments/{upcoming.pk}/cancel/" in page and f"/appointments/{used.pk}/cancel/" not in page
    read = AuditEvent.objects.get(action="invitations.read")
    assert read.actor == team_member and read.details == {"invitations": 2}


def test_a_team_member_cancels_an_invitation(client, clinic, team_member):
    invitation, link = invitations.do_create_invitation(
        clinic, actor=None, name="Sue Smith", appointment_at=timezone.now() + timedelta(minutes=5)
    )
    client.force_login(team_member)

    response = client.post(f"{URL}{invitation.pk}/cancel/", follow=True)

    assert "its link no longer works" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.state() == "cancelled"
    event = AuditEvent.objects.get(action="invitation.cancelled")
    assert event.actor == team_member and event.details == {"invitation": invitation.pk}


def test_another_clinics_staff_can_neither_list_nor_create_nor_cancel(client, clinic, outsider):
    invitation, _ = invitations.do_create_invitation(
        clinic, actor=None, name="Sue Smith", appointment_at=timezone.now() + timedelta(minutes=5)
    )
    client.force_login(outsider)

    assert client.get(URL).status_code == 404
    assert client.post(URL, form(name="Mallory")).status_code == 404
    assert client.post(f"{URL}{invitation.pk}/cancel/").status_code == 404
    # Nor through their own clinic's address.
    assert client.post(f"/clinics/harbour/appointments/{invitation.pk}/cancel/").status_code == 404
    invitation.refresh_from_db()
    assert invitation.cancelled_at is None and PatientInvitation.objects.count() == 1


def test_signed_out_and_a_callers_session_are_sent_to_sign_in(clinic):
    invitation, _ = invitations.do_create_invitation(
        clinic, actor=None, name="Sue Smith", appointment_at=timezone.now() + timedelta(minutes=5)
    )
    caller = Client()
    caller.post("/w/sunrise/", {"name": "Mallory"})

    for browser in (Client(), caller):
        assert browser.get(URL).status_code == 302
        assert browser.post(URL, form()).status_code == 302
        assert browser.post(f"{URL}{invitation.pk}/cancel/").status_code == 302
    assert PatientInvitation.objects.count() == 1
    invitation.refresh_from_db()
    assert invitation.cancelled_at is None


def test_an_unknown_or_oversized_invitation_id_is_not_found(client, clinic, team_member):
    client.force_login(team_member)

    assert client.post(f"{URL}999/cancel/").status_code == 404
    assert client.post(f"{URL}{'9' * 30}/cancel/").status_code == 404
    assert client.get(f"{URL}1/cancel/").status_code == 405


def test_the_page_speaks_german(client, clinic, team_member):
    client.force_login(team_member)

    page = client.get(URL, headers={"accept-language": "de"}).content.decode()

    assert "Eine Patientin / einen Patienten zu einem Termin einladen" in page
    assert "Einladung erstellen" in page
