"""No frame can strand a visit: text that cannot be encoded (a lone surrogate,
sent as the JSON escape a browser never makes) is refused with an `invalid`
error frame on every page, whatever frame and field carries it; and a handler
that fails for any reason answers an error frame, logs no patient data and
releases the page as a disconnect does — the visit goes Offline instead of
staying "Waiting" with a page attached for good."""

import logging

import pytest
from channels.db import database_sync_to_async

from calls.tests.test_signalling import a_call
from clinics.actions import do_change_configuration
from messaging import consumers as messaging_consumers
from realtime.consumers import CLOSE_SERVER_ERROR
from testkit.sockets import FRAME, caller, enter, frames_until_close, stored
from waiting.consumers import CallerConsumer
from waiting.models import Status

pytestmark = pytest.mark.django_db(transaction=True)

SURROGATE = "\\ud800"  # the escape as it travels inside the frame's text


async def error_frame(page):
    frame = await page.receive_json_from(timeout=FRAME)
    assert frame["type"] == "error", frame
    assert frame["message"]
    return frame


async def still_served(page):
    await page.send_json_to({"type": "heartbeat"})
    assert await page.receive_json_from(timeout=FRAME) == {"type": "heartbeat"}


CALLER_FRAMES = [
    '{"type": "send", "body": "x%s", "client_id": "c-1"}' % SURROGATE,
    '{"type": "send", "body": "Hello", "client_id": "c-%s"}' % SURROGATE,
    '{"type": "send", "body": "%s", "client_id": "c-1"}' % SURROGATE,
    '{"type": "send", "body": "Hello", "client_id": "c-1", "x%s": 1}' % SURROGATE,  # in a key
    '{"type": "receipt", "delivered": 0, "seen": "%s"}' % SURROGATE,
    '{"type": "receipt", "delivered": 0, "seen": 0, "note": ["%s"]}' % SURROGATE,
    '{"type": "signal", "to": 1, "signal": {"kind": "offer", "session": "s", "sdp": "v=0%s"}}' % SURROGATE,
    '{"type": "signal", "to": "%s", "signal": {"kind": "candidate", "candidate": {"sdpMid": "%s"}}}'
    % (SURROGATE, SURROGATE),
    '{"type": "heartbeat", "at": "%s"}' % SURROGATE,
    '{"type": "devices", "camera": "ready%s", "microphone": "ready"}' % SURROGATE,  # the device check's report
    '{"type": "%s"}' % SURROGATE,
    '{"type": "dance%s", "body": "x"}' % SURROGATE,
    '{"type": "send", "body": "half a pair \\udc00 the wrong way round", "client_id": "c-1"}',
]


@pytest.mark.parametrize("frame", CALLER_FRAMES)
async def test_the_caller_page_refuses_a_lone_surrogate_in_any_frame(sockets, messaging_clinic, frame):
    ada = await enter(messaging_clinic)
    page, _ = await sockets.caller(ada)

    await page.send_to(text_data=frame)

    assert (await error_frame(page))["code"] == "invalid"
    await still_served(page)
    assert await stored(ada.caller_id) == []
    # The page still holds the visit, and lets it go when it closes.
    assert (await caller(ada.caller_id)).status == Status.WAITING
    await page.disconnect()
    assert (await caller(ada.caller_id)).status == Status.OFFLINE


async def test_the_error_names_the_send_it_refused_when_it_can(sockets, messaging_clinic):
    ada = await enter(messaging_clinic)
    page, _ = await sockets.caller(ada)

    await page.send_to(text_data='{"type": "send", "body": "x%s", "client_id": "c-7"}' % SURROGATE)
    assert (await error_frame(page)) | {"message": ""} == {
        "type": "error", "code": "invalid", "message": "", "client_id": "c-7"
    }
    await page.send_to(text_data='{"type": "send", "body": "x", "client_id": "c-%s"}' % SURROGATE)
    assert "client_id" not in await error_frame(page)  # it could not be sent back


async def test_a_surrogate_pair_is_a_character_like_any_other(sockets, messaging_clinic):
    ada = await enter(messaging_clinic)
    page, _ = await sockets.caller(ada)

    await page.send_to(text_data='{"type": "send", "body": "Thanks \\ud83d\\ude00", "client_id": "c-1"}')

    assert await page.receive_json_from(timeout=FRAME) == {"type": "sent", "client_id": "c-1", "seq": 1}
    assert await stored(ada.caller_id) == [(1, "caller", "Thanks \U0001f600")]


