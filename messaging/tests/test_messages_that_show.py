"""A message is shown in a thread next to others: one that shows nothing is
refused as empty, and characters that turn the text around them are removed —
whoever writes it (the caller on their page, the clinic's notify)."""

import pytest

from messaging.actions import do_notify
from messaging.models import Message
from testkit.helpers import make_caller, post_json
from testkit.sockets import FRAME, enter, stored
from waitroom.errors import ActionError

INVISIBLE = ["\u200b", "\u200b\u200d\u2060\ufeff", "\u3164 \u2800", "\u202e\u2069", " \n\t\u200b ", "\x00"]


@pytest.mark.parametrize("body", INVISIBLE)
@pytest.mark.django_db(transaction=True)
async def test_the_caller_cannot_send_a_message_that_shows_nothing(sockets, messaging_clinic, body):
    ada = await enter(messaging_clinic)
    page, _ = await sockets.caller(ada)

    await page.send_json_to({"type": "send", "body": body, "client_id": "a-1"})

    frame = await page.receive_json_from(timeout=FRAME)
    assert (frame["type"], frame["code"], frame["client_id"]) == ("error", "empty", "a-1")
    assert await stored(ada.caller_id) == []


@pytest.mark.django_db(transaction=True)
async def test_bidi_overrides_are_removed_from_the_callers_message(sockets, messaging_clinic):
    ada = await enter(messaging_clinic)
    page, _ = await sockets.caller(ada)

    await page.send_json_to({"type": "send", "body": "Open \u202egnp.exe\u202c please", "client_id": "a-1"})

    assert (await page.receive_json_from(timeout=FRAME))["type"] == "sent"
    assert await stored(ada.caller_id) == [(1, "caller", "Open gnp.exe please")]


@pytest.mark.parametrize("body", INVISIBLE)
def test_the_clinic_cannot_notify_with_a_message_that_shows_nothing(client, clinic, team_member, body):
    caller = make_caller(clinic)
    client.force_login(team_member)

    response = post_json(client, "/clinics/sunrise/notify/", {"caller_ids": [caller.pk], "body": body})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "empty"
    assert not Message.objects.exists()


def test_a_message_keeps_its_lines_and_joined_emoji(clinic, team_member):
    caller = make_caller(clinic)
    body = "Line one\nLine two\t(tab) \U0001f468\u200d\U0001f469\u200d\U0001f467 \u2067\u05e9\u05dc\u05d5\u05dd\u2069"

    do_notify(clinic, actor=team_member, caller_ids=[caller.pk], body=body)

    assert Message.objects.get().body == "Line one\nLine two\t(tab) \U0001f468\u200d\U0001f469\u200d\U0001f467 \u05e9\u05dc\u05d5\u05dd"


def test_the_action_refuses_a_lone_surrogate_in_a_message(clinic, team_member):
    caller = make_caller(clinic)
    with pytest.raises(ActionError) as refused:
        do_notify(clinic, actor=team_member, caller_ids=[caller.pk], body="late\udfff")
    assert refused.value.code == "invalid"
    with pytest.raises(ActionError):
        do_notify(clinic, actor=team_member, caller_ids=[caller.pk], body="late", client_id="c\udfff")
    assert not Message.objects.exists()
