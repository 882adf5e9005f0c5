"""With a server that offers it (SEND_NOW, RECEIVE_NOW: waitroom/server/protocol.py),
a caller page's commonest work is done as the server reads or the layer hands
it over, without waking the page's task: a notification to many goes straight
to its socket, its heartbeats are answered and its receipts noted. Whatever
cannot be done that way goes the usual way, with the same result: each
message once and in order, each bad frame answered, a flood closed."""

import json

import pytest
from channels.db import database_sync_to_async

from messaging import receipts
from messaging.actions import do_notify
from messaging.models import Message
from realtime.consumers import CLOSE_TOO_MANY_FRAMES
from realtime.frames import HEARTBEAT, RECEIVE_NOW, SEND_NOW
from testkit import inprocess, protocol
from testkit.sockets import QUIET, application, closed_with, enter

pytestmark = pytest.mark.django_db(transaction=True)


class SocketThatSendsNow:
    """What a server's SEND_NOW and RECEIVE_NOW do, recorded: sends unless
    writing is paused; `read(text)` is a frame from the page offered to the app."""

    def __init__(self):
        self.frames = []
        self.paused = False
        self.take = None

    def __call__(self, text):
        if self.paused:
            return False
        self.frames.append(json.loads(text))
        return True

    def listen(self, take):
        self.take = take

    def read(self, frame):
        return self.take(frame if isinstance(frame, str) else json.dumps(frame))


def offering(socket):
    app = application()

    async def server(scope, receive, send):
        extensions = {**scope.get("extensions", {}), SEND_NOW: socket, RECEIVE_NOW: socket.listen}
        return await app(dict(scope, extensions=extensions), receive, send)

    return server


async def notify(clinic, actor, caller_ids, body):
    await database_sync_to_async(do_notify)(clinic, actor=actor, caller_ids=caller_ids, body=body)


async def test_a_notification_goes_straight_to_a_waiting_page_and_the_usual_way_when_it_cannot(
    clinic, team_member
):
    ada, tom = await enter(clinic, "Ada Lovelace"), await enter(clinic, "Tom Berg")
    ada_socket = SocketThatSendsNow()
    adas_page = inprocess.communicator(offering(ada_socket), protocol.caller_path(clinic.slug), ada.cookie)
    toms_page = inprocess.communicator(application(), protocol.caller_path(clinic.slug), tom.cookie)  # a stock server
    ada_hello, tom_hello = await inprocess.open_page(adas_page), await inprocess.open_page(toms_page)
    ada_seq = ada_hello["messages"][-1]["seq"] if ada_hello["messages"] else 0

    await notify(clinic, team_member, [ada.caller_id, tom.caller_id], "Dr Lee is running late")
    # Ada's socket had it at once; Tom's came through his page's task.
    assert [(f["message"]["seq"], f["message"]["body"]) for f in ada_socket.frames] == [
        (ada_seq + 1, "Dr Lee is running late")
    ]
    assert await adas_page.receive_nothing(timeout=QUIET)
    assert (await toms_page.receive_json_from(timeout=inprocess.FRAME))["message"]["body"] == "Dr Lee is running late"

    ada_socket.paused = True  # Ada's browser reads slowly: her socket cannot take a frame now
    await notify(clinic, team_member, [ada.caller_id, tom.caller_id], "Almost there")
    frame = await adas_page.receive_json_from(timeout=inprocess.FRAME)
    assert (frame["message"]["seq"], frame["message"]["body"]) == (ada_seq + 2, "Almost there")
    assert len(ada_socket.frames) == 1
    await adas_page.disconnect()
    await toms_page.disconnect()


async def a_page_served_as_read(clinic):
    ada = await enter(clinic)
    socket = SocketThatSendsNow()
    page = inprocess.communicator(offering(socket), protocol.caller_path(clinic.slug), ada.cookie)
    await inprocess.open_page(page)
    return ada, socket, page


async def test_heartbeats_and_receipts_are_taken_as_they_are_read(clinic, team_member):
    ada, socket, page = await a_page_served_as_read(clinic)
    await notify(clinic, team_member, [ada.caller_id], "Dr Lee is running late")
    # (to one caller: through the page's task; to many: straight to the socket)
    frame = socket.frames.pop() if socket.frames else await page.receive_json_from(timeout=inprocess.FRAME)
    seq = frame["message"]["seq"]

    assert socket.read(HEARTBEAT) is True
    assert socket.frames[-1] == {"type": "heartbeat"}
    assert socket.read({"type": "receipt", "delivered": seq, "seen": seq}) is True
    await receipts.write()
    message = await database_sync_to_async(Message.objects.get)(caller_id=ada.caller_id, seq=seq)
    assert message.delivered_at is not None and message.seen_at is not None
    assert await page.receive_nothing(timeout=QUIET)
    await page.disconnect()


@pytest.mark.parametrize(
    "frame",
    [
        {"type": "receipt", "delivered": 99, "seen": 0},  # a message the page was never sent
        {"type": "receipt", "delivered": "1"},
        '{"type": "receipt", "delivered": 1, "seen": 1, "x": "\\ud800"}',  # not valid Unicode
        "[" * 5000 + "]" * 5000,
        {"type": ["receipt"]},
        {"type": "send", "body": "Hello"},  # a frame with work to do: the page's task does it
    ],
)
async def test_a_frame_not_taken_as_read_goes_the_usual_way(clinic, team_member, frame):
    ada, socket, page = await a_page_served_as_read(clinic)
    assert socket.read(frame) is False
    await receipts.write()
    assert not await database_sync_to_async(Message.objects.filter(caller_id=ada.caller_id, delivered_at__isnull=False).exists)()
    await page.disconnect()


async def test_a_flood_of_heartbeats_taken_as_read_still_closes_the_page(clinic):
    ada, socket, page = await a_page_served_as_read(clinic)
    taken = 0
    while socket.read(HEARTBEAT):  # the frame budget runs out...
        taken += 1
    assert taken < 200
    await page.send_to(text_data=HEARTBEAT)  # ...and the usual way closes the page
    assert await closed_with(page) == CLOSE_TOO_MANY_FRAMES
