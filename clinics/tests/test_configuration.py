"""General configuration in sections: clinic admins only, every change recorded
(who, when, what from what), bad values refused with nothing changed, each
field explained and each error linked to its field."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from audit.models import AuditEvent
from clinics import settings_sections
from clinics.actions import do_change_configuration
from clinics.models import Clinic, FieldMode
from realtime.events import CLINIC_CHANGED, callers_group, staff_group
from testkit.helpers import Listener

OVERVIEW = "/clinics/sunrise/settings/"
SECTION_URLS = {
    "messaging": "/clinics/sunrise/settings/messaging/",
    "caller-page": "/clinics/sunrise/settings/caller-page/",
    "entry-fields": "/clinics/sunrise/settings/entry-fields/",
    "privacy": "/clinics/sunrise/settings/privacy/",
}
SECTIONS = {section.slug: section for section in settings_sections.form_sections()}
FORM = "application/x-www-form-urlencoded"


def form_data(clinic, section, **changes):
    """What a section's page posts back: the clinic's current values of the
    section's fields, with changes."""
    data = {field: getattr(clinic, field) for field in SECTIONS[section].fields}
    data.update(changes)
    # A browser leaves an unticked checkbox out.
    if "guest_messaging_enabled" in data and data.pop("guest_messaging_enabled"):
        data["guest_messaging_enabled"] = "on"
    return data


def clinic_events():
    # Signing in is audited too (accounts/): these tests look at the rest.
    return AuditEvent.objects.exclude(action__startswith="account.")


def configuration(clinic):
    clinic = Clinic.objects.get(pk=clinic.pk)
    return {field: getattr(clinic, field) for field in Clinic.CONFIGURATION_FIELDS}


def shown(response):
    return response.content.decode()


# The sections ------------------------------------------------------------------


def test_every_configuration_field_is_in_exactly_one_section():
    placed = [field for section in settings_sections.SECTIONS for field in section.fields]
    assert sorted(placed) == sorted(Clinic.CONFIGURATION_FIELDS), "a configuration field without a section (or in two)"


def test_the_overview_shows_every_section_and_its_values_in_words(client, clinic, clinic_admin):
    Clinic.objects.filter(pk=clinic.pk).update(
        guest_messaging_enabled=True, offline_grace_minutes=15, date_of_birth_field=FieldMode.REQUIRED
    )
    client.force_login(clinic_admin)
    response = client.get(OVERVIEW)
    assert response.status_code == 200
    html = shown(response)
    assert "<h1>General configuration" in html
    for slug, url in SECTION_URLS.items():
        assert f'<a href="{url}">{SECTIONS[slug].title}</a>' in html
    assert "<dt>Enable guest messaging</dt><dd>On</dd>" in html
    assert "<dt>Offline grace period (minutes)</dt><dd>15 minutes</dd>" in html
    assert "<dt>Date of birth</dt><dd>Required</dd>" in html
    assert "<dt>Language of the caller pages</dt><dd>The caller&#x27;s browser language</dd>" in html
    assert "No changes yet." in html


def test_the_section_navigation_marks_the_open_section(client, clinic, clinic_admin):
    client.force_login(clinic_admin)
    html = shown(client.get(SECTION_URLS["privacy"]))
    assert '<nav class="sections" aria-label="Settings sections">' in html
    assert f'<a href="{SECTION_URLS["privacy"]}" aria-current="page">Privacy</a>' in html
    assert f'<a href="{SECTION_URLS["messaging"]}">Messaging</a>' in html
    assert f'<a href="{OVERVIEW}">Overview</a>' in html
    html = shown(client.get(OVERVIEW))
    assert f'<a href="{OVERVIEW}" aria-current="page">Overview</a>' in html


@pytest.mark.parametrize("section", list(SECTION_URLS))
def test_each_section_shows_its_fields_and_only_them_each_explained(client, clinic, clinic_admin, section):
    client.force_login(clinic_admin)
    response = client.get(SECTION_URLS[section])
    assert response.status_code == 200
    html = shown(response)
    assert f'<h1 id="section-title">{SECTIONS[section].title}</h1>' in html
    for field in Clinic.CONFIGURATION_FIELDS:
        if field in SECTIONS[section].fields:
            assert f'name="{field}"' in html
            # Every field has its help text, and the field is described by it.
            assert f'id="id_{field}_helptext"' in html
            assert f'aria-describedby="id_{field}_helptext"' in html
        else:
            assert f'name="{field}"' not in html


def test_an_unknown_section_is_not_found(client, clinic, clinic_admin):
    client.force_login(clinic_admin)
    assert client.get("/clinics/sunrise/settings/general/").status_code == 404


# Who may --------------------------------------------------------------------------


