"""The caller's entry form and the staff's JSON requests of waiting never
answer a 500 to text that cannot be encoded: a form POST with the UTF-8 bytes
of a lone surrogate gets the form back (Django decodes a form with
replacement characters), a JSON request with one gets a 400."""

import pytest

from realtime.text import is_encodable
from testkit.helpers import make_caller
from waiting.models import Caller, Status

FORM = "application/x-www-form-urlencoded"


@pytest.mark.parametrize(
    "form",
    [
        "name=Ada%ED%A0%80",
        "name=%ED%A0%80",
        "name=Ada&phone=0171%ED%A0%80",
        "name=%ED%A0%80%ED%B0%80",  # a pair, each half encoded on its own (CESU-8)
    ],
)
def test_the_entry_form_takes_or_refuses_undecodable_text_without_a_crash(client, clinic, form):
    response = client.post("/w/sunrise/", form, content_type=FORM)

    assert response.status_code in (200, 302)
    for caller in Caller.objects.all():
        assert is_encodable([caller.name, caller.phone, caller.extra_answer])


def test_a_json_request_with_a_lone_surrogate_gets_a_400(client, clinic, team_member):
    sue = make_caller(clinic)
    client.force_login(team_member)

    response = client.post(
        f"/clinics/sunrise/callers/{sue.pk}/transfer/", '{"clinic": "harbour\\ud800"}', content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    sue.refresh_from_db()
    assert (sue.clinic_id, sue.status) == (clinic.pk, Status.WAITING)
