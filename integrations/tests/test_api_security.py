"""Who may call the API, and what bad requests get: a key or nothing, a key
of one clinic only, and a clear 400 for what cannot be meant."""

import json

import pytest

from clinics.models import Membership
from integrations.api_keys import ApiKey, do_revoke_api_key
from messaging.models import Message
from testkit.helpers import make_caller

from .conftest import Api


def test_no_key_is_refused(client, clinic):
    response = client.get("/api/v1/clinic")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    assert response["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "header",
    ["Bearer nonsense", "Bearer wr_000000000000_secret", "Basic dXNlcjpwYXNz", "Bearer ", "Token x", "Bearer wr_\u00e9"],
)
def test_a_wrong_key_is_refused(client, clinic, make_key, header):
    make_key()
    response = client.get("/api/v1/clinic", headers={"Authorization": header})
    assert response.status_code == 401


def test_the_right_prefix_with_a_wrong_secret_is_refused(client, make_key):
    key, text = make_key()
    assert client.get("/api/v1/clinic", headers={"Authorization": f"Bearer {text}x"}).status_code == 401
    assert client.get("/api/v1/clinic", headers={"Authorization": f"Bearer {text}"}).status_code == 200


def test_a_revoked_key_stops_working_at_once(client, clinic, make_key):
    key, text = make_key()
    api = Api(client, text)
    assert api.get("/clinic").status_code == 200

    do_revoke_api_key(clinic, key.pk, actor=None)

    assert api.get("/clinic").status_code == 401


def test_only_a_hash_of_the_secret_is_stored(make_key):
    key, text = make_key()
    secret = text.rsplit("_", 1)[1]
    stored = ApiKey.objects.filter(pk=key.pk).values()[0]
    assert not any(secret in str(value) for value in stored.values())


def test_a_signed_in_browser_without_a_key_gets_nothing(client, clinic, clinic_admin):
    make_caller(clinic, name="Sue Smith")
    client.force_login(clinic_admin)
    assert client.get(f"/clinics/{clinic.slug}/integrations/").status_code == 200  # signed in indeed

    assert client.get("/api/v1/callers").status_code == 401
    response = client.post(
        "/api/v1/notify", json.dumps({"all_waiting": True, "body": "Hello"}), content_type="application/json"
    )
    assert response.status_code == 401
    assert not Message.objects.exists()


def test_a_key_of_another_clinic_sees_nothing_of_this_one(client, clinic, other_clinic, make_key):
    sue = make_caller(clinic, name="Sue Smith")
    _key, text = make_key(clinic=other_clinic)
    other = Api(client, text)

    assert other.get("/callers").json() == {"callers": []}
    assert other.get("/clinic").json()["slug"] == "harbour"
    assert other.get(f"/callers/{sue.pk}").status_code == 404
    assert other.post(f"/callers/{sue.pk}/notify", {"body": "Hello"}).status_code == 404
    response = other.post("/notify", {"caller_ids": [sue.pk], "body": "Hello"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "no_callers"
    assert not Message.objects.exists()


def test_a_key_outlives_its_maker_leaving_the_team(client, clinic, clinic_admin):
    from integrations.api_keys import do_create_api_key

    _key, text = do_create_api_key(clinic, actor=clinic_admin, name="PMS", scopes=["read"])
    Membership.objects.filter(user=clinic_admin).delete()
    # The clinic's key, not the person's: a practice system does not stop when its admin leaves.
    assert Api(client, text).get("/clinic").status_code == 200


@pytest.mark.parametrize(
    "raw, code",
    [
        ('{"body": ', "bad_request"),
        ("[1, 2]", "bad_request"),
        ('"text"', "bad_request"),
        ('{"body": "x\\ud800", "all_waiting": true}', "invalid"),
        ('{"body": "Hello", "all_waiting": "yes please"}', "invalid"),
        ('{"body": "Hello", "caller_ids": [1.5]}', "invalid"),
        ('{"body": "Hello", "caller_ids": [-1]}', "invalid"),
        ('{"body": "Hello", "caller_ids": [99999999999999999999999]}', "invalid"),
        ('{"body": "Hello"}', "invalid"),
        ('{"body": "Hello", "caller_ids": [1], "all_waiting": true}', "invalid"),
        ('{"body": "", "all_waiting": true}', "empty"),
        ('{"body": 5, "all_waiting": true}', "invalid"),
        ('{"quick_reply": 99, "all_waiting": true}', "no_quick_reply"),
        ('{"body": "Hello", "quick_reply": 1, "all_waiting": true}', "invalid"),
    ],
)
def test_bad_input_is_a_clear_400_and_sends_nothing(api, clinic, raw, code):
    make_caller(clinic)
    response = api.post("/notify", raw=raw)
    assert response.status_code in (400, 404)
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["message"]
    assert not Message.objects.exists()


def test_an_oversized_body_is_refused_unread(api, clinic):
    make_caller(clinic)
    response = api.post("/notify", raw=json.dumps({"all_waiting": True, "body": "x" * 70_000}))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "too_large"
    assert not Message.objects.exists()


def test_a_lone_surrogate_in_the_client_key_header_is_refused(api, clinic):
    make_caller(clinic)
    response = api.post("/notify", {"all_waiting": True, "body": "Hi", "client_key": "a\ud800"})
    assert response.status_code == 400
    assert not Message.objects.exists()


def test_unknown_fields_are_ignored(api, clinic):
    make_caller(clinic)
    response = api.post("/notify", {"all_waiting": True, "body": "Hi", "colour": "blue"})
    assert response.status_code == 200
    assert Message.objects.count() == 1


def test_the_audit_trail_records_each_use_without_patient_data(api, clinic):
    from audit.models import AuditEvent

    sue = make_caller(clinic, name="Sue Smith", phone="0151 234")
    api.get("/callers")
    api.get(f"/callers/{sue.pk}")
    api.get("/callers/987654")

    uses = list(AuditEvent.objects.filter(action="api.used").order_by("id"))
    assert [(e.details["endpoint"], e.details["status"], e.caller_id) for e in uses] == [
        ("callers", 200, None),
        ("caller", 200, sue.pk),
        ("caller", 404, None),
    ]
    assert all("Sue" not in json.dumps(e.details) and "0151" not in json.dumps(e.details) for e in uses)
