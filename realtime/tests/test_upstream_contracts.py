"""What PageConsumer takes from Channels' consumers beyond their documented API, checked.

realtime/consumers.py's PageConsumer replaces AsyncConsumer.__call__ (two
readers taking turns instead of a task per message) and dispatch (no hop to
the database thread per event), and builds on AsyncWebsocketConsumer's
connect, disconnect, send and close. These tests check what those overrides
rely on, so that a Channels upgrade that changes it fails here, naming the
file to revisit.
"""

import ast
import inspect
import textwrap

import pytest
from channels import DEFAULT_CHANNEL_LAYER
from channels.consumer import AsyncConsumer, get_handler_name
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncJsonWebsocketConsumer, AsyncWebsocketConsumer

from realtime.consumers import PageConsumer
from testkit.helpers import in_own_loop

CONSUMERS = "realtime/consumers.py"


def parameters(function):
    return list(inspect.signature(function).parameters)


def source_tree(function):
    return ast.parse(textwrap.dedent(inspect.getsource(function)))


def names_set_on_self(function):
    return {
        target.attr
        for node in ast.walk(source_tree(function))
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self"
    }


def names_read_on_self(cls):
    return {
        node.attr
        for node in ast.walk(source_tree(cls))
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self"
    }


class Recorded(AsyncJsonWebsocketConsumer):
    """A stock consumer whose socket is a list, and whose hooks say they ran."""

    def __init__(self):
        super().__init__()
        self.sent, self.ran = [], []

        async def base_send(message):
            self.sent.append(message)

        self.base_send = base_send

    async def connect(self):
        self.ran.append("connect")

    async def disconnect(self, code):
        self.ran.append(("disconnect", code))

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        self.ran.append(("receive", text_data, bytes_data))


def test_channels_async_consumer_has_what_page_consumer_call_and_dispatch_rely_on():
    assert parameters(AsyncConsumer.__call__) == ["self", "scope", "receive", "send"], (
        "Channels' AsyncConsumer.__call__ now takes "
        f"{parameters(AsyncConsumer.__call__)}: PageConsumer.__call__ ({CONSUMERS}) replaces it; revisit it."
    )
    assert getattr(AsyncConsumer, "channel_layer_alias", None) == DEFAULT_CHANNEL_LAYER, (
        "Channels' AsyncConsumer.channel_layer_alias is gone or changed: PageConsumer.__call__ "
        f"({CONSUMERS}) finds its channel layer by it; revisit it."
    )
    # What the stock __call__ sets up and the rest of Channels reads,
    # PageConsumer's must set up too (channel_receive only the stock __call__ reads).
    page_sets = names_set_on_self(PageConsumer.__call__)
    for name in names_set_on_self(AsyncConsumer.__call__) - {"channel_receive"}:
        assert name in page_sets, (
            f"Channels' AsyncConsumer.__call__ now sets self.{name}, which PageConsumer.__call__ "
            f"({CONSUMERS}) replaces without setting it; revisit that override."
        )
    for cls in (AsyncConsumer, AsyncWebsocketConsumer, AsyncJsonWebsocketConsumer):
        for method_name, method in vars(cls).items():
            if method_name == "__call__" or not inspect.isfunction(method):
                continue
            for name in names_read_on_self(method) - page_sets - {"groups"}:  # groups: __init__ sets it
                assert hasattr(PageConsumer, name), (
                    f"Channels' {cls.__name__}.{method_name} now reads self.{name}, which the stock __call__ "
                    f"sets up and PageConsumer.__call__ ({CONSUMERS}) does not; revisit that override."
                )
    # dispatch: PageConsumer's skips only the closing of old database
    # connections (its database calls do that themselves).
    called = {
        node.func.id if isinstance(node.func, ast.Name) else node.func.attr
        for node in ast.walk(source_tree(AsyncConsumer.dispatch))
        if isinstance(node, ast.Call)
    }
    extra = called - {"getattr", "get_handler_name", "aclose_old_connections", "handler", "ValueError"}
    assert not extra, (
        f"Channels' AsyncConsumer.dispatch now also calls {sorted(extra)}: PageConsumer.dispatch ({CONSUMERS}) "
        "replaces it with only the handler lookup and would skip that; revisit that override."
    )
    assert get_handler_name({"type": "websocket.receive"}) == "websocket_receive", (
        "channels.consumer.get_handler_name no longer maps 'websocket.receive' to 'websocket_receive': "
        f"PageConsumer.dispatch ({CONSUMERS}) finds handlers with it; revisit it."
    )
    with pytest.raises(ValueError):
        get_handler_name({})
    assert issubclass(StopConsumer, Exception), (
        f"channels.exceptions.StopConsumer changed: PageConsumer.__call__ ({CONSUMERS}) ends a page on it."
    )