@pytest.mark.parametrize("section", list(SECTION_URLS))
def test_a_team_member_gets_the_403_page(client, clinic, team_member, section):
    before = configuration(clinic)
    client.force_login(team_member)
    for response in (
        client.get(OVERVIEW),
        client.get(SECTION_URLS[section]),
        client.post(SECTION_URLS[section], form_data(clinic, section, offline_grace_minutes=99, guest_messaging_enabled=True)),
    ):
        assert response.status_code == 403
        assert "You may not open this page" in shown(response)
    assert configuration(clinic) == before
    assert not clinic_events().exists()


@pytest.mark.parametrize("section", list(SECTION_URLS))
def test_staff_of_another_clinic_get_404(client, clinic, outsider, section):
    before = configuration(clinic)
    client.force_login(outsider)  # an admin, but of the harbour practice
    assert client.get(OVERVIEW).status_code == 404
    assert client.get(SECTION_URLS[section]).status_code == 404
    response = client.post(SECTION_URLS[section], form_data(clinic, section, offline_grace_minutes=99))
    assert response.status_code == 404
    assert "Sunrise" not in shown(response)
    assert configuration(clinic) == before
    assert not clinic_events().exists()


@pytest.mark.parametrize("section", list(SECTION_URLS))
def test_anonymous_is_sent_to_sign_in(client, clinic, section):
    before = configuration(clinic)
    url = SECTION_URLS[section]
    for response in (client.get(url), client.post(url, form_data(clinic, section, offline_grace_minutes=99))):
        assert response.status_code == 302
        assert response["Location"] == f"/login/?next={url}"
    assert configuration(clinic) == before


def test_a_callers_session_is_sent_to_sign_in(client, clinic):
    client.post("/w/sunrise/", {"name": "Sue Smith", "phone": ""})  # a caller in the waiting area
    before = configuration(clinic)
    response = client.post(SECTION_URLS["messaging"], {"guest_messaging_enabled": "on"})
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert configuration(clinic) == before


# Changing -----------------------------------------------------------------------


def test_an_admin_changes_a_section(client, clinic, clinic_admin):
    client.force_login(clinic_admin)
    response = client.post(
        SECTION_URLS["entry-fields"],
        form_data(clinic, "entry-fields", date_of_birth_field=FieldMode.REQUIRED, extra_field_label="Reason for your visit"),
    )
    assert response.status_code == 302
    assert response["Location"] == SECTION_URLS["entry-fields"]

    clinic.refresh_from_db()
    assert clinic.date_of_birth_field == FieldMode.REQUIRED
    assert clinic.extra_field_label == "Reason for your visit"
    assert clinic.retention_days == 30  # another section: untouched

    event = AuditEvent.objects.get(action="clinic.configuration_changed")
    assert event.actor == clinic_admin
    assert event.clinic == clinic
    assert event.details == {
        "changes": {"date_of_birth_field": ["off", "required"], "extra_field_label": ["", "Reason for your visit"]}
    }

    page = shown(client.get(SECTION_URLS["entry-fields"]))
    assert "The configuration is saved." in page
    assert "Alex changed the date of birth field from “Not asked” to “Required”" in page
    assert "Alex changed the own question to “Reason for your visit”" in page


def test_a_section_changes_its_own_fields_only(client, clinic, clinic_admin):
    before = configuration(clinic)
    client.force_login(clinic_admin)
    response = client.post(
        SECTION_URLS["messaging"],
        {"guest_messaging_enabled": "on", "retention_days": "1", "offline_grace_minutes": "1", "slug": "taken", "name": "X"},
    )
    assert response.status_code == 302
    after = configuration(clinic)
    assert after == {**before, "guest_messaging_enabled": True}
    assert Clinic.objects.get(pk=clinic.pk).slug == "sunrise"
    assert clinic_events().get().details == {"changes": {"guest_messaging_enabled": [False, True]}}


def test_turning_guest_messaging_off_is_recorded(client, clinic, clinic_admin):
    # The section's only field unticked: the browser posts nothing but the token.
    clinic.guest_messaging_enabled = True
    clinic.save()
    client.force_login(clinic_admin)
    client.post(SECTION_URLS["messaging"], {})
    clinic.refresh_from_db()
    assert clinic.guest_messaging_enabled is False
    event = clinic_events().get()
    assert event.details == {"changes": {"guest_messaging_enabled": [True, False]}}


@pytest.mark.parametrize("section", list(SECTION_URLS))
def test_nothing_is_recorded_when_nothing_changed(client, clinic, clinic_admin, django_capture_on_commit_callbacks, section):
    client.force_login(clinic_admin)
    staff = Listener(staff_group(clinic.pk))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SECTION_URLS[section], form_data(clinic, section))
    assert response.status_code == 302
    assert not clinic_events().exists()
    assert staff.events() == []


