"""A staff request whose JSON holds a lone surrogate (the escape "\\ud800": it
parses, then fails when stored or answered) is refused with a 400, in any
field; nothing is stored and the caller is still there to be notified."""

import pytest

from messaging.models import Message
from testkit.helpers import make_caller, post_json

SURROGATE = "\\ud800"


@pytest.mark.parametrize(
    "body",
    [
        '{"caller_ids": [%(id)d], "body": "Ten minutes%(s)s"}',
        '{"caller_ids": [%(id)d], "body": "%(s)s"}',
        '{"caller_ids": [%(id)d], "body": "Ten minutes", "client_id": "c-%(s)s"}',
        '{"caller_ids": [%(id)d], "body": "Ten minutes", "x%(s)s": 1}',
        '{"caller_ids": [%(id)d], "body": "Ten minutes", "extra": [{"deep": "%(s)s"}]}',
    ],
)
def test_notify_refuses_a_lone_surrogate_anywhere(client, clinic, team_member, body):
    caller = make_caller(clinic)
    client.force_login(team_member)

    response = client.post(
        "/clinics/sunrise/notify/", body % {"id": caller.pk, "s": SURROGATE}, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert not Message.objects.exists()
    # The caller can still be notified.
    response = post_json(client, "/clinics/sunrise/notify/", {"caller_ids": [caller.pk], "body": "Ten minutes"})
    assert response.json() == {"sent": 1}


def test_notify_refuses_text_that_is_not_utf8(client, clinic, team_member):
    caller = make_caller(clinic)
    client.force_login(team_member)
    body = b'{"caller_ids": [%d], "body": "x\xed\xa0\x80"}' % caller.pk  # a surrogate, encoded as UTF-8 cannot

    response = client.post("/clinics/sunrise/notify/", body, content_type="application/json")

    assert response.status_code == 400
    assert not Message.objects.exists()


def test_notify_takes_a_surrogate_pair(client, clinic, team_member):
    caller = make_caller(clinic)
    client.force_login(team_member)
    body = '{"caller_ids": [%d], "body": "See you soon \\ud83d\\ude42"}' % caller.pk

    response = client.post("/clinics/sunrise/notify/", body, content_type="application/json")

    assert response.json() == {"sent": 1}
    assert Message.objects.get().body == "See you soon \U0001f642"
