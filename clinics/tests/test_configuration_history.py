"""The General configuration's history in sentences, in the reader's language:
"Alex Admin turned guest messaging on · 2 Dec, 18:30" — choices by their
labels, numbers with their units, the person by their full name."""

from datetime import datetime, timezone
from unittest import mock

import pytest
from django.utils import translation

from audit.log import record
from audit.models import AuditEvent
from clinics import audit_words
from clinics.actions import do_change_configuration

OVERVIEW = "/clinics/sunrise/settings/"


def said(clinic, actor, changes, in_language="en"):
    """What the history says of one recorded change, in `in_language`."""
    event = record("clinic.configuration_changed", clinic=clinic, actor=actor, changes=changes)
    with translation.override(in_language):
        return [text for _about, text in audit_words.sentences(AuditEvent.objects.get(pk=event.pk))]


@pytest.fixture
def alex_admin(clinic_admin):
    clinic_admin.last_name = "Admin"
    clinic_admin.save()
    return clinic_admin


@pytest.mark.parametrize(
    "change, english, german",
    [
        (
            {"guest_messaging_enabled": [False, True]},
            "Alex Admin turned guest messaging on",
            "Alex Admin hat Gastbenachrichtigungen eingeschaltet",
        ),
        (
            {"guest_messaging_enabled": [True, False]},
            "Alex Admin turned guest messaging off",
            "Alex Admin hat Gastbenachrichtigungen ausgeschaltet",
        ),
        (
            {"offline_grace_minutes": [10, 15]},
            "Alex Admin changed the offline grace period from 10 to 15 minutes",
            "Alex Admin hat die Kulanzzeit bei Verbindungsabbruch von 10 auf 15 Minuten geändert",
        ),
        (
            {"offline_grace_minutes": [10, 1]},
            "Alex Admin changed the offline grace period from 10 to 1 minute",
            "Alex Admin hat die Kulanzzeit bei Verbindungsabbruch von 10 auf 1 Minute geändert",
        ),
        (
            {"retention_days": [30, 90]},
            "Alex Admin changed how long visit data are kept from 30 to 90 days",
            "Alex Admin hat die Aufbewahrungsdauer der Besuchsdaten von 30 auf 90 Tage geändert",
        ),
        (
            {"phone_field": ["optional", "required"]},
            "Alex Admin changed the phone number field from “Optional” to “Required”",
            "Alex Admin hat das Feld Telefonnummer von „Optional“ auf „Erforderlich“ geändert",
        ),
        (
            {"date_of_birth_field": ["off", "optional"]},
            "Alex Admin changed the date of birth field from “Not asked” to “Optional”",
            "Alex Admin hat das Feld Geburtsdatum von „Nicht abgefragt“ auf „Optional“ geändert",
        ),
        (
            {"extra_field": ["optional", "required"]},
            "Alex Admin changed the own question from “Optional” to “Required”",
            "Alex Admin hat die eigene Frage von „Optional“ auf „Erforderlich“ geändert",
        ),
        (
            {"extra_field_label": ["", "Reason for your visit"]},
            "Alex Admin changed the own question to “Reason for your visit”",
            "Alex Admin hat die eigene Frage in „Reason for your visit“ geändert",
        ),
        (
            {"extra_field_label": ["Reason", ""]},
            "Alex Admin removed the own question",
            "Alex Admin hat die eigene Frage entfernt",
        ),
        (
            {"language": ["", "de"]},
            "Alex Admin changed the language of the caller pages from “The caller's browser language” to “Deutsch”",
            "Alex Admin hat die Sprache der Anruferseiten von „Browsersprache des Anrufers“ auf „Deutsch“ geändert",
        ),
        (
            {"waiting_text": ["", "Dr Lee is on call today."]},
            "Alex Admin changed the text shown to waiting callers to “Dr Lee is on call today.”",
            "Alex Admin hat den Text für wartende Anrufer in „Dr Lee is on call today.“ geändert",
        ),
        (
            {"waiting_text": ["Back soon", ""]},
            "Alex Admin removed the text shown to waiting callers (they read the standard text)",
            "Alex Admin hat den Text für wartende Anrufer entfernt (sie lesen den Standardtext)",
        ),
    ],
)
def test_each_change_reads_as_a_sentence_in_english_and_german(clinic, alex_admin, change, english, german):
    assert said(clinic, alex_admin, change) == [english]
    assert said(clinic, alex_admin, change, "de") == [german]


