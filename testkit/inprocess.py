"""Pages through the whole ASGI application in the test's own process
(Channels' WebsocketCommunicator): origin check, session and auth middleware,
routing — as a browser's socket goes, without a server process."""

from channels.testing import WebsocketCommunicator

from . import protocol

HOST = "testserver"  # Django's test client's host; the test settings allow it
ORIGIN = f"http://{HOST}"
FRAME = 3  # seconds to wait for a frame that must come


def handshake_headers(cookie=None, origin=ORIGIN, host=HOST, extra=()):
    """The ASGI headers of a browser's handshake: the Host it asked, its Origin
    and session cookie (and any `extra`)."""
    headers = [(b"host", host.encode())] if host is not None else []
    headers += list(extra)
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    if cookie is not None:
        headers.append((b"cookie", protocol.cookie_header(cookie).encode()))
    return headers


def communicator(application, path, cookie=None, origin=ORIGIN, host=HOST, headers=()):
    return WebsocketCommunicator(application, path, headers=handshake_headers(cookie, origin, host, headers))


async def open_page(communicator, kind=None, timeout=FRAME):
    """Connect and return the first frame, checked to be what this kind of page
    is greeted with (`hello` for a caller's or a call's, `snapshot` for a dashboard's)."""
    connected, code = await communicator.connect(timeout=timeout)
    assert connected, f"the socket was refused ({code})"
    frame = await communicator.receive_json_from(timeout=timeout)
    return protocol.expect_first(frame, kind or protocol.page_kind(communicator.scope["path"]))
