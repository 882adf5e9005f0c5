"""What the server tuning takes from upstream's private parts, checked.

waitroom/server/ subclasses uvicorn's websocket protocol and Channels' and
channels_redis' layers, and overrides or reads names those projects do not
promise to keep. These tests check each such name, its shape and, where an
override depends on it, what the upstream code does with it, so that an
upgrade that changes one fails here with the file to revisit, instead of
somewhere in a browser test or in production. The stock mode
(WAITROOM_SERVER_MODE=stock, WAITROOM_TUNED_LAYERS=false) needs none of them.
"""

import ast
import asyncio
import inspect
import logging
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest
from channels.layers import InMemoryChannelLayer
from channels_redis import pubsub
from channels_redis.pubsub import RedisPubSubChannelLayer, RedisPubSubLoopLayer, RedisSingleShardConnection
from channels_redis.utils import _wrap_close
from uvicorn.config import Config
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from uvicorn.server import ServerState
from websockets.client import ClientProtocol
from websockets.frames import Frame
from websockets.protocol import State
from websockets.server import ServerProtocol
from websockets.uri import parse_uri

from realtime.frames import RECEIVE_NOW, SEND_NOW
from realtime.limits import FRAME_MAX
from waitroom.server.layers import Inbox, LocalChannelLayer, SharedRedisPubSubLayer, _PubSubLoopLayer
from waitroom.logs import SOCKET_LINES, is_socket_line
from waitroom.server.protocol import Gate, PageProtocol
from testkit.helpers import in_own_loop

PROTOCOL = "waitroom/server/protocol.py"
LAYERS = "waitroom/server/layers.py"


def parameters(function):
    return list(inspect.signature(function).parameters)