def test_a_long_text_is_quoted_short_on_one_line(clinic, alex_admin):
    (sentence,) = said(clinic, alex_admin, {"waiting_text": ["", "Line one\nline two " + "x" * 100]})
    assert "Line one line two xxx" in sentence
    assert sentence.endswith("…”")
    assert len(sentence) < 140


def test_a_person_without_a_name_is_named_by_their_username_and_nobody_as_somebody(clinic, team_member):
    team_member.first_name = ""
    team_member.save()
    assert said(clinic, team_member, {"guest_messaging_enabled": [False, True]}) == ["lee@sunrise.test turned guest messaging on"]
    assert said(clinic, None, {"guest_messaging_enabled": [False, True]}) == ["Somebody turned guest messaging on"]
    assert said(clinic, None, {"guest_messaging_enabled": [False, True]}, "de") == ["Jemand hat Gastbenachrichtigungen eingeschaltet"]


def test_a_field_without_words_yet_is_named_by_its_label_and_odd_details_do_not_fail(clinic, alex_admin):
    # A field another branch adds before its sentence; the label is the model's.
    assert said(clinic, alex_admin, {"retention_days": "garbled"}) == ["Alex Admin changed “Keep visit data for (days)”"]
    assert said(clinic, alex_admin, {"closing_message": ["", "Closed"]}) == ["Alex Admin changed “closing_message”"]
    event = record("clinic.configuration_changed", clinic=clinic, actor=alex_admin, changes="not a dict")
    assert audit_words.sentences(event) == []


def test_several_changes_at_once_are_one_line_each_with_the_time(clinic, alex_admin, settings):
    settings.TIME_ZONE = "Europe/Berlin"
    # 18:30 in Berlin (TIME_ZONE), where the clinic is.
    with mock.patch("django.utils.timezone.now", return_value=datetime(2025, 12, 2, 17, 30, tzinfo=timezone.utc)):
        do_change_configuration(clinic.pk, actor=alex_admin, guest_messaging_enabled=True, offline_grace_minutes=15)
    with translation.override("en"):
        lines = audit_words.history(AuditEvent.objects.all())
    assert [(line["text"], line["when"]) for line in lines] == [
        ("Alex Admin turned guest messaging on", "2 Dec, 18:30"),
        ("Alex Admin changed the offline grace period from 10 to 15 minutes", "2 Dec, 18:30"),
    ]
    with translation.override("de"):
        assert audit_words.history(AuditEvent.objects.all())[0]["when"] == "2. Dez, 18:30"


def test_the_pages_show_the_history_in_words_each_section_its_own(client, clinic, alex_admin):
    do_change_configuration(clinic.pk, actor=alex_admin, guest_messaging_enabled=True)
    do_change_configuration(clinic.pk, actor=alex_admin, offline_grace_minutes=15)
    client.force_login(alex_admin)
    overview = client.get(OVERVIEW).content.decode()
    assert "Alex Admin turned guest messaging on · <time" in overview
    assert "Alex Admin changed the offline grace period from 10 to 15 minutes · <time" in overview
    # Newest first.
    assert overview.index("offline grace period from") < overview.index("turned guest messaging on")
    privacy = client.get(OVERVIEW + "privacy/").content.decode()
    assert "offline grace period from 10 to 15" in privacy
    assert "turned guest messaging on" not in privacy
    german = client.get(OVERVIEW + "messaging/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Alex Admin hat Gastbenachrichtigungen eingeschaltet" in german


def test_what_people_typed_is_shown_as_text(client, clinic, alex_admin):
    alex_admin.first_name = "<b>Alex</b>"
    alex_admin.save()
    do_change_configuration(clinic.pk, actor=alex_admin, extra_field_label="<img src=x onerror=alert(1)>")
    client.force_login(alex_admin)
    html = client.get(OVERVIEW + "entry-fields/").content.decode()
    assert "<img src=x" not in html and "<b>Alex" not in html
    assert "&lt;b&gt;Alex&lt;/b&gt; Admin changed the own question to “&lt;img src=x onerror=alert(1)&gt;”" in html


def test_the_audit_page_names_the_changed_settings_by_their_labels(client, clinic, alex_admin):
    do_change_configuration(clinic.pk, actor=alex_admin, guest_messaging_enabled=True, retention_days=60)
    client.force_login(alex_admin)
    html = client.get("/clinics/sunrise/audit/").content.decode()
    assert "changed: Enable guest messaging, Keep visit data for (days)" in html
    assert "guest_messaging_enabled" not in html
