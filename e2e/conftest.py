"""Browser tests: the real server (uvicorn, in its own process) on the test
database, driven by Debian's Chromium through Playwright."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url():
    """The test database, as the server process must reach it."""
    s = connection.settings_dict
    if s["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{s['NAME']}"
    user = s["USER"] or ""
    password = f":{s['PASSWORD']}" if s["PASSWORD"] else ""
    return f"postgres://{user}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture(scope="session")
def server(django_db_setup, django_db_blocker, tmp_path_factory):
    """The app as a clinic runs it: uvicorn serving the ASGI app. A separate
    process (not a fork of this one: see STACK-NOTES) on the test database."""
    port = free_port()
    log = tmp_path_factory.mktemp("server") / "server.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "WAITROOM_HEARTBEAT_SECONDS": "1",
        "WAITROOM_HEARTBEAT_TIMEOUT": "3",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("REDIS_URL", None)
    with open(log, "w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "waitroom.asgi:application", "--host", "127.0.0.1",
             "--port", str(port), "--lifespan", "off", "--ws-per-message-deflate", "false"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start:\n{log.read_text()}")
            time.sleep(0.1)
    yield url
    process.terminate()
    process.wait(10)


class QuickPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    """The same algorithm with few rounds, for the users the tests make: the
    server checks such a hash as it is (then stores a full-strength one)."""

    iterations = 1000


@pytest.fixture(autouse=True)
def quick_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["e2e.conftest.QuickPBKDF2PasswordHasher"]


@pytest.fixture
def live(server, transactional_db, monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the ORM calls a
    # test makes to arrange data are still plain synchronous calls.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # The server is another process with its own channel layer: what a test
    # arranges through the action functions reaches pages when they (re)load,
    # never live. Announcing it here could only fail (and log a traceback).
    monkeypatch.setattr("realtime.events._send", lambda group, event: None)
    return server


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--autoplay-policy=no-user-gesture-required",
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            "--allow-loopback-in-peer-connection",
        ],
    }


# Counts the tones the page's audible alert starts, so a test can tell that
# the alert really played (the page does not know it is being watched).
COUNT_TONES = """
  window.__tones = 0;
  const start = OscillatorNode.prototype.start;
  OscillatorNode.prototype.start = function (...args) { window.__tones += 1; return start.apply(this, args); };
"""


@pytest.fixture
def new_page(live, browser):
    """Pages in separate browser contexts: a caller and staff never share cookies."""
    contexts = []

    def make():
        context = browser.new_context(base_url=live)
        context.add_init_script(COUNT_TONES)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield make
    for context in contexts:
        context.close()