async def test_the_dashboard_refuses_a_lone_surrogate(sockets, clinic, team_member):
    dashboard, _ = await sockets.dashboard(team_member, clinic.slug)

    await dashboard.send_to(text_data='{"type": "heartbeat", "x": "%s"}' % SURROGATE)

    assert (await error_frame(dashboard))["code"] == "invalid"
    await still_served(dashboard)


async def test_the_call_page_refuses_a_lone_surrogate_in_a_signal(sockets, clinic, team_member):
    c = await a_call(sockets, clinic, team_member)

    await c.staff.send_to(
        text_data='{"type": "signal", "to": %d, "signal": {"kind": "offer", "session": "s", "sdp": "v=0%s"}}'
        % (c.caller, SURROGATE)
    )

    assert (await error_frame(c.staff))["code"] == "invalid"
    await still_served(c.staff)
    assert await c.page.receive_nothing(timeout=0.3)  # nothing reached the caller


# Any failure of a handler ------------------------------------------------------


async def test_a_failing_handler_answers_an_error_and_releases_the_visit(
    sockets, messaging_clinic, team_member, monkeypatch, caplog
):
    def fails(caller_id, *, body, client_id):
        raise RuntimeError(body)  # an exception whose message is the patient's words

    monkeypatch.setattr(messaging_consumers, "do_send_caller_message", fails)
    ada = await enter(messaging_clinic, "Ada Lovelace")
    page, _ = await sockets.caller(ada)
    dashboard, _ = await sockets.dashboard(team_member, messaging_clinic.slug)

    with caplog.at_level(logging.ERROR):
        await page.send_json_to({"type": "send", "body": "my private symptoms", "client_id": "c-1"})
        frames, code = await frames_until_close(page)

    assert [f for f in frames if '"error"' in f] == [
        '{"type":"error","code":"server_error","message":"Something went wrong on our side."}'
    ]
    assert code == CLOSE_SERVER_ERROR  # the page reconnects, as after a restart
    assert (await caller(ada.caller_id)).status == Status.OFFLINE
    card = (await dashboard.receive_json_from(timeout=FRAME))["cards"][0]
    assert (card["id"], card["status"]) == (ada.caller_id, "offline")
    # The log says what failed, not with what.
    assert "send frame failed" in caplog.text and "RuntimeError" in caplog.text
    assert "symptoms" not in caplog.text


async def test_a_visit_released_after_a_failure_comes_back_when_the_page_does(
    sockets, messaging_clinic, monkeypatch
):
    monkeypatch.setattr(messaging_consumers, "do_send_caller_message", lambda *a, **k: 1 / 0)
    ada = await enter(messaging_clinic)
    page, _ = await sockets.caller(ada)
    await page.send_json_to({"type": "send", "body": "hi", "client_id": "c-1"})
    await frames_until_close(page)
    assert (await caller(ada.caller_id)).status == Status.OFFLINE

    again, hello = await sockets.caller(ada)

    assert hello["visit"]["status"] == "waiting"
    assert (await caller(ada.caller_id)).status == Status.WAITING


async def test_a_failing_event_handler_releases_the_visit_too(sockets, messaging_clinic, clinic_admin, monkeypatch):
    async def fails(self, event):
        raise KeyError("Ada Lovelace")

    monkeypatch.setattr(CallerConsumer, "clinic_changed", fails)
    ada = await enter(messaging_clinic)
    page, _ = await sockets.caller(ada)

    await database_sync_to_async(do_change_configuration)(
        messaging_clinic.pk, actor=clinic_admin, waiting_text_en="We run ten minutes late."
    )
    frames, code = await frames_until_close(page)

    assert code == CLOSE_SERVER_ERROR
    assert (await caller(ada.caller_id)).status == Status.OFFLINE


async def test_a_failure_while_the_page_connects_releases_the_visit(sockets, messaging_clinic, monkeypatch):
    from waiting import snapshots

    def fails(caller):
        raise ValueError("cannot show Ada Lovelace")

    monkeypatch.setattr(snapshots, "caller_hello", fails)
    ada = await enter(messaging_clinic)
    page = sockets.socket(f"/ws/w/{ada.slug}/", ada.cookie)
    await page.connect(timeout=FRAME)

    frames, code = await frames_until_close(page)

    assert [f for f in frames if "server_error" in f]
    assert code == CLOSE_SERVER_ERROR
    stored_visit = await caller(ada.caller_id)
    assert (stored_visit.status, stored_visit.page_channel) == (Status.OFFLINE, "")
