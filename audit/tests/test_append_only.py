"""The audit trail is append-only: what was recorded cannot be changed or
deleted through the application, its admin, or the ORM."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction

from audit.log import record
from audit.models import AuditEvent
from testkit.helpers import make_caller


@pytest.fixture
def event(clinic, clinic_admin):
    return record("clinic.configuration_changed", clinic=clinic, actor=clinic_admin, changes={"x": [1, 2]})


def test_it_records_who_did_what(event, clinic, clinic_admin):
    stored = AuditEvent.objects.get()
    assert stored.action == "clinic.configuration_changed"
    assert stored.clinic == clinic and stored.actor == clinic_admin
    assert stored.details == {"changes": {"x": [1, 2]}}
    assert stored.created_at is not None


def test_it_records_no_actor_for_an_anonymous_user(clinic):
    caller = make_caller(clinic)
    event = record("something", clinic=clinic, actor=AnonymousUser(), caller=caller)
    assert event.actor is None
    assert event.caller_id == caller.pk


def test_an_event_cannot_be_changed(event):
    event.action = "nothing.happened"
    with pytest.raises(ValueError):
        event.save()
    assert AuditEvent.objects.get().action == "clinic.configuration_changed"


def test_an_event_cannot_be_deleted(event):
    with pytest.raises(ValueError):
        event.delete()
    assert AuditEvent.objects.count() == 1


def test_events_cannot_be_deleted_in_bulk(event):
    with pytest.raises(ValueError):
        AuditEvent.objects.all().delete()
    with pytest.raises(ValueError):
        AuditEvent.objects.filter(action="clinic.configuration_changed").delete()
    assert AuditEvent.objects.count() == 1


def test_events_cannot_be_changed_in_bulk(event):
    with pytest.raises(ValueError):
        AuditEvent.objects.update(action="nothing.happened")
    event.action = "nothing.happened"
    with pytest.raises(ValueError), transaction.atomic():
        AuditEvent.objects.bulk_update([event], ["action"])
    assert AuditEvent.objects.get().action == "clinic.configuration_changed"


def test_deleting_a_user_keeps_their_events(event, clinic_admin):
    clinic_admin.delete()
    stored = AuditEvent.objects.get()
    assert stored.actor is None
    assert stored.action == "clinic.configuration_changed"


def test_deleting_a_clinic_keeps_its_events(event, clinic):
    clinic.delete()
    stored = AuditEvent.objects.get()
    assert stored.clinic is None
    assert stored.action == "clinic.configuration_changed"


def test_the_admin_shows_events_but_cannot_add_change_or_delete_them(client, event, django_user_model):
    operator = django_user_model.objects.create_superuser("ops@example.com", "ops@example.com", "x")
    client.force_login(operator)
    assert client.get("/admin/audit/auditevent/").status_code == 200
    change_url = f"/admin/audit/auditevent/{event.pk}/change/"
    page = client.get(change_url)
    assert page.status_code == 200  # view only
    assert b'name="_save"' not in page.content
    assert client.post(change_url, {"action": "nothing.happened"}).status_code == 403
    assert client.get("/admin/audit/auditevent/add/").status_code == 403
    assert client.post(f"/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    response = client.post(
        "/admin/audit/auditevent/", {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"}
    )
    assert response.status_code in (200, 302, 403)
    # (The operator's sign-in is audited too.)
    assert AuditEvent.objects.get(pk=event.pk).action == "clinic.configuration_changed"
    assert AuditEvent.objects.exclude(action__startswith="account.").count() == 1
