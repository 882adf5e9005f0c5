"""The Queue settings page: clinic admins turn the queue position and the
expected wait on and off; every change audited and told to open caller
pages; everybody else is refused with nothing changed."""

import pytest
from django.test import Client

from audit.models import AuditEvent
from clinics.models import Clinic
from realtime.events import CLINIC_CHANGED, callers_group
from testkit.helpers import Listener, enter

URL = "/clinics/sunrise/settings/queue/"
ON = {"show_queue_position": "on", "show_expected_wait": "on"}


def queue_settings(clinic):
    clinic = Clinic.objects.get(pk=clinic.pk)
    return clinic.show_queue_position, clinic.show_expected_wait


def changes():
    return AuditEvent.objects.filter(action="clinic.configuration_changed")


def test_it_is_off_by_default_and_shows_both_switches(client, clinic, clinic_admin):
    client.force_login(clinic_admin)
    html = client.get(URL).content.decode()
    assert "Show queue position" in html
    assert "Show expected wait" in html
    assert 'href="/clinics/sunrise/settings/"' in html  # back to the settings
    assert "checked" not in html
    assert queue_settings(clinic) == (False, False)


@pytest.mark.django_db(transaction=True)
def test_an_admin_turns_it_on_and_it_is_audited_and_announced(client, clinic, clinic_admin):
    client.force_login(clinic_admin)
    listener = Listener(callers_group(clinic.pk))
    response = client.post(URL, ON)
    assert response.status_code == 302 and response["Location"] == URL
    assert queue_settings(clinic) == (True, True)
    event = changes().get()
    assert event.actor == clinic_admin
    assert event.details == {"changes": {"show_queue_position": [False, True], "show_expected_wait": [False, True]}}
    assert CLINIC_CHANGED in listener.types()
    assert "The configuration is saved." in client.get(URL).content.decode()

    client.post(URL, {})  # both unticked
    assert queue_settings(clinic) == (False, False)
    assert changes().count() == 2


def test_the_expected_wait_needs_the_position(client, clinic, clinic_admin):
    client.force_login(clinic_admin)
    response = client.post(URL, {"show_expected_wait": "on"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "The expected wait is shown with the queue position" in html
    assert 'aria-describedby="id_show_expected_wait_helptext id_show_expected_wait_error"' in html
    assert queue_settings(clinic) == (False, False)
    assert not changes().exists()


def test_in_german(clinic, clinic_admin):
    client = Client(headers={"accept-language": "de"})
    client.force_login(clinic_admin)
    html = client.get(URL).content.decode()
    assert "Position in der Warteschlange anzeigen" in html
    assert "Voraussichtliche Wartezeit anzeigen" in html
    assert "Allgemeine Konfiguration" in html


# --- who may not ---------------------------------------------------------


def test_a_team_member_gets_the_403_page(client, clinic, team_member):
    client.force_login(team_member)
    for response in (client.get(URL), client.post(URL, ON)):
        assert response.status_code == 403
        assert "You may not open this page" in response.content.decode()
    assert queue_settings(clinic) == (False, False)
    assert not changes().exists()


def test_staff_of_another_clinic_get_404(client, clinic, outsider):
    client.force_login(outsider)  # an admin of the harbour practice
    assert client.get(URL).status_code == 404
    assert client.post(URL, ON).status_code == 404
    assert client.get("/clinics/nowhere/settings/queue/").status_code == 404
    assert queue_settings(clinic) == (False, False)


def test_signed_out_and_a_callers_session_are_sent_to_sign_in(client, clinic):
    enter(client, clinic)  # this browser is a caller's
    for response in (client.get(URL), client.post(URL, ON), Client().post(URL, ON)):
        assert response.status_code == 302
        assert response["Location"] == f"/login/?next={URL}"
    assert queue_settings(clinic) == (False, False)


def test_odd_input_changes_nothing_it_should_not(client, clinic, clinic_admin):
    client.force_login(clinic_admin)
    # A checkbox is on when sent with any value but "false"/"0"; junk (a lone
    # surrogate's bytes, a long value, fields of the general configuration) is no error.
    junk = "show_queue_position=" + "x%ED%A0%80" * 1000 + "&name=Hacked&slug=x"
    assert client.post(URL, junk, content_type="application/x-www-form-urlencoded").status_code == 302
    clinic.refresh_from_db()
    assert (clinic.name, clinic.slug, clinic.show_queue_position) == ("Sunrise Clinic", "sunrise", True)
    assert client.post(URL, {"show_queue_position": "false"}).status_code == 302
    assert queue_settings(clinic) == (False, False)


def test_the_form_needs_csrf(clinic, clinic_admin):
    client = Client(enforce_csrf_checks=True)
    client.force_login(clinic_admin)
    assert client.post(URL, ON).status_code == 403
    assert queue_settings(clinic) == (False, False)
