"""No line of the server's log names a caller's socket: uvicorn logs every
websocket handshake at INFO with the caller's address, their clinic's link
and the time, and (unless started with --no-access-log) every request. The
real server is started as e2e/ starts it — without --no-access-log — and its
log read after a caller came in and opened their page."""

import json
from pathlib import Path

import pytest
from django.test import Client
from websockets.sync.client import connect

from e2e.servers import Server
from testkit.helpers import enter

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def server(tmp_path, transactional_db):
    app = Server(tmp_path / "server.log", LOG_LEVEL="INFO").start()
    yield app
    app.stop()


def test_the_log_does_not_name_a_callers_socket(server, clinic):
    browser = Client()
    enter(browser, clinic, name="Ada Lovelace")  # the visit and its session, in the database the server reads
    cookie = browser.cookies["sessionid"].value
    url = server.url.replace("http", "ws", 1) + f"/ws/w/{clinic.slug}/"

    with connect(url, origin=server.url, additional_headers={"Cookie": f"sessionid={cookie}"}) as page:
        assert json.loads(page.recv(timeout=10))["type"] == "hello"
    # A page of another origin is refused: that handshake is not logged either.
    with pytest.raises(Exception):
        connect(url, origin="http://evil.example", additional_headers={"Cookie": f"sessionid={cookie}"}).close()
    server.stop()

    log = Path(server.log).read_text()
    assert "Uvicorn running" in log  # the log is written, and at INFO
    for trace in ("WebSocket", "/ws/", clinic.slug, "127.0.0.1:", "connection open", "connection closed"):
        assert trace not in log.replace(server.url, ""), (trace, log)
