"""The waiting text in English and German: the caller's language chooses,
then the clinic's language, then whichever version the clinic wrote, then the
standard text. Existing clinics keep their one text (the migration)."""

import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.utils import translation

from clinics.models import Clinic
from testkit.helpers import enter

ENGLISH, GERMAN = "Dr Lee is on call today.", "Heute hat Dr. Lee Dienst."


@pytest.fixture(autouse=True)
def english_afterwards():
    yield
    translation.activate(settings.LANGUAGE_CODE)


def waiting_page(clinic, language):
    client = Client(headers={"accept-language": language})
    enter(client, clinic)
    return client.get("/w/sunrise/wait/").content.decode()


def write(clinic, en="", de="", language=""):
    clinic.waiting_text_en, clinic.waiting_text_de, clinic.language = en, de, language
    clinic.save()


@pytest.mark.parametrize(
    "en, de, clinic_language, browser, shown",
    [
        (ENGLISH, GERMAN, "", "de", GERMAN),
        (ENGLISH, GERMAN, "", "en", ENGLISH),
        (ENGLISH, GERMAN, "", "fr", ENGLISH),  # no French: the site's English
        (ENGLISH, "", "", "de", ENGLISH),  # no German version: the other one
        ("", GERMAN, "", "en", GERMAN),
        (ENGLISH, GERMAN, "de", "en", GERMAN),  # the clinic speaks German to everybody
        (ENGLISH, "   ", "", "de", ENGLISH),  # blank is no version
    ],
)
def test_the_caller_reads_the_version_in_their_language(clinic, en, de, clinic_language, browser, shown):
    write(clinic, en, de, clinic_language)
    html = waiting_page(clinic, browser)
    assert shown in html
    assert ({ENGLISH, GERMAN} - {shown}).isdisjoint({t for t in (ENGLISH, GERMAN) if t in html})


def test_without_any_version_the_standard_text_in_the_callers_language(clinic):
    assert "Please stay on this page." in waiting_page(clinic, "en")
    assert "Bitte bleiben Sie auf dieser Seite." in waiting_page(clinic, "de")


def test_text_for_falls_back_to_the_clinics_language_first(clinic):
    write(clinic, ENGLISH, GERMAN, "de")
    assert clinic.text_for("waiting_text", "fr") == GERMAN
    write(clinic, ENGLISH, GERMAN, "")
    assert clinic.text_for("waiting_text", "fr") == ENGLISH
    assert clinic.text_for("waiting_text", "de-at") == GERMAN
    write(clinic)
    assert clinic.text_for("waiting_text", "de") == ""


def test_both_versions_reach_the_page_live(clinic):
    from realtime.events import clinic_for_callers

    write(clinic, ENGLISH, GERMAN)
    assert clinic_for_callers(clinic)["waiting_text"] == {"en": ENGLISH, "de": GERMAN}


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_each_clinics_text_as_the_version_of_its_language():
    executor = MigrationExecutor(connection)
    executor.migrate([("clinics", "0001_initial")])
    old = executor.loader.project_state([("clinics", "0001_initial")]).apps.get_model("clinics", "Clinic")
    old.objects.create(name="A", slug="a", waiting_text="Bitte warten.", language="de")
    old.objects.create(name="B", slug="b", waiting_text="Please wait.", language="en")
    old.objects.create(name="C", slug="c", waiting_text="Please wait too.", language="")
    old.objects.create(name="D", slug="d", waiting_text="", language="de")
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    texts = {c.slug: (c.waiting_text_en, c.waiting_text_de) for c in Clinic.objects.all()}
    assert texts == {
        "a": ("", "Bitte warten."),
        "b": ("Please wait.", ""),
        "c": ("Please wait too.", ""),
        "d": ("", ""),
    }
