"""A notification to many goes straight to the socket of each page that waits
for events (the server's SEND_NOW, PageConsumer.take_now), and the usual way
(the page's own task) when that socket cannot take it now: either way each
page has each message once, in order."""

import json

import pytest
from channels.db import database_sync_to_async

from messaging.actions import do_notify
from realtime.frames import SEND_NOW
from testkit import inprocess, protocol
from testkit.sockets import QUIET, application, enter

pytestmark = pytest.mark.django_db(transaction=True)


class SocketThatSendsNow:
    """What a server's SEND_NOW does, recorded: sends unless writing is paused."""

    def __init__(self):
        self.frames = []
        self.paused = False

    def __call__(self, text):
        if self.paused:
            return False
        self.frames.append(json.loads(text))
        return True


def offering(send_now):
    app = application()

    async def server(scope, receive, send):
        scope = dict(scope, extensions={**scope.get("extensions", {}), SEND_NOW: send_now})
        return await app(scope, receive, send)

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
