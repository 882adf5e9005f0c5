"""Real server processes for tests: uvicorn serving the ASGI app on the test
database, each started fresh (spawned, never forked: see STACK-NOTES).

WAITROOM_SERVER_MODE chooses how: `tuned` (the default) as deployed, with our
websocket protocol, channel layers, heap policy, HTTP in threads and SQLite
writers in line (waitroom/server/); `stock` with uvicorn's own Sans-I/O
protocol, Channels' own layers and Django's own handler and backend, the
other supported mode (`make test-stock`)."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.db import connection

from realtime.limits import FRAME_MAX

ROOT = Path(__file__).resolve().parent.parent

MODES = {
    "tuned": {
        "ws": ["--ws", "waitroom.server.protocol:PageProtocol"],
        "env": {"WAITROOM_TUNED_LAYERS": "true", "WAITROOM_TUNED_HEAP": "true", "WAITROOM_TUNED_HTTP": "true",
                "WAITROOM_TUNED_SQLITE": "true"},
    },
    "stock": {
        # The tuned protocol's frame limit too, so that a frame past what any
        # page sends closes the socket (1009) in both modes.
        "ws": ["--ws", "websockets-sansio", "--ws-max-size", str(4 * FRAME_MAX)],
        "env": {"WAITROOM_TUNED_LAYERS": "false", "WAITROOM_TUNED_HEAP": "false", "WAITROOM_TUNED_HTTP": "false",
                "WAITROOM_TUNED_SQLITE": "false"},
    },
}


def server_mode():
    mode = os.environ.get("WAITROOM_SERVER_MODE") or "tuned"
    if mode not in MODES:
        raise ValueError(f"WAITROOM_SERVER_MODE is one of {', '.join(MODES)}, not {mode!r}")
    return MODES[mode]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url():
    """The test database, as a server process must reach it."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    user = s["USER"] or ""
    password = f":{s['PASSWORD']}" if s["PASSWORD"] else ""
    return f"postgres://{user}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def wait_for_port(port, process, log, seconds=30):
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{process.args[0]} did not start:\n{Path(log).read_text()}")
            time.sleep(0.1)


class Server:
    """One uvicorn process of the app."""

    def __init__(self, log, redis_url=None, **env):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.mode = server_mode()
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "WAITROOM_HEARTBEAT_SECONDS": "1",
            "WAITROOM_HEARTBEAT_TIMEOUT": "6",  # a page silent this long is gone; a busy CI machine stalls a tab 3 s
            # Every browser of every test comes from 127.0.0.1, for as long as the server runs.
            "WAITROOM_ENTRIES_PER_ADDRESS": "0",
            "WAITROOM_ENTRIES_PER_CLINIC": "0",
            "PYTHONUNBUFFERED": "1",
            # Passkeys: browsers refuse 127.0.0.1 as a relying party; the
            # passkey tests open the same server as http://localhost:PORT.
            "WEBAUTHN_RP_ID": "localhost",
            "WEBAUTHN_ORIGINS": f"http://localhost:{self.port}",
            **self.mode["env"],
            **env,
        }
        self.env.pop("REDIS_URL", None)
        if redis_url:
            self.env["REDIS_URL"] = redis_url
        self.process = None

    def start(self):
        with open(self.log, "a") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "waitroom.asgi:application", "--host", "127.0.0.1",
                 "--port", str(self.port), "--lifespan", "off",
                 *self.mode["ws"], "--ws-per-message-deflate", "false"],
                cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
            )
        wait_for_port(self.port, self.process, self.log)
        return self

    def kill(self):
        """Die as a crash does: no goodbye to any socket."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


class RedisServer:
    """A Redis of the test's own, so that it can be restarted mid-test."""

    def __init__(self, log):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log = log
        self.process = None

    def start(self):
        with open(self.log, "a") as out:
            self.process = subprocess.Popen(
                ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                stdout=out, stderr=subprocess.STDOUT,
            )
        wait_for_port(self.port, self.process, self.log)
        return self

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