def attributes_used(cls, on):
    """The names `self.<on>.<name>` in a class's own source: what it does with
    one of its attributes."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    return {
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Attribute)
        and node.value.attr == on
        and isinstance(node.value.value, ast.Name)
        and node.value.value.id == "self"
    }


# uvicorn's websocket protocol, driven through a fake transport --------------------


class Transport:
    """The asyncio transport a protocol writes to, recording what it is asked."""

    def __init__(self):
        self.written = bytearray()
        self.paused = self.resumed = 0
        self.closed = False

    def get_extra_info(self, name, default=None):
        return {"sockname": ("127.0.0.1", 8000), "peername": ("127.0.0.1", 50000)}.get(name, default)

    def write(self, data):
        self.written += data

    def pause_reading(self):
        self.paused += 1

    def resume_reading(self):
        self.resumed += 1

    def is_closing(self):
        return self.closed

    def close(self):
        self.closed = True


class Page:
    """One socket of a protocol class: a websockets client on one side, the
    protocol on a fake transport on the other, and an app that accepts (or
    refuses) and then does what the test tells it."""

    def __init__(self, protocol_class, accept=True, **config):
        self.app_receive = None
        self.orders = asyncio.Queue()

        async def app(scope, receive, send):
            self.scope = scope
            self.app_receive = receive
            await receive()  # websocket.connect
            await send({"type": "websocket.accept"} if accept else {"type": "websocket.close"})
            while True:
                order = await self.orders.get()
                await send(order)

        config = Config(app=app, ws="websockets-sansio", lifespan="off", log_config=None, **config)
        config.load()
        self.state = ServerState()
        self.protocol = protocol_class(config, self.state, {}, _loop=asyncio.get_running_loop())
        self.transport = Transport()
        self.protocol.connection_made(self.transport)
        self.client = ClientProtocol(parse_uri("ws://127.0.0.1:8000/ws/"))
        self.client.send_request(self.client.connect())
        self.to_server()

    def to_server(self):
        self.protocol.data_received(b"".join(self.client.data_to_send()))

    def to_client(self):
        self.client.receive_data(bytes(self.transport.written))
        self.transport.written.clear()
        return self.client.events_received()

    async def settle(self):
        for _ in range(5):
            await asyncio.sleep(0)

    async def close(self):
        for task in list(self.state.tasks):
            task.cancel()
        await asyncio.gather(*self.state.tasks, return_exceptions=True)


@in_own_loop
async def test_uvicorn_websockets_sansio_protocol_has_what_page_protocol_relies_on():
    # The instance attributes PageProtocol.__init__ replaces or its methods read.
    page = Page(WebSocketsSansIOProtocol)
    await page.settle()
    stock = page.protocol
    relied_on = {
        "queue": "replaces it with an Inbox in __init__ and reads it in receive and send_receive_event_to_app",
        "writable": "replaces its asyncio.Event with a Gate in __init__",
        "ping_interval": "sets it to None in __init__ so that no keepalive timer is started",
        "conn": "lowers conn.max_message_size in __init__",
        "read_paused": "pauses and resumes reading by it in receive and send_receive_event_to_app",
        "frames": "reads the frames of a message in send_receive_event_to_app",
        "curr_msg_data_type": "tells text from bytes by it in send_receive_event_to_app",
        "close_sent": "drops frames after the app's close by it in send_receive_event_to_app",
        "handshake_complete": "lets go of the handshake by it in send",
        "request": "lets go of the handshake's request in send",
        "response": "lets go of the handshake's response in send",
        "transport": "pauses and resumes reading on it",
        "logger": "logs invalid UTF-8 with it",
        "loop": "starts the heap policy on it in __init__",
    }
    for name, why in relied_on.items():
        assert name in vars(stock), (
            f"uvicorn's WebSocketsSansIOProtocol instances no longer have .{name}: "
            f"{PROTOCOL} {why}; revisit PageProtocol."
        )
    assert isinstance(stock.frames, list) and stock.read_paused is False and stock.handshake_complete is True, (
        f"uvicorn's WebSocketsSansIOProtocol.frames / read_paused / handshake_complete changed type: revisit {PROTOCOL}"
    )
    assert parameters(WebSocketsSansIOProtocol.__init__)[:4] == ["self", "config", "server_state", "app_state"], (
        f"uvicorn's WebSocketsSansIOProtocol.__init__ changed its parameters: PageProtocol.__init__ ({PROTOCOL}) "
        "passes them on and then reads self.loop and self.conn; revisit it."
    )
    methods = {
        "send_receive_event_to_app": ["self"],
        "handle_parser_exception": ["self"],
        "receive": ["self"],
        "send": ["self", "message"],
        "start_keepalive": ["self"],
    }
    for name, params in methods.items():
        method = getattr(WebSocketsSansIOProtocol, name, None)
        assert method is not None, (
            f"uvicorn no longer has WebSocketsSansIOProtocol.{name}: {PROTOCOL} overrides or calls it "
            "(PageProtocol: receive hands out a future, send_receive_event_to_app pauses reading only when "
            "the app is behind, send lets go of the handshake); revisit that override."
        )
        assert parameters(method) == params, (
            f"uvicorn's WebSocketsSansIOProtocol.{name} now takes {parameters(method)}, not {params}: "
            f"PageProtocol in {PROTOCOL} overrides or calls it with the old ones; revisit that override."
        )
    assert inspect.iscoroutinefunction(WebSocketsSansIOProtocol.send), (
        f"uvicorn's WebSocketsSansIOProtocol.send is no longer async: PageProtocol.send ({PROTOCOL}) awaits it."
    )
    await page.close()


def test_uvicorn_protocol_uses_no_more_of_its_queue_and_event_than_inbox_and_gate_provide():
    for name in attributes_used(WebSocketsSansIOProtocol, "queue"):
        assert hasattr(Inbox, name), (
            f"uvicorn's WebSocketsSansIOProtocol now calls self.queue.{name}, which the Inbox that PageProtocol "
            f"puts there ({LAYERS}) lacks: add it to Inbox, or revisit PageProtocol.__init__ in {PROTOCOL}."
        )
    for name in attributes_used(WebSocketsSansIOProtocol, "writable"):
        assert hasattr(Gate, name), (
            f"uvicorn's WebSocketsSansIOProtocol now calls self.writable.{name}, which the Gate that PageProtocol "
            f"puts there ({PROTOCOL}) lacks: add it to Gate, or revisit PageProtocol.__init__."
        )


@in_own_loop
async def test_uvicorn_protocol_queues_a_frame_and_pauses_reading_where_page_protocol_changes_it():
    # PageProtocol.send_receive_event_to_app is a copy of this method with
    # the pause moved: the copy is only right while the original still does this.
    seen = []

    class Watched(WebSocketsSansIOProtocol):
        def send_receive_event_to_app(self):
            seen.append((list(self.frames), self.curr_msg_data_type))
            super().send_receive_event_to_app()

    page = Page(Watched)
    await page.settle()
    page.to_client()
    page.client.send_text(b"hello")
    page.to_server()
    page.client.send_binary(b"\x00\x01")
    page.to_server()
    why = (
        f"{PROTOCOL} overrides send_receive_event_to_app with a copy that pauses reading only when the app is "
        "behind; revisit that override against uvicorn's"
    )
    assert seen == [([b"hello"], "text"), ([b"\x00\x01"], "bytes")], (
        f"uvicorn's handle_text/handle_bytes no longer set self.frames and self.curr_msg_data_type and then call "
        f"send_receive_event_to_app ({seen}): {why}."
    )
    assert [page.protocol.queue.get_nowait() for _ in range(2)] == [
        {"type": "websocket.receive", "text": "hello"},
        {"type": "websocket.receive", "bytes": b"\x00\x01"},
    ], f"uvicorn's send_receive_event_to_app no longer puts the app's event to self.queue: {why}."
    assert page.protocol.read_paused and page.transport.paused == 1, (
        f"uvicorn's send_receive_event_to_app no longer sets read_paused and calls transport.pause_reading: {why}."
    )
    await page.close()


@in_own_loop
async def test_uvicorn_protocol_resumes_reading_by_read_paused_when_the_app_has_read():
    page = Page(WebSocketsSansIOProtocol)
    await page.settle()
    page.protocol.queue.put_nowait({"type": "websocket.receive", "text": "x"})
    page.protocol.read_paused = True
    await page.protocol.receive()
    assert page.protocol.read_paused is False and page.transport.resumed == 1, (
        "uvicorn's WebSocketsSansIOProtocol.receive no longer resumes reading by self.read_paused and "
        f"transport.resume_reading: PageProtocol.receive ({PROTOCOL}) does the same with a threshold; revisit it."
    )
    await page.close()


@in_own_loop
async def test_uvicorn_protocol_drops_frames_after_close_and_closes_on_parser_exception():
    page = Page(WebSocketsSansIOProtocol)
    await page.settle()
    page.protocol.queue = asyncio.Queue()
    page.protocol.close_sent = True
    page.protocol.frames, page.protocol.curr_msg_data_type = [b"late"], "text"
    page.protocol.send_receive_event_to_app()
    assert page.protocol.queue.empty(), (
        "uvicorn's send_receive_event_to_app no longer drops a frame once close_sent is set: "
        f"PageProtocol's copy in {PROTOCOL} does; revisit it."
    )
    page.protocol.close_sent = False
    page.protocol.conn.send_close(1007)
    page.protocol.handle_parser_exception()
    assert page.protocol.queue.get_nowait()["code"] == 1007 and page.protocol.close_sent and page.transport.closed, (
        "uvicorn's handle_parser_exception no longer tells the app the close code and closes the transport: "
        f"PageProtocol.send_receive_event_to_app ({PROTOCOL}) calls it for invalid UTF-8; revisit that."
    )
    await page.close()


@in_own_loop
async def test_uvicorn_protocol_starts_keepalive_pings_by_ping_interval():
    page = Page(WebSocketsSansIOProtocol, ws_ping_interval=20.0)
    await page.settle()
    assert page.protocol.ping_timer is not None, (
        "uvicorn no longer starts keepalive pings from self.ping_interval when a socket is accepted: "
        f"PageProtocol ({PROTOCOL}) sets it to None to have none; revisit how it turns them off."
    )
    page.protocol.stop_keepalive()
    page.protocol.ping_interval = None
    page.protocol.start_keepalive()
    assert page.protocol.ping_timer is None, (
        f"uvicorn starts keepalive pings even with ping_interval None: PageProtocol ({PROTOCOL}) relies on "
        "that to send none (the pages' heartbeats are the keepalive); revisit it."
    )
    await page.close()


@in_own_loop
async def test_page_protocol_serves_a_socket_through_uvicorn():
    # The whole of it at once: everything PageProtocol changed, on uvicorn's
    # code path, from the handshake to the close.
    page = Page(PageProtocol, ws_ping_interval=20.0)
    await page.settle()
    protocol = page.protocol
    why = f"revisit PageProtocol in {PROTOCOL} against this uvicorn"
    assert page.app_receive == protocol.receive, f"uvicorn no longer hands the app self.receive: {why}."
    assert page.to_client()[0].status_code == 101, f"the handshake failed: {why}."
    assert protocol.request is None and protocol.response is None and protocol.ping_timer is None, (
        f"PageProtocol kept the handshake or started pings: {why}."
    )
    for n in range(3):
        page.client.send_text(f"frame {n}".encode())
        page.to_server()
    assert [await protocol.receive() for _ in range(3)] == [
        {"type": "websocket.receive", "text": f"frame {n}"} for n in range(3)
    ], f"frames did not reach the app in order: {why}."
    assert page.transport.paused == 0, f"reading paused with the app keeping up: {why}."
    page.orders.put_nowait({"type": "websocket.send", "text": "to the page"})
    page.orders.put_nowait({"type": "websocket.close", "code": 4408})
    await page.settle()
    events = page.to_client()
    assert isinstance(events[0], Frame) and events[0].data == b"to the page", f"a send did not arrive: {why}."
    assert page.client.close_rcvd.code == 4408, f"the app's close did not arrive: {why}."
    await page.close()


@in_own_loop
async def test_page_protocol_sends_now_only_what_the_app_could_send():
    page = Page(PageProtocol)
    await page.settle()
    send_now = page.scope["extensions"][SEND_NOW]
    page.to_client()  # the handshake's answer
    assert send_now("to the page") is True
    [frame] = page.to_client()
    assert frame.data == b"to the page", f"send_now's frame did not arrive: revisit PageProtocol.send_now in {PROTOCOL}."
    page.protocol.pause_writing()  # the page reads too slowly: the app's sends wait, and so must this one
    assert send_now("held back") is False and not page.transport.written
    page.protocol.resume_writing()
    page.orders.put_nowait({"type": "websocket.close", "code": 4408})
    await page.settle()
    page.to_client()
    assert send_now("after the close") is False and not page.transport.written
    await page.close()


@in_own_loop
async def test_page_protocol_offers_the_app_each_frame_read_while_it_waits():
    page = Page(PageProtocol)
    await page.settle()  # the app waits for its orders, not for frames: nothing reads them yet
    page.to_client()  # the handshake's answer
    offered = []
    page.scope["extensions"][RECEIVE_NOW](lambda text: offered.append(text) or text.startswith("take"))
    reading = asyncio.ensure_future(page.protocol.receive())  # the app waits for a frame
    await asyncio.sleep(0)
    for text in ("take 1", "leave 2", "take 3"):
        page.client.send_text(text.encode())
        page.to_server()
    # "leave 2" went to the waiting app; "take 3" came while the app had it: queued behind it, never offered
    assert offered == ["take 1", "leave 2"]
    assert await reading == {"type": "websocket.receive", "text": "leave 2"}
    assert await page.protocol.receive() == {"type": "websocket.receive", "text": "take 3"}
    await page.close()


@in_own_loop
async def test_stock_protocol_offers_no_send_now():
    page = Page(WebSocketsSansIOProtocol)
    await page.settle()
    assert SEND_NOW not in page.scope["extensions"] and RECEIVE_NOW not in page.scope["extensions"]
    await page.close()


@in_own_loop
async def test_page_protocol_refuses_a_socket_through_uvicorn():
    page = Page(PageProtocol, accept=False)
    await page.settle()
    assert page.protocol.request is None and page.transport.closed, (
        f"a refused handshake (403) went wrong with the handshake let go: revisit PageProtocol.send in {PROTOCOL}."
    )
    await page.close()


class Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.records = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def uvicorn_records():
    # Every record made, before the log's own filter (waitroom/logs.py) sees it.
    logger, records = logging.getLogger("uvicorn.error"), Records()
    level, filters = logger.level, logger.filters
    logger.setLevel(logging.INFO)
    logger.filters = []
    logger.addHandler(records)
    yield records.records
    logger.removeHandler(records)
    logger.setLevel(level)
    logger.filters = filters


@in_own_loop
async def test_uvicorn_logs_each_handshake_through_self_logger_which_page_protocol_quiets(uvicorn_records):
    # PageProtocol wraps self.logger to drop the handshake lines before a
    # record is made (the log's filter, waitroom/logs.py, drops them after).
    stock = Page(WebSocketsSansIOProtocol)
    await stock.settle()
    lines = [r.msg for r in uvicorn_records]
    assert any(line.startswith(SOCKET_LINES) for line in lines) and "connection open" in lines, (
        "uvicorn's WebSocketsSansIOProtocol no longer logs an accepted handshake through self.logger.info with "
        f"a format that starts {SOCKET_LINES}, or websockets' protocol no longer says 'connection open' through "
        f"the same logger (conn.logger) ({lines}): PageProtocol's logger ({PROTOCOL}) and the log's filter "
        "(waitroom/logs.py) drop those lines; revisit both."
    )
    await stock.close()
    uvicorn_records.clear()

    tuned = Page(PageProtocol)
    await tuned.settle()
    refused = Page(PageProtocol, accept=False)
    await refused.settle()
    tuned.protocol.logger.info("Invalid UTF-8 sequence received from client.")
    lines = [r.msg for r in uvicorn_records]
    assert not [line for line in lines if is_socket_line(line)], (
        f"PageProtocol ({PROTOCOL}) made a record of a socket's opening or closing: {lines}"
    )
    assert "Invalid UTF-8 sequence received from client." in lines, f"PageProtocol ({PROTOCOL}) dropped another line."
    assert tuned.protocol.logger.level == logging.INFO  # the rest of the logger is uvicorn's
    await tuned.close()
    await refused.close()


def test_uvicorn_loads_page_protocol_from_the_command_line_switch():
    async def app(scope, receive, send):
        pass

    tuned = Config(app=app, ws="waitroom.server.protocol:PageProtocol", lifespan="off", log_config=None)
    tuned.load()
    assert tuned.ws_protocol_class is PageProtocol, (
        "uvicorn's --ws no longer takes an import path: the tuned servers are started with "
        "`--ws waitroom.server.protocol:PageProtocol` (Makefile, deploy/waitroom@.service, e2e/servers.py); "
        "revisit how the tuned protocol is switched on."
    )
    stock = Config(app=app, ws="websockets-sansio", lifespan="off", log_config=None)
    stock.load()
    assert stock.ws_protocol_class is WebSocketsSansIOProtocol, (
        "uvicorn's --ws websockets-sansio is no longer the class PageProtocol subclasses: the stock mode "
        f"(e2e/servers.py) and PageProtocol ({PROTOCOL}) would differ by more than the tuning; revisit both."
    )


def test_websockets_server_protocol_reads_max_message_size_for_each_frame():
    conn = ServerProtocol(state=State.OPEN, max_size=2**20)
    assert "max_message_size" in vars(conn), (
        "websockets' ServerProtocol no longer has max_message_size: PageProtocol.__init__ "
        f"({PROTOCOL}) lowers it so that a frame over 4 x FRAME_MAX is not read whole; revisit that."
    )
    conn.max_message_size = 4 * FRAME_MAX  # after construction, as PageProtocol does
    client = ClientProtocol(parse_uri("ws://127.0.0.1/"), state=State.OPEN)
    client.send_text(b"x" * (4 * FRAME_MAX + 1))
    conn.receive_data(b"".join(client.data_to_send()))
    assert conn.close_sent is not None and conn.close_sent.code == 1009, (
        "websockets' ServerProtocol no longer refuses a frame over a max_message_size set after construction "
        f"(closed: {conn.close_sent}): PageProtocol.__init__ ({PROTOCOL}) relies on that; revisit it."
    )


# Channels' in-memory layer ------------------------------------------------------


def test_channels_in_memory_layer_has_what_local_channel_layer_relies_on():
    assert {"expiry", "group_expiry", "capacity", "channel_capacity"} <= set(parameters(InMemoryChannelLayer.__init__)), (
        "Channels' InMemoryChannelLayer.__init__ lost one of expiry, group_expiry, capacity, channel_capacity: "
        f"LocalChannelLayer ({LAYERS}) and CHANNEL_LAYERS (waitroom/settings.py: group_expiry) pass them."
    )
    layer = InMemoryChannelLayer(group_expiry=123, capacity=7)
    relied_on = {
        "channels": "keeps each channel's Inbox in it",
        "groups": "reads each group's channels from it in group_send",
        "expiry": "stamps each message with time.time() + expiry as the stock send does",
        "group_expiry": "sets it to ten years so that a page open overnight keeps its groups",
    }
    for name, why in relied_on.items():
        assert name in vars(layer), (
            f"Channels' InMemoryChannelLayer instances no longer have .{name}: LocalChannelLayer ({LAYERS}) {why}; "
            "revisit it."
        )
    assert layer.channels == {} and layer.groups == {} and layer.group_expiry == 123, (
        f"Channels' InMemoryChannelLayer.channels / groups / group_expiry changed shape: revisit {LAYERS}."
    )
    methods = {
        "get_capacity": ["self", "channel"],
        "_clean_expired": ["self"],
        "require_valid_channel_name": ["self", "name", "receive"],
        "require_valid_group_name": ["self", "name"],
        "send": ["self", "channel", "message"],
        "receive": ["self", "channel"],
        "group_send": ["self", "group", "message"],
    }
    for name, params in methods.items():
        method = getattr(InMemoryChannelLayer, name, None)
        assert method is not None, (
            f"Channels no longer has InMemoryChannelLayer.{name}: LocalChannelLayer ({LAYERS}) overrides or calls "
            "it (send/receive/group_send without copies or scans, _clean_expired now and then); revisit it."
        )
        assert parameters(method) == params, (
            f"Channels' InMemoryChannelLayer.{name} now takes {parameters(method)}, not {params}: "
            f"LocalChannelLayer ({LAYERS}) overrides or calls it; revisit that."
        )
    assert layer.get_capacity("specific.x!y") == 7, (
        f"Channels' get_capacity no longer answers a channel's capacity: LocalChannelLayer ({LAYERS}) sizes "
        "each Inbox by it."
    )
    assert layer.require_valid_channel_name("specific.x!y") and layer.require_valid_group_name("clinic-1.staff")
    for check, bad in ((layer.require_valid_channel_name, "no spaces"), (layer.require_valid_group_name, "x" * 200)):
        with pytest.raises(TypeError):
            check(bad)


@in_own_loop
async def test_channels_in_memory_layer_queues_what_local_channel_layer_puts_in_its_inboxes():
    # LocalChannelLayer puts (expires_at, message) in an Inbox as the stock
    # send puts it in an asyncio.Queue; the stock sweep reads them back.
    layer = InMemoryChannelLayer(expiry=60)
    await layer.send("specific.x!a", {"type": "hello"})
    expires_at, message = layer.channels["specific.x!a"]._queue[0]
    assert message == {"type": "hello"} and time.time() < expires_at <= time.time() + 60, (
        "Channels' InMemoryChannelLayer no longer queues (time.time() + expiry, message): LocalChannelLayer "
        f"({LAYERS}) puts and takes that shape; revisit _put and receive."
    )


@in_own_loop
async def test_channels_in_memory_sweep_works_on_inboxes_and_expires_groups_by_group_expiry():
    layer = InMemoryChannelLayer(group_expiry=10)
    stale, fresh = Inbox(10), Inbox(10)
    stale.put_nowait((time.time() - 1, {"type": "old"}))
    fresh.put_nowait((time.time() + 60, {"type": "new"}))
    layer.channels.update({"specific.x!stale": stale, "specific.x!fresh": fresh})
    await layer.group_add("clinic-1.staff", "specific.x!stale")
    await layer.group_add("clinic-1.staff", "specific.x!fresh")
    await layer.group_add("clinic-1.callers", "specific.x!fresh")
    layer.groups["clinic-1.callers"]["specific.x!fresh"] = time.time() - 11
    try:
        layer._clean_expired()
    except AttributeError as error:
        raise AssertionError(
            f"Channels' InMemoryChannelLayer._clean_expired now uses something of a channel's queue that Inbox "
            f"({LAYERS}) lacks ({error}): add it to Inbox, or revisit LocalChannelLayer."
        ) from error
    assert "specific.x!stale" not in layer.channels and len(fresh) == 1, (
        "Channels' _clean_expired no longer drops expired messages (and their empty channels) from "
        f"self.channels: LocalChannelLayer ({LAYERS}) relies on it to sweep; revisit it."
    )
    assert layer.groups["clinic-1.staff"].keys() == {"specific.x!fresh"}, (
        "Channels' _clean_expired no longer takes a channel with an expired message out of its groups "
        f"(self.groups[group] = {{channel: joined_at}}): LocalChannelLayer ({LAYERS}) relies on that."
    )
    assert not layer.groups["clinic-1.callers"], (
        "Channels' _clean_expired no longer ends group memberships older than group_expiry: then the ten "
        f"years LocalChannelLayer ({LAYERS}) and waitroom/settings.py set are moot; revisit both."
    )


# channels_redis' pub/sub layer ---------------------------------------------------


@pytest.fixture
def subscriptions(monkeypatch):
    """Subscriptions recorded instead of sent to a Redis."""
    made = []

    async def subscribe(shard, channel):
        made.append(("subscribe", channel))

    async def unsubscribe(shard, channel):
        made.append(("unsubscribe", channel))

    monkeypatch.setattr(RedisSingleShardConnection, "subscribe", subscribe)
    monkeypatch.setattr(RedisSingleShardConnection, "unsubscribe", unsubscribe)
    return made


def test_channels_redis_pubsub_loop_layer_has_what_pubsub_loop_layer_relies_on():
    assert "channel_layer" in parameters(RedisPubSubLoopLayer.__init__), (
        "channels_redis' RedisPubSubLoopLayer.__init__ no longer takes channel_layer: "
        f"SharedRedisPubSubLayer._get_layer ({LAYERS}) passes itself as it; revisit it."
    )
    subscribe = getattr(RedisPubSubLoopLayer, "_subscribe_to_channel", None)
    assert subscribe is not None and parameters(subscribe) == ["self", "channel"], (
        "channels_redis no longer has RedisPubSubLoopLayer._subscribe_to_channel(self, channel): "
        f"_PubSubLoopLayer ({LAYERS}) overrides it to give each channel an Inbox; revisit that override."
    )
    assert inspect.iscoroutinefunction(subscribe), (
        f"channels_redis' _subscribe_to_channel is no longer async: _PubSubLoopLayer ({LAYERS}) overrides it."
    )
    layer = RedisPubSubLoopLayer(hosts=["redis://127.0.0.1:1"], channel_layer=None)
    assert layer.channels == {}, (
        "channels_redis' RedisPubSubLoopLayer no longer keeps its channels' queues in .channels: "
        f"_PubSubLoopLayer ({LAYERS}) puts Inboxes there; revisit it."
    )
    shard = layer._get_shard("specific.x")
    assert isinstance(shard, RedisSingleShardConnection) and inspect.iscoroutinefunction(shard.subscribe), (
        "channels_redis' RedisPubSubLoopLayer._get_shard(name) no longer gives a connection with async "
        f"subscribe(channel): _PubSubLoopLayer._subscribe_to_channel ({LAYERS}) calls it; revisit it."
    )


@in_own_loop
async def test_channels_redis_pubsub_hands_each_channel_the_same_bytes_through_its_queue(subscriptions):
    shared = SharedRedisPubSubLayer(hosts=["redis://127.0.0.1:1"])
    first, second = await shared.new_channel(), await shared.new_channel()
    loop_layer = shared._layers.get(asyncio.get_running_loop())
    assert isinstance(loop_layer, _PubSubLoopLayer), (
        "channels_redis' RedisPubSubChannelLayer no longer reaches its per-loop layer through _get_layer and "
        f"_layers: SharedRedisPubSubLayer._get_layer ({LAYERS}) makes a _PubSubLoopLayer there; revisit it."
    )
    assert subscriptions == [("subscribe", first), ("subscribe", second)]
    assert all(isinstance(loop_layer.channels[name], Inbox) for name in (first, second)), (
        "channels_redis' new_channel no longer goes through _subscribe_to_channel: the channels' queues are "
        f"not _PubSubLoopLayer's Inboxes ({LAYERS}); revisit that override."
    )
    await shared.group_add("clinic-1.callers", first)
    await shared.group_add("clinic-1.callers", second)
    raw = shared.serialize({"type": "threads.grew", "callers": [1, 2]})
    group_channel = loop_layer._get_group_channel_name("clinic-1.callers")
    loop_layer._shards[0]._receive_message({"channel": group_channel.encode(), "data": raw})
    assert loop_layer.channels[first]._queue[0] is raw and loop_layer.channels[second]._queue[0] is raw, (
        "channels_redis no longer puts the very same bytes of a group message in each member's queue with "
        f"put_nowait: SharedRedisPubSubLayer.deserialize ({LAYERS}) deserialises once per process because of "
        "it; revisit it."
    )
    calls = []
    original = RedisPubSubChannelLayer.deserialize

    def counted(self, message):
        calls.append(message)
        return original(self, message)

    RedisPubSubChannelLayer.deserialize = counted
    try:
        got = [await shared.receive(first), await shared.receive(second)]
    finally:
        RedisPubSubChannelLayer.deserialize = original
    assert got[0] == {"type": "threads.grew", "callers": [1, 2]} and got[0] is got[1], (
        "channels_redis' receive no longer takes from the channel's queue with get() and deserialises through "
        f"channel_layer.deserialize: SharedRedisPubSubLayer ({LAYERS}) shares one result; revisit it."
    )
    assert len(calls) == 1
    await loop_layer.flush()


def test_channels_redis_pubsub_channel_layer_has_what_shared_layer_relies_on():
    layer = RedisPubSubChannelLayer("a", hosts=["redis://127.0.0.1:1"])
    for name, value in (("_args", ("a",)), ("_kwargs", {"hosts": ["redis://127.0.0.1:1"]}), ("_layers", {})):
        assert getattr(layer, "__dict__", {}).get(name) == value, (
            f"channels_redis' RedisPubSubChannelLayer no longer keeps .{name} as {value!r}: "
            f"SharedRedisPubSubLayer._get_layer ({LAYERS}) makes the per-loop layer from _args, _kwargs "
            "and keeps it in _layers; revisit it."
        )
    for name, params in (("_get_layer", ["self"]), ("deserialize", ["self", "message"])):
        method = getattr(RedisPubSubChannelLayer, name, None)
        assert method is not None and parameters(method) == params, (
            f"channels_redis no longer has RedisPubSubChannelLayer.{name}{tuple(params[1:])}: "
            f"SharedRedisPubSubLayer ({LAYERS}) overrides it; revisit that override."
        )
    assert "obj._get_layer()" in inspect.getsource(pubsub._async_proxy), (
        "channels_redis' API calls (send, receive, group_add, ...) no longer go through _get_layer(): "
        f"SharedRedisPubSubLayer._get_layer ({LAYERS}) would not be used; revisit it."
    )


def test_channels_redis_wrap_close_flushes_the_loops_layer_when_the_loop_closes():
    assert parameters(_wrap_close) == ["proxy", "loop"], (
        "channels_redis.utils._wrap_close(proxy, loop) changed: SharedRedisPubSubLayer._get_layer "
        f"({LAYERS}) calls it as RedisPubSubChannelLayer._get_layer does; revisit it."
    )
    flushed = []

    class LoopLayer:
        async def flush(self):
            flushed.append(True)

    loop = asyncio.new_event_loop()
    proxy = SimpleNamespace(_layers={loop: LoopLayer()})
    _wrap_close(proxy, loop)
    with ThreadPoolExecutor(max_workers=1) as thread:  # Playwright's loop may be running in this one
        thread.submit(loop.close).result()
    assert flushed == [True] and proxy._layers == {}, (
        "channels_redis.utils._wrap_close no longer flushes the loop's layer and forgets it when the loop "
        f"closes: SharedRedisPubSubLayer._get_layer ({LAYERS}) relies on it; revisit it."
    )


def test_local_channel_layer_is_a_stock_in_memory_layer_still():
    # The test helpers (testkit/helpers.py) and Channels' own type checks see an InMemoryChannelLayer.
    assert issubclass(LocalChannelLayer, InMemoryChannelLayer)
    assert issubclass(_PubSubLoopLayer, RedisPubSubLoopLayer)
    assert issubclass(SharedRedisPubSubLayer, RedisPubSubChannelLayer)


# Django's SQLite backend (waitroom/server/sqlite/base.py) ----------------------------


def test_django_s_sqlite_backend_still_begins_and_ends_transactions_where_the_write_turn_is_taken():
    from django.db import connection
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.backends.sqlite3.base import DatabaseWrapper

    for name in ("_start_transaction_under_autocommit", "_commit", "_rollback", "_close"):
        assert parameters(getattr(DatabaseWrapper, name)) == ["self"], (
            f"Django's SQLite DatabaseWrapper.{name} changed: waitroom/server/sqlite/base.py takes or gives "
            "back the write turn there; revisit it."
        )
    source = inspect.getsource(BaseDatabaseWrapper.set_autocommit)
    assert "_start_transaction_under_autocommit()" in source, (
        "Django no longer begins a transaction with _start_transaction_under_autocommit: "
        "waitroom/server/sqlite/base.py takes the write turn there; revisit it."
    )
    for name, params in (("get_new_connection", ["self", "conn_params"]), ("is_in_memory_db", ["self"])):
        assert parameters(getattr(DatabaseWrapper, name)) == params, (
            f"Django's SQLite DatabaseWrapper.{name} changed: waitroom/server/sqlite/base.py sets up the "
            "checkpoints of each new connection there; revisit it."
        )
    assert "database" in DatabaseWrapper(
        {**connection.settings_dict, "NAME": "/tmp/contract.sqlite3"}
    ).get_connection_params(), (
        "Django's SQLite connection parameters no longer name the file as 'database': "
        "waitroom/server/sqlite/base.py watches that file's write-ahead log; revisit it."
    )
