"""Sockets as a browser opens them: through the whole ASGI application (origin
check, session and auth middleware, routing), with the session cookie that the
HTTP side gave the browser."""

from dataclasses import dataclass

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.test import Client

from messaging.models import Message
from waiting.models import Caller

from . import inprocess, protocol, sessions
from .inprocess import FRAME, HOST, ORIGIN  # noqa: F401  (the tests import them from here)

QUIET = 0.3  # seconds of silence that show a frame is not coming


def application():
    # Imported when the first socket opens, not when tests are collected.
    from waitroom.asgi import application

    return application


@dataclass
class Visit:
    """A caller's browser after the entry form: their visit and session cookie."""

    caller_id: int
    slug: str
    cookie: str
    client: Client


def _enter(clinic, name, fields, client):
    client = client or Client()
    response = client.post(f"/w/{clinic.slug}/", {"name": name, **fields})
    assert response.status_code == 302, response.content.decode()
    caller_id = sessions.caller_id_in(client.session, clinic.pk)
    return Visit(caller_id, clinic.slug, client.cookies["sessionid"].value, client)


async def enter(clinic, name="Ada Lovelace", client=None, **fields):
    """A caller fills in the clinic's entry form (in a new browser, or in `client`)."""
    return await sync_to_async(_enter)(clinic, name, fields, client)


async def staff_cookie(user):
    return await sync_to_async(sessions.staff_cookie)(user)


async def leave(visit):
    """The caller presses Leave."""
    response = await sync_to_async(visit.client.post)(f"/w/{visit.slug}/leave/")
    assert response.status_code == 302 and response["Location"] == f"/w/{visit.slug}/wait/"


def socket(path, cookie=None, origin=ORIGIN, host=HOST, headers=()):
    return inprocess.communicator(application(), path, cookie, origin, host, headers)


class Sockets:
    """Opens sockets for a test and closes whatever is left open at its end,
    so that a consumer which crashed fails the test that made it crash."""

    def __init__(self):
        self.open = []

    def socket(self, path, cookie=None, origin=ORIGIN, host=HOST, headers=()):
        communicator = socket(path, cookie, origin, host, headers)
        self.open.append(communicator)
        return communicator

    async def caller(self, visit, after=None, slug=None):
        """A caller's page: connects and returns (socket, hello frame)."""
        communicator = self.socket(protocol.caller_path(slug or visit.slug, after=after), visit.cookie)
        return communicator, await inprocess.open_page(communicator)

    async def dashboard(self, user, slug):
        """A team member's dashboard: connects and returns (socket, snapshot)."""
        communicator = self.socket(protocol.dashboard_path(slug), await staff_cookie(user))
        return communicator, await inprocess.open_page(communicator)

    async def close_all(self):
        for communicator in self.open:
            await communicator.disconnect(timeout=FRAME)


async def closed_with(communicator, timeout=FRAME):
    """The close code the server ended the socket with (fails on any other frame)."""
    output = await communicator.receive_output(timeout)
    assert output["type"] == "websocket.close", output
    return output.get("code")


async def frames_until_close(communicator, timeout=FRAME):
    """Every frame up to the server's close, and the close code."""
    frames = []
    while True:
        output = await communicator.receive_output(timeout)
        if output["type"] == "websocket.close":
            return frames, output.get("code")
        frames.append(output["text"])


async def callers_frame(dashboard, timeout=FRAME):
    frame = await dashboard.receive_json_from(timeout=timeout)
    assert frame["type"] == "callers", frame
    return frame


@database_sync_to_async
def stored(caller_id):
    """The caller's thread as stored: [(seq, sender, body)]."""
    return list(Message.objects.filter(caller_id=caller_id).order_by("seq").values_list("seq", "sender", "body"))


@database_sync_to_async
def caller(caller_id):
    return Caller.objects.select_related("clinic").get(pk=caller_id)