@in_own_loop
async def test_channels_async_consumer_send_goes_to_base_send():
    consumer = Recorded()
    await AsyncConsumer.send(consumer, {"type": "websocket.send", "text": "x"})
    assert consumer.sent == [{"type": "websocket.send", "text": "x"}], (
        "Channels' AsyncConsumer.send no longer sends through self.base_send: PageConsumer.__call__ "
        f"({CONSUMERS}) sets base_send instead of the stock __call__; revisit it."
    )


def test_channels_websocket_consumer_has_what_page_consumer_overrides():
    methods = {
        "websocket_connect": ["self", "message"],
        "websocket_disconnect": ["self", "message"],
        "websocket_receive": ["self", "message"],
        "send": ["self", "text_data", "bytes_data", "close"],
        "close": ["self", "code", "reason"],
        "receive": ["self", "text_data", "bytes_data"],
    }
    for name, params in methods.items():
        method = getattr(AsyncWebsocketConsumer, name, None)
        assert method is not None and inspect.iscoroutinefunction(method), (
            f"Channels no longer has async AsyncWebsocketConsumer.{name}: PageConsumer ({CONSUMERS}) overrides "
            "it and calls super(); revisit that override."
        )
        assert parameters(method) == params, (
            f"Channels' AsyncWebsocketConsumer.{name} now takes {parameters(method)}, not {params}: "
            f"PageConsumer ({CONSUMERS}) overrides it with the old ones; revisit that override."
        )
    encode = inspect.getattr_static(AsyncJsonWebsocketConsumer, "encode_json")
    assert isinstance(encode, classmethod) and inspect.iscoroutinefunction(encode.__func__), (
        "Channels' AsyncJsonWebsocketConsumer.encode_json is no longer an async classmethod: "
        f"PageConsumer ({CONSUMERS}) overrides it; revisit that override."
    )


@in_own_loop
async def test_channels_websocket_consumer_connects_receives_sends_and_closes_as_page_consumer_expects(monkeypatch):
    async def no_database():  # disconnect closes old connections; no database here
        pass

    monkeypatch.setattr("channels.generic.websocket.aclose_old_connections", no_database)
    consumer = Recorded()
    await consumer.websocket_connect({"type": "websocket.connect"})
    assert consumer.ran == ["connect"], (
        "Channels' websocket_connect no longer calls self.connect(): PageConsumer.websocket_connect "
        f"({CONSUMERS}) sets up the frame budget and relies on it; revisit it."
    )
    await consumer.websocket_receive({"type": "websocket.receive", "text": "hi"})
    await consumer.websocket_receive({"type": "websocket.receive", "bytes": b"\x00"})
    assert consumer.ran[1:] == [("receive", "hi", None), ("receive", None, b"\x00")], (
        "Channels' websocket_receive no longer calls receive(text_data=...) / receive(bytes_data=...): "
        f"PageConsumer.receive ({CONSUMERS}) takes those; revisit it."
    )
    await consumer.send_json({"type": "heartbeat"})
    await consumer.close(code=4408)
    assert consumer.sent == [
        {"type": "websocket.send", "text": '{"type": "heartbeat"}'},
        {"type": "websocket.close", "code": 4408},
    ], (
        "Channels' send_json / send / close no longer send these ASGI messages through base_send: "
        f"PageConsumer.send and close ({CONSUMERS}) guard them with self.closed; revisit them."
    )
    with pytest.raises(StopConsumer):
        await consumer.websocket_disconnect({"type": "websocket.disconnect", "code": 1001})
    assert consumer.ran[-1] == ("disconnect", 1001), (
        "Channels' websocket_disconnect no longer calls disconnect(code) and then raises StopConsumer: "
        f"PageConsumer.__call__ ({CONSUMERS}) ends the page on StopConsumer; revisit it."
    )