@pytest.mark.parametrize(
    "section, changes, field",
    [
        ("privacy", {"offline_grace_minutes": 0}, "offline_grace_minutes"),
        ("privacy", {"offline_grace_minutes": 241}, "offline_grace_minutes"),
        ("privacy", {"offline_grace_minutes": "soon"}, "offline_grace_minutes"),
        ("privacy", {"offline_grace_minutes": "9" * 100}, "offline_grace_minutes"),
        ("privacy", {"retention_days": 0, "offline_grace_minutes": 5}, "retention_days"),
        ("privacy", {"retention_days": 3651, "offline_grace_minutes": 5}, "retention_days"),
        ("privacy", {"retention_days": "", "offline_grace_minutes": 5}, "retention_days"),
        ("entry-fields", {"phone_field": "sometimes", "extra_field_label": "Why?"}, "phone_field"),
        ("entry-fields", {"extra_field_label": "x" * 61, "phone_field": "required"}, "extra_field_label"),
        ("entry-fields", {"extra_field_label": "Why\x00?", "phone_field": "required"}, "extra_field_label"),
        ("caller-page", {"language": "fr", "waiting_text_en": "Back soon"}, "language"),
        ("caller-page", {"waiting_text_en": "x" * 2001, "language": "de"}, "waiting_text_en"),
    ],
)
def test_invalid_values_are_refused_linked_to_their_field_and_nothing_changes(client, clinic, clinic_admin, section, changes, field):
    before = configuration(clinic)
    client.force_login(clinic_admin)
    response = client.post(SECTION_URLS[section], form_data(clinic, section, **changes))
    assert response.status_code == 400
    html = shown(response)
    # The summary at the top links to the field; the field says it is invalid
    # and is described by its error as well as its help.
    assert '<div class="error-summary" role="alert"' in html
    assert f'<li><a href="#id_{field}">' in html
    assert f'id="id_{field}_error"' in html
    assert f'aria-describedby="id_{field}_helptext id_{field}_error"' in html
    assert html.count('aria-invalid="true"') == 1
    assert configuration(clinic) == before
    assert not clinic_events().exists()


@pytest.mark.parametrize(
    "section, body, field",
    [
        ("caller-page", "waiting_text_en=Back%ED%A0%80soon&language=", "waiting_text_en"),
        ("caller-page", "waiting_text_en=%ED%A0%80%ED%B0%80&language=", "waiting_text_en"),  # a pair, each half encoded alone
        ("entry-fields", "extra_field_label=Why%ED%A0%80&phone_field=off&date_of_birth_field=off&extra_field=optional", "extra_field_label"),
        ("privacy", "offline_grace_minutes=1%ED%A0%80&retention_days=30", "offline_grace_minutes"),
        ("messaging", "guest_messaging_enabled=%ED%A0%80", None),  # any value ticks a checkbox: no harm
    ],
)
def test_the_bytes_of_a_lone_surrogate_are_refused_or_harmless(client, clinic, clinic_admin, section, body, field):
    before = configuration(clinic)
    client.force_login(clinic_admin)
    response = client.post(SECTION_URLS[section], body, content_type=FORM)
    after = configuration(clinic)
    if field is None:
        assert response.status_code == 302
        assert after == {**before, "guest_messaging_enabled": True}
        return
    assert response.status_code == 400
    assert f'<li><a href="#id_{field}">' in shown(response)
    assert after == before
    assert not clinic_events().exists()


def test_a_lone_surrogate_in_the_form_text_is_refused(clinic, clinic_admin):
    # Only a program could hand the form such a string; it must not reach the database.
    from clinics.forms import section_form

    form = section_form(SECTIONS["caller-page"], {"waiting_text_en": "x\ud800", "language": ""}, instance=clinic)
    assert not form.is_valid()
    assert "waiting_text_en" in form.errors


def test_an_oversized_request_gets_a_400_and_changes_nothing(client, clinic, clinic_admin, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    before = configuration(clinic)
    client.force_login(clinic_admin)
    response = client.post(SECTION_URLS["caller-page"], {"waiting_text_en": "x" * 20_000, "language": ""})
    assert response.status_code == 400
    assert "Request not understood" in shown(response)
    assert configuration(clinic) == before
    assert not clinic_events().exists()


def test_a_change_is_announced_to_callers_and_staff(client, clinic, other_clinic, clinic_admin, django_capture_on_commit_callbacks):
    pages = Listener(callers_group(clinic.pk))
    staff = Listener(staff_group(clinic.pk))
    elsewhere = Listener(callers_group(other_clinic.pk), staff_group(other_clinic.pk))
    client.force_login(clinic_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(SECTION_URLS["messaging"], {"guest_messaging_enabled": "on"})
        client.post(SECTION_URLS["caller-page"], {"waiting_text_en": "Back at 2pm", "language": ""})
    announced = pages.events()
    assert staff.events() == announced
    assert [event["type"] for event in announced] == [CLINIC_CHANGED, CLINIC_CHANGED]
    assert announced[-1]["clinic"] == {
        "name": "Sunrise Clinic",
        "slug": "sunrise",
        "guest_messaging": True,
        "waiting_text": {"en": "Back at 2pm", "de": ""},
        "language": "",
        "paused": False,
    }
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
        **{field: getattr(clinic, field) for field in Clinic.CONFIGURATION_FIELDS},
        "guest_messaging_enabled": "on",
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
