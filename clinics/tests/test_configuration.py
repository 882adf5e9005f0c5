"""General configuration: clinic admins only, every change recorded (who, when,
what from what), bad values refused with nothing changed."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from audit.models import AuditEvent
from clinics.actions import do_change_configuration
from clinics.models import Clinic, FieldMode
from realtime.events import CLINIC_CHANGED, callers_group, staff_group
from testkit.helpers import Listener

URL = "/clinics/sunrise/settings/"


def form_data(clinic, **changes):
    """What the page posts back: the clinic's current values, with changes."""
    data = {field: getattr(clinic, field) for field in Clinic.CONFIGURATION_FIELDS}
    data.update(changes)
    # A browser leaves an unticked checkbox out.
    if data.pop("guest_messaging_enabled"):
        data["guest_messaging_enabled"] = "on"
    return data


def clinic_events():
    # Signing in is audited too (accounts/): these tests look at the rest.
    return AuditEvent.objects.exclude(action__startswith="account.")


def configuration(clinic):
    clinic = Clinic.objects.get(pk=clinic.pk)
    return {field: getattr(clinic, field) for field in Clinic.CONFIGURATION_FIELDS}


def test_it_works(client, clinic, clinic_admin):
    client.force_login(clinic_admin)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "General configuration" in html
    assert "Enable guest messaging" in html
    assert 'name="guest_messaging_enabled"' in html
    assert "Text shown to waiting callers" in html
    assert "Offline grace period (minutes)" in html
    assert "No changes yet." in html


def test_a_team_member_gets_403(client, clinic, team_member):
    before = configuration(clinic)
    client.force_login(team_member)
    assert client.get(URL).status_code == 403
    assert client.post(URL, form_data(clinic, guest_messaging_enabled=True)).status_code == 403
    assert configuration(clinic) == before
    assert not clinic_events().exists()


def test_staff_of_another_clinic_get_404(client, clinic, outsider):
    before = configuration(clinic)
    client.force_login(outsider)  # an admin, but of the harbour practice
    assert client.get(URL).status_code == 404
    assert client.post(URL, form_data(clinic, guest_messaging_enabled=True)).status_code == 404
    assert configuration(clinic) == before


def test_anonymous_is_sent_to_sign_in(client, clinic):
    before = configuration(clinic)
    for response in (client.get(URL), client.post(URL, form_data(clinic, guest_messaging_enabled=True))):
        assert response.status_code == 302
        assert response["Location"] == f"/login/?next={URL}"
    assert configuration(clinic) == before


