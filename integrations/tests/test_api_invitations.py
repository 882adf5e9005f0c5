"""A practice system books an appointment through the API and gets the
patient's personal link: it lets the patient in, once; a retry with the same
client key makes no second invitation; another clinic's key sees none of it."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.test import Client
from django.utils import timezone

from audit.models import AuditEvent
from integrations.invitations import PatientInvitation
from waiting.models import Caller


def in_a_week(hour=10, minute=30):
    """A time next week, without an offset."""
    return datetime.combine(timezone.now().date() + timedelta(days=7), time(hour, minute))


BOOKING = {"name": "Sue Smith", "appointment_at": in_a_week().isoformat() + "+01:00"}


def test_an_invitation_made_through_the_api_gives_a_link_that_lets_the_patient_in(api, clinic, settings):
    response = api.post("/invitations", {"name": "Sue Smith", "appointment_at": _soon()})
    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer["state"] == "open" and answer["single_use"] is True and answer["uses"] == 0
    assert answer["entry"]["name"] == "Sue Smith"  # this key may read
    link = answer["link"]
    assert link.startswith(settings.SITE_URL) and "/i/" in link
    invitation = PatientInvitation.objects.get(pk=answer["id"])
    assert link.split("/i/")[1].strip("/") not in (invitation.token_hash, str(invitation.pk))

    patient = Client()
    path = "/i/" + link.split("/i/")[1]
    assert patient.get(path).status_code == 200
    assert patient.post(path).status_code == 302
    assert Caller.objects.get(clinic=clinic).name == "Sue Smith"
    assert AuditEvent.objects.filter(action="invitation.created", actor=None).exists()


def test_a_time_without_an_offset_is_the_clinics(api, clinic):
    clinic.time_zone = "Europe/Berlin"
    clinic.save()
    local = in_a_week()
    answer = api.post("/invitations", {"name": "Sue", "appointment_at": local.isoformat()}).json()
    expected = local.replace(tzinfo=ZoneInfo("Europe/Berlin"))
    assert datetime.fromisoformat(answer["appointment_at"].replace("Z", "+00:00")) == expected


def test_a_retry_with_the_same_client_key_makes_one_invitation_and_gives_the_same_link(api):
    first = api.post("/invitations", BOOKING, **{"Idempotency-Key": "booking-4711"})
    again = api.post("/invitations", BOOKING, **{"Idempotency-Key": "booking-4711"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert PatientInvitation.objects.count() == 1


def test_the_list_and_cancel(api, api_as):
    made = api.post("/invitations", BOOKING).json()
    listed = api.get("/invitations").json()["invitations"]
    assert [i["id"] for i in listed] == [made["id"]] and listed[0]["link"] is None

    invite_only = api_as("invite")
    assert invite_only.get("/invitations").json()["invitations"][0]["entry"] is None  # no names without read
    cancelled = invite_only.post(f"/invitations/{made['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"


def test_keys_without_invite_and_other_clinics_keys_are_refused(api, api_as, other_clinic):
    made = api.post("/invitations", BOOKING).json()
    for scopes in (("read",), ("notify",), ("read", "notify")):
        key = api_as(*scopes)
        assert key.post("/invitations", BOOKING).status_code == 403
        assert key.get("/invitations").status_code == 403
        assert key.post(f"/invitations/{made['id']}/cancel").status_code == 403

    elsewhere = api_as("read", "notify", "invite", clinic=other_clinic)
    assert elsewhere.get("/invitations").json() == {"invitations": []}
    refused = elsewhere.post(f"/invitations/{made['id']}/cancel")
    assert refused.status_code == 404 and refused.json()["error"]["code"] == "not_found"
    assert PatientInvitation.objects.get(pk=made["id"]).cancelled_at is None


def test_bad_bookings_are_refused_and_nothing_is_made(api):
    for body in (
        {"name": "Sue"},  # no appointment
        {"name": "\u200b", "appointment_at": BOOKING["appointment_at"]},  # a name that shows nothing
        {"name": "x" * 500, "appointment_at": BOOKING["appointment_at"]},
        {"name": "Sue", "appointment_at": "not a time"},
        {"name": "Sue", "appointment_at": BOOKING["appointment_at"], "language": "fr"},
        {**BOOKING, "valid_from": in_a_week(12).isoformat() + "+01:00", "valid_until": in_a_week(11).isoformat() + "+01:00"},
    ):
        response = api.post("/invitations", body)
        assert response.status_code == 400, (body, response.content)
        assert "error" in response.json()
    lone = api.post("/invitations", raw='{"name": "Sue\\ud800", "appointment_at": "%s"}' % BOOKING["appointment_at"])
    assert lone.status_code == 400
    assert PatientInvitation.objects.count() == 0


def _soon():
    return (timezone.now() + timedelta(minutes=10)).isoformat()
