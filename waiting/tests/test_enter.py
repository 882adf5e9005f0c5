"""The caller's way in: the clinic's link → entry form → "Waiting for call"."""

from datetime import date, timedelta

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from audit.models import AuditEvent
from clinics.models import FieldMode
from realtime.events import CALLERS_CHANGED, staff_group
from waitroom.errors import ActionError
from testkit.helpers import Listener, enter, make_caller
from waiting.actions import do_enter_waiting_area
from waiting.models import Caller, Status


def test_it_shows_the_entry_form(client, clinic):
    response = client.get("/w/sunrise/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Welcome to Sunrise Clinic" in html
    assert 'name="name"' in html
    assert 'name="phone"' in html  # optional by default
    assert 'name="date_of_birth"' not in html  # not asked by default
    assert "Enter the waiting area" in html


def test_it_asks_for_the_fields_the_clinic_wants(client, clinic):
    clinic.phone_field = FieldMode.OFF
    clinic.date_of_birth_field = FieldMode.REQUIRED
    clinic.extra_field_label = "Reason for your visit"
    clinic.extra_field = FieldMode.OPTIONAL
    clinic.save()
    html = client.get("/w/sunrise/").content.decode()
    assert 'name="phone"' not in html
    assert 'name="date_of_birth"' in html
    assert "Reason for your visit" in html
    assert 'name="extra_answer"' in html


def test_it_enters_the_waiting_area(client, clinic):
    clinic.date_of_birth_field = FieldMode.OPTIONAL
    clinic.extra_field_label = "Reason for your visit"
    clinic.save()
    response = client.post(
        "/w/sunrise/",
        {"name": "Sue Smith", "phone": "+49 30 123456", "date_of_birth": "1980-02-29", "extra_answer": "Repeat prescription"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/w/sunrise/wait/"

    caller = Caller.objects.get()
    assert caller.clinic == clinic
    assert caller.name == "Sue Smith"
    assert caller.phone == "+49 30 123456"
    assert caller.date_of_birth == date(1980, 2, 29)
    assert caller.extra_answer == "Repeat prescription"
    assert caller.status == Status.WAITING
    assert caller.is_present
    assert caller.message_count == 0

    event = AuditEvent.objects.get(action="caller.arrived")
    assert event.clinic == clinic and event.caller_id == caller.pk
    # The audit trail outlives the visit: it must not keep the patient's details.
    assert "Sue" not in str(event.details)

    assert client.get(response["Location"]).status_code == 200


def test_it_tidies_the_name(client, clinic):
    caller = enter(client, clinic, name="  Sue \t  Smith ")
    assert caller.name == "Sue Smith"


def test_it_announces_the_arrival_to_the_clinics_staff(client, clinic, other_clinic, django_capture_on_commit_callbacks):
    staff = Listener(staff_group(clinic.pk))
    elsewhere = Listener(staff_group(other_clinic.pk))
    with django_capture_on_commit_callbacks(execute=True):
        caller = enter(client, clinic)
    (event,) = staff.events()
    assert event["type"] == CALLERS_CHANGED
    (card,) = event["cards"]
    assert card["id"] == caller.pk
    assert card["name"] == "Sue Smith"
    assert card["status"] == "waiting"
    assert card["present"] is True
    assert card["phone"] == ""
    assert elsewhere.events() == []


def test_it_announces_only_what_was_stored(clinic, django_capture_on_commit_callbacks):
    staff = Listener(staff_group(clinic.pk))
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                make_caller(clinic)
                raise RuntimeError("the request failed after the action")
    assert not Caller.objects.exists()
    assert not AuditEvent.objects.exists()
    assert staff.events() == []


def test_it_announces_nothing_before_the_commit(clinic, django_capture_on_commit_callbacks):
    staff = Listener(staff_group(clinic.pk))
    with django_capture_on_commit_callbacks(execute=True):
        make_caller(clinic)
        assert staff.events() == []  # stored, not yet committed: not announced
    assert staff.types() == [CALLERS_CHANGED]


@pytest.mark.parametrize("name", ["", "   ", "\t\n"])
def test_it_requires_a_name(client, clinic, name):
    response = client.post("/w/sunrise/", {"name": name})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert not Caller.objects.exists()


def test_it_refuses_a_name_over_100_characters(client, clinic):
    response = client.post("/w/sunrise/", {"name": "S" * 101})
    assert response.status_code == 200
    assert not Caller.objects.exists()


def test_it_requires_the_fields_the_clinic_requires(client, clinic):
    clinic.phone_field = FieldMode.REQUIRED
    clinic.date_of_birth_field = FieldMode.REQUIRED
    clinic.save()
    response = client.post("/w/sunrise/", {"name": "Sue Smith"})
    assert response.status_code == 200
    assert response.content.decode().count('class="error" role="alert"') == 2
    assert not Caller.objects.exists()


def test_it_validates_the_phone_number(client, clinic):
    response = client.post("/w/sunrise/", {"name": "Sue Smith", "phone": "call me maybe"})
    assert response.status_code == 200
    assert "Please enter a phone number" in response.content.decode()
    assert not Caller.objects.exists()


def test_it_refuses_a_date_of_birth_in_the_future(client, clinic):
    clinic.date_of_birth_field = FieldMode.OPTIONAL
    clinic.save()
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.post("/w/sunrise/", {"name": "Sue Smith", "date_of_birth": tomorrow.isoformat()})
    assert response.status_code == 200
    assert "Please enter a date of birth in the past." in response.content.decode()
    assert not Caller.objects.exists()


def test_it_ignores_fields_the_clinic_does_not_ask(client, clinic):
    clinic.phone_field = FieldMode.OFF
    clinic.save()
    caller = enter(client, clinic, phone="+49 30 123456", date_of_birth="1980-01-01")
    assert caller.phone == ""
    assert caller.date_of_birth is None


def test_it_returns_404_for_an_unknown_clinic(client, db):
    assert client.get("/w/nowhere/").status_code == 404
    assert client.post("/w/nowhere/", {"name": "Sue Smith"}).status_code == 404
    assert not Caller.objects.exists()


def test_it_sends_a_caller_who_is_already_in_to_their_waiting_page(client, clinic):
    enter(client, clinic)
    response = client.get("/w/sunrise/")
    assert response.status_code == 302
    assert response["Location"] == "/w/sunrise/wait/"
    # A second submission of the form (back button) makes no second visit.
    client.post("/w/sunrise/", {"name": "Sue Smith"})
    assert Caller.objects.count() == 1


def test_it_lets_a_caller_in_again_after_their_visit_ended(client, clinic):
    first = enter(client, clinic)
    client.post("/w/sunrise/leave/")
    assert client.get("/w/sunrise/").status_code == 200
    second = enter(client, clinic)
    assert second.pk != first.pk
    assert client.get("/w/sunrise/wait/").context["caller"] == second


def test_each_browser_gets_its_own_visit(clinic):
    sue, tom = Client(), Client()
    enter(sue, clinic, name="Sue Smith")
    enter(tom, clinic, name="Tom Berg")
    assert sue.get("/w/sunrise/wait/").context["caller"].name == "Sue Smith"
    assert tom.get("/w/sunrise/wait/").context["caller"].name == "Tom Berg"


def test_one_browser_can_wait_at_two_clinics(client, clinic, other_clinic):
    enter(client, clinic, name="Sue Smith")
    enter(client, other_clinic, name="Sue at the harbour")
    assert client.get("/w/sunrise/wait/").context["caller"].clinic == clinic
    assert client.get("/w/harbour/wait/").context["caller"].clinic == other_clinic


def test_the_action_refuses_an_empty_name(clinic):
    with pytest.raises(ActionError) as e:
        do_enter_waiting_area(clinic, name="  ")
    assert e.value.code == "name_required"
    assert not Caller.objects.exists()


def test_the_action_refuses_a_long_name(clinic):
    with pytest.raises(ActionError) as e:
        do_enter_waiting_area(clinic, name="S" * 101)
    assert e.value.code == "name_too_long"
    assert not Caller.objects.exists()