def test_an_admin_changes_the_configuration(client, clinic, clinic_admin):
    client.force_login(clinic_admin)
    response = client.post(
        URL,
        form_data(
            clinic,
            guest_messaging_enabled=True,
            waiting_text_en="Dr Lee is on call today.",
            date_of_birth_field=FieldMode.REQUIRED,
            offline_grace_minutes=5,
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == URL

    clinic.refresh_from_db()
    assert clinic.guest_messaging_enabled is True
    assert clinic.waiting_text_en == "Dr Lee is on call today."
    assert clinic.date_of_birth_field == FieldMode.REQUIRED
    assert clinic.offline_grace_minutes == 5
    assert clinic.retention_days == 30  # untouched

    event = AuditEvent.objects.get(action="clinic.configuration_changed")
    assert event.actor == clinic_admin
    assert event.clinic == clinic
    assert event.created_at is not None
    assert event.details == {
        "changes": {
            "guest_messaging_enabled": [False, True],
            "waiting_text_en": ["", "Dr Lee is on call today."],
            "date_of_birth_field": ["off", "required"],
            "offline_grace_minutes": [10, 5],
        }
    }

    page = client.get(URL).content.decode()
    assert "The configuration is saved." in page
    assert "No changes yet." not in page
    assert re.search(r"guest_messaging_enabled</code>:\s*False\s*→\s*True", page)  # shown: who and what
    assert "Alex" in page


def test_turning_guest_messaging_off_is_recorded(client, clinic, clinic_admin):
    clinic.guest_messaging_enabled = True
    clinic.save()
    client.force_login(clinic_admin)
    client.post(URL, form_data(clinic, guest_messaging_enabled=False))
    clinic.refresh_from_db()
    assert clinic.guest_messaging_enabled is False
    event = clinic_events().get()
    assert event.details == {"changes": {"guest_messaging_enabled": [True, False]}}


def test_nothing_is_recorded_when_nothing_changed(client, clinic, clinic_admin, django_capture_on_commit_callbacks):
    client.force_login(clinic_admin)
    staff = Listener(staff_group(clinic.pk))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, form_data(clinic))
    assert response.status_code == 302
    assert not clinic_events().exists()
    assert staff.events() == []


@pytest.mark.parametrize(
    "changes",
    [
        {"offline_grace_minutes": 0},
        {"offline_grace_minutes": 241},
        {"offline_grace_minutes": "soon"},
        {"retention_days": 0},
        {"retention_days": 3651},
        {"phone_field": "sometimes"},
        {"language": "fr"},
        {"waiting_text_en": "x" * 2001},
        {"waiting_text_de": "x" * 2001},
        {"extra_field_label": "x" * 61},
    ],
)
def test_invalid_values_are_refused_and_nothing_changes(client, clinic, clinic_admin, changes):
    before = configuration(clinic)
    client.force_login(clinic_admin)
    # Together with a valid change: that one must not be saved either.
    response = client.post(URL, form_data(clinic, guest_messaging_enabled=True, **changes))
    assert response.status_code == 200
    assert 'class="error" role="alert"' in response.content.decode()
    assert configuration(clinic) == before
    assert not clinic_events().exists()


def test_a_change_is_announced_to_callers_and_staff(client, clinic, other_clinic, clinic_admin, django_capture_on_commit_callbacks):
    pages = Listener(callers_group(clinic.pk))
    staff = Listener(staff_group(clinic.pk))
    elsewhere = Listener(callers_group(other_clinic.pk), staff_group(other_clinic.pk))
    client.force_login(clinic_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, form_data(clinic, guest_messaging_enabled=True, waiting_text_en="Back at 2pm"))
    expected = {
        "type": CLINIC_CHANGED,
        "clinic": {
            "name": "Sunrise Clinic",
            "slug": "sunrise",
            "guest_messaging": True,
            "waiting_text": {"en": "Back at 2pm", "de": ""},
            "language": "",
            "paused": False,
        },
    }
    assert pages.events() == [expected]
    assert staff.events() == [expected]
    assert elsewhere.events() == []


# The action itself -------------------------------------------------------------


def test_the_action_returns_what_changed(clinic, clinic_admin):
    _, changed = do_change_configuration(
        clinic.pk, actor=clinic_admin, guest_messaging_enabled=True, retention_days=30
    )
    assert changed == {"guest_messaging_enabled": [False, True]}


def test_the_action_refuses_what_is_not_configuration(clinic, clinic_admin):
    with pytest.raises(ValueError):
        do_change_configuration(clinic.pk, actor=clinic_admin, slug="taken-over", guest_messaging_enabled=True)
    clinic.refresh_from_db()
    assert clinic.slug == "sunrise"
    assert clinic.guest_messaging_enabled is False
    assert not clinic_events().exists()


def test_the_action_refuses_invalid_values(clinic, clinic_admin, django_capture_on_commit_callbacks):
    pages = Listener(callers_group(clinic.pk))
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(ValidationError):
            do_change_configuration(clinic.pk, actor=clinic_admin, guest_messaging_enabled=True, offline_grace_minutes=0)
    assert Clinic.objects.get(pk=clinic.pk).guest_messaging_enabled is False
    assert not clinic_events().exists()
    assert pages.events() == []


def test_nothing_is_announced_when_rolled_back(clinic, clinic_admin, django_capture_on_commit_callbacks):
    pages = Listener(callers_group(clinic.pk))
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                do_change_configuration(clinic.pk, actor=clinic_admin, guest_messaging_enabled=True)
                raise RuntimeError
    assert Clinic.objects.get(pk=clinic.pk).guest_messaging_enabled is False
    assert not clinic_events().exists()
    assert pages.events() == []


# Operators change it in Django's admin: recorded the same way -------------------


def test_a_change_in_the_django_admin_is_recorded(client, clinic, django_user_model):
    operator = django_user_model.objects.create_superuser("ops@example.com", "ops@example.com", "x")
    client.force_login(operator)
    url = f"/admin/clinics/clinic/{clinic.pk}/change/"
    assert client.get(url).status_code == 200
    data = {
        "name": "Sunrise Clinic",
        "slug": "sunrise",
        **form_data(clinic, guest_messaging_enabled=True),
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()
    clinic.refresh_from_db()
    assert clinic.guest_messaging_enabled is True
    event = AuditEvent.objects.get(action="clinic.configuration_changed")
    assert event.actor == operator
    assert event.details == {"changes": {"guest_messaging_enabled": [False, True]}}
