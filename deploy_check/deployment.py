"""docs/deploy.md's "Many processes", done on this machine by a test: its own
database on the PostgreSQL at 127.0.0.1:5432, the Redis at 127.0.0.1:6379,
/etc/waitroom/env made from the docs' block (in a directory of the test's),
uvicorn processes started with the unit's own command line, and Debian's
nginx in front with TLS. Plus a browser's cookies over HTTPS."""

import http.cookies
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import psycopg
import pytest
import redis

from . import nginx
from .units import DEPLOY, Unit, documented_environment_file, read_environment_file

ROOT = Path(__file__).resolve().parent.parent
POSTGRES = "postgres://postgres@127.0.0.1:5432/"
DATABASE = "waitroom_deploy"
REDIS_URL = "redis://127.0.0.1:6379/0"
HOST = "localhost"
PASSWORD = secrets.token_urlsafe(12)  # the demo accounts' (manage.py demo)


def free_port(address="127.0.0.1"):
    with socket.socket() as s:
        s.bind((address, 0))
        return s.getsockname()[1]


def wait_for_port(address, port, process, log, seconds=30):
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection((address, port), timeout=0.5).close()
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"{process.args[0]} did not start on {address}:{port}:\n{Path(log).read_text()}")
            time.sleep(0.1)


def fresh_database():
    try:
        with psycopg.connect(POSTGRES + "postgres", autocommit=True, connect_timeout=5) as pg:
            pg.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
            pg.execute(f"CREATE DATABASE {DATABASE}")
    except psycopg.OperationalError as error:
        pytest.fail(f"The deployment test needs PostgreSQL at {POSTGRES} (user postgres, trust): {error}", pytrace=False)
    return POSTGRES + DATABASE


def drop_database():
    with psycopg.connect(POSTGRES + "postgres", autocommit=True, connect_timeout=5) as pg:
        pg.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


def check_redis():
    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=5).ping()
    except redis.RedisError as error:
        pytest.fail(f"The deployment test needs Redis at {REDIS_URL}: {error}", pytrace=False)


class Deployment:
    """Set up step by step as docs/deploy.md says; `stop()` takes it all down."""

    def __init__(self, directory):
        self.dir = directory
        self.https_port, self.http_port = free_port(), free_port()
        self.url = f"https://{HOST}:{self.https_port}"
        self.cert, self.key = nginx.self_signed_certificate(directory)
        self.processes = {}
        self.nginx = None

    # /etc/waitroom/env: the docs' block, with this machine's values after it (the later line wins).
    def write_environment(self, database_url):
        here = {
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": HOST,
            "CSRF_TRUSTED_ORIGINS": self.url,
            "SITE_URL": self.url,
            "DATABASE_URL": database_url,
            "REDIS_URL": REDIS_URL,
            "WAITROOM_VAR_DIR": str(self.dir),
        }
        text = documented_environment_file() + "".join(f"{k}={v}\n" for k, v in here.items())
        (self.dir / "env").write_text(text)
        self.env = read_environment_file(text)

    def process_env(self, **more):
        # What systemd gives a service: a bare environment, then the unit's and the file's.
        return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "PYTHONUNBUFFERED": "1",
                **self.env, **more}

    def manage(self, *args, **env):
        result = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.process_env(**env),
            capture_output=True, text=True, timeout=180,
        )
        assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stdout}{result.stderr}"
        return result.stdout

    def start_process(self, name, listen_address="127.0.0.1", port=None):
        """One `waitroom@PORT` as systemd starts it: the unit's ExecStart, its
        Environment= defaults, the environment file over them."""
        port = port or free_port(listen_address)
        unit = Unit(DEPLOY / "waitroom@.service")
        env = self.process_env(WAITROOM_LISTEN_ADDRESS=listen_address)
        argv = unit.command(str(port), env)
        venv_bin = "/srv/waitroom/app/.venv/bin/"
        assert argv[0].startswith(venv_bin)
        argv[0] = str(Path(sys.executable).parent / argv[0][len(venv_bin):])
        log = self.dir / f"{name}.log"
        with open(log, "a") as out:
            process = subprocess.Popen(argv, cwd=ROOT, env={**unit.environment(), **env}, stdout=out, stderr=subprocess.STDOUT)
        wait_for_port(listen_address, port, process, log)
        self.processes[name] = (process, listen_address, port)
        return f"{listen_address}:{port}"

    def kill(self, name):
        """Die as a crash does: no goodbye to any socket."""
        process = self.processes[name][0]
        process.kill()
        process.wait(10)

    def restart(self, name):
        _, address, port = self.processes[name]
        self.start_process(name, address, port)

    def start_nginx(self, upstreams):
        site = nginx.render_site(self.cert, self.key, upstreams=upstreams, http_port=self.http_port,
                                 https_port=self.https_port, static_root=self.dir / "static")
        (self.dir / "nginx").mkdir()
        conf = nginx.main_config(self.dir / "nginx", site)
        code, output = nginx.check(conf)
        assert code == 0, output
        self.nginx = nginx.Nginx(conf).start()
        wait_for_port("127.0.0.1", self.https_port, self.nginx.process, conf.parent / "logs" / "stderr.log")

    def logs(self):
        return "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in sorted(self.dir.rglob("*.log")))

    def stop(self):
        if self.nginx:
            self.nginx.stop()
        for process, _, _ in self.processes.values():
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(10)


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """Cookies kept, redirects not followed, the Origin of the site on a POST: as a browser sends them."""

    def __init__(self, base, context):
        self.base = base
        self.cookies = {}
        self.opener = urllib.request.build_opener(NoRedirects, urllib.request.HTTPSHandler(context=context))

    def request(self, path, data=None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if data is not None:
            headers["Origin"] = self.base
            headers["Referer"] = self.base + path
            data = urllib.parse.urlencode(data).encode()
        try:
            response = self.opener.open(urllib.request.Request(self.base + path, data=data, headers=headers), timeout=10)
        except urllib.error.HTTPError as error:  # 3xx and 4xx alike: the test reads them
            response = error
        for header in response.headers.get_all("Set-Cookie") or ():
            for name, morsel in http.cookies.SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, response.headers, response.read().decode()

    def submit(self, path, **fields):
        """GET the form, POST it back with its CSRF token."""
        status, _, page = self.request(path)
        assert status == 200, (path, status, page[:500])
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        return self.request(path, {"csrfmiddlewaretoken": token, **fields})
