"""/api/docs: the API's reference, made from the live schema, for anybody,
in the reader's language; nothing of any clinic on it."""

import re

import pytest

from integrations.api import api


@pytest.fixture
def schema():
    return api.get_openapi_schema()


def test_every_operation_of_the_schema_is_on_the_page_with_its_answers(client, db, schema):
    response = client.get("/api/docs")

    assert response.status_code == 200
    page = response.content.decode()
    operations = [(method.upper(), path, op) for path, ms in schema["paths"].items() for method, op in ms.items()]
    assert len(operations) == 8
    for method, path, op in operations:
        assert f'id="{op["operationId"]}"' in page
        assert f"{method} {path}" in page
        assert op["summary"] in page.replace("&#x27;", "'")
        for status in op["responses"]:
            assert f'<th scope="row">{status}</th>' in page
    for name in schema["components"]["schemas"]:
        assert f'id="schema-{name}"' in page
    # What each answer means, in the reader's words (the schema says only "Forbidden").
    assert page.count("The key lacks the permission this needs.") == len(operations)
    # What each needs is said where it is described.
    assert "Needs <code>notify</code>" in page
    assert 'href="/api/v1/openapi.json"' in page


def test_the_try_forms_start_from_the_schemas_examples(client, db, schema):
    page = client.get("/api/docs").content.decode()

    assert re.search(r'<textarea id="notify-body"[^>]*>\{\s*&quot;all_waiting&quot;: true', page)
    assert 'data-method="POST" data-path="/api/v1/callers/{caller_id}/notify"' in page
    assert '<input id="caller-caller_id" name="caller_id" type="number"' in page


def test_the_page_is_german_for_a_german_reader_and_marks_the_schemas_english(client, db):
    page = client.get("/api/docs", headers={"Accept-Language": "de"}).content.decode()

    assert '<html lang="de">' in page
    assert "Ausprobieren" in page
    assert "Dem Schlüssel fehlt die Berechtigung, die dies braucht." in page
    assert '<span lang="en">Notify many callers</span>' in page
    english = client.get("/api/docs", headers={"Accept-Language": "en"}).content.decode()
    assert 'lang="en">Notify' not in english  # the whole page is English already


def test_it_shows_nothing_of_a_clinic_to_anybody(client, clinic, clinic_admin, make_key):
    key, text = make_key()
    client.force_login(clinic_admin)  # a signed-in admin sees the same page as anybody

    page = client.get("/api/docs").content.decode()

    assert clinic.name not in page
    assert key.prefix not in page and text not in page
    assert client.post("/api/docs").status_code == 405
