"""The servers under test: the ceiling, and Waitroom on 1 or 2 processes."""

import json
import os
import secrets
from pathlib import Path

from testkit import protocol

from .client import Dashboard, Http
from .procs import HOST, PYTHON, ROOT, Seed, Server, free_port, proc_cpu_s, proc_rss_kb

UVICORN = ["-m", "uvicorn", "waitroom.asgi:application", "--lifespan", "off",
           "--ws-per-message-deflate", "false", "--no-access-log"]
# The websocket protocol of the stock server (bench/tunings.py): uvicorn's own,
# with the frame limit the tuned protocol applies (docs/realtime.md, close code 1009).
STOCK_WS = ["--ws", "websockets-sansio", "--ws-max-size", "131072"]
# The app's settings a shell might have set that would change what is measured:
# the servers run with the app's defaults (and the benchmark's own choices below).
UNSET = ("DEBUG", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "SECURE_COOKIES", "BEHIND_TLS_PROXY",
         "DATABASE_URL", "REDIS_URL", "REDIS_MAX_CONNECTIONS", "DB_CONN_MAX_AGE", "SITE_URL")


class Target:
    """A server under test: where pages connect, where staff send, which pids."""

    name = ""
    slug = "bench"

    def __init__(self, args, tmp):
        self.args, self.tmp = args, tmp
        self.servers = []
        self.ports = []

    @property
    def pids(self):
        return [s.pid for s in self.servers]

    def rss_kb(self):
        return [proc_rss_kb(pid) for pid in self.pids]

    def cpu_s(self):
        return sum(proc_cpu_s(pid) for pid in self.pids)

    def notify_path(self):
        return protocol.notify_path(self.slug)

    def stop(self):
        for server in self.servers:
            server.stop()


class Ceiling(Target):
    name = "ceiling"

    async def start(self):
        port, http_port = free_port(), free_port()
        server = Server("ceiling", [PYTHON, "-m", "bench.ceiling", "--port", str(port),
                                    "--http-port", str(http_port)], dict(os.environ), self.tmp)
        self.servers.append(server)
        await server.wait_port(port)
        await server.wait_port(http_port)
        self.ports = [port]
        self.http = Http(HOST, http_port)
        self.headers = {"Content-Type": "application/json"}
        self.next_id = 1

    async def callers(self, n):
        made = [(self.next_id + i, secrets.token_hex(16)) for i in range(n)]
        self.next_id += n
        await self.http.request("POST", "/bench/sessions", self.headers,
                                json.dumps({key: caller_id for caller_id, key in made}).encode())
        return made

def tuned_protocol(root):
    """The tuned uvicorn protocol of a source tree: waitroom/server/ since the
    server tuning moved there, realtime/ before (a --baseline may be older)."""
    if (Path(root) / "waitroom" / "server" / "protocol.py").exists():
        return "waitroom.server.protocol:PageProtocol"
    return "realtime.protocol:PageProtocol"


def recreate_postgres(url):
    """Drop and create the database the URL names: the benchmark's own."""
    import psycopg

    admin, name = url.rsplit("/", 1)
    if "bench" not in name:
        raise SystemExit(f"the benchmark drops and creates its database: {name!r} is not named as one of its own")
    with psycopg.connect(admin + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


class Waitroom(Target):
    """Waitroom: one process on SQLite, or `processes` on PostgreSQL + Redis.

    Its servers run from `root` (this tree, or a --baseline checkout) with
    `ws` (uvicorn's --ws arguments; the tree's tuned protocol unless --ws says
    otherwise) and `env` on top of the benchmark's own (bench/tunings.py)."""

    def __init__(self, args, tmp, processes, *, name=None, root=ROOT, ws=None, env=None, database=None):
        super().__init__(args, tmp)
        self.processes = processes
        self.name = name or ("waitroom-1p" if processes == 1 else f"waitroom-{processes}p")
        self.root = Path(root)
        self.ws = ws or ["--ws", args.ws or tuned_protocol(self.root)]
        self.env = {k: v for k, v in os.environ.items() if k not in UNSET and not k.startswith("WAITROOM_")}
        self.env.update(
            DJANGO_SETTINGS_MODULE="waitroom.settings",
            SECRET_KEY=args.secret_key,
            WAITROOM_VAR_DIR=str(tmp),
            WAITROOM_TEST_DB=str(Path(tmp) / "unused-test.sqlite3"),
            LOG_LEVEL=os.environ.get("LOG_LEVEL", "WARNING"),
            WAITROOM_ENTRIES_PER_ADDRESS="0",  # every simulated caller comes from this machine
            WAITROOM_ENTRIES_PER_CLINIC="0",
        )
        if args.conn_max_age is not None:
            self.env["DB_CONN_MAX_AGE"] = str(args.conn_max_age)
        self.env.update(item.split("=", 1) for item in args.server_env)
        self.env.update(env or {})
        if processes == 1:
            self.database = f"sqlite:///{Path(tmp) / (self.name + '.sqlite3')}"
            self.env.pop("REDIS_URL", None)
        else:
            self.database = database or args.postgres
            self.env["REDIS_URL"] = args.redis
            self.env["WAITROOM_CHANNEL_LAYER"] = args.channel_layer
        self.env["DATABASE_URL"] = self.database

    def describe(self):
        """What differs between this target's servers and the others'."""
        extra = {k: v for k, v in self.env.items() if k.startswith("WAITROOM_TUNED_")}
        return {"root": str(self.root), "ws": " ".join(self.ws), "env": extra, "database": self.database}

    async def prepare(self):
        """Database: (re)create, migrate (in the helper), clinic and staff."""
        if self.processes > 1:
            import redis

            redis.Redis.from_url(self.args.redis).flushdb()
            recreate_postgres(self.database)
        self.seed = await Seed().start(self.env, root=self.root)
        self.clinic = await self.seed.ask(op="clinic")
        self.slug = self.clinic["slug"]
        return self

    async def start(self):
        ports = [free_port() for _ in range(self.processes)]
        # The pool's pages all say they were served by the first process (as
        # behind one proxy they would be): the others trust that origin.
        env = dict(self.env, CSRF_TRUSTED_ORIGINS=f"http://{HOST}:{ports[0]}")
        for i, port in enumerate(ports):
            argv = [PYTHON] + UVICORN + self.ws + ["--host", HOST, "--port", str(port)]
            server = Server(f"{self.name}-{i + 1}", argv, env, self.tmp, cwd=self.root)
            self.servers.append(server)
            self.ports.append(port)
        for server, port in zip(self.servers, self.ports):
            await server.wait_port(port)
        staff = self.clinic
        self.http = Http(HOST, self.ports[0])
        self.headers = protocol.staff_headers(staff["staff_session"], staff["csrf_token"], f"http://{HOST}:{self.ports[0]}")

    async def callers(self, n):
        return [tuple(c) for c in (await self.seed.ask(op="callers", n=n))["callers"]]

    async def check_paths(self, pool):
        """One real entry through the form, that caller's socket, and the staff
        member's dashboard socket (kept open: staff notify from their dashboard)."""
        http = Http(HOST, self.ports[0])
        _, _, status, headers, _ = await http.request("GET", f"/w/{self.slug}/")
        cookies = dict(v.split(";", 1)[0].split("=", 1) for k, v in headers if k == "set-cookie")
        csrf = cookies.get(protocol.CSRF_COOKIE)
        assert status == 200 and csrf, f"GET /w/{self.slug}/ answered {status}"
        form = f"name=Real+Entry&csrfmiddlewaretoken={csrf}".encode()
        _, _, status, headers, _ = await http.request(
            "POST", f"/w/{self.slug}/",
            {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"{protocol.CSRF_COOKIE}={csrf}",
             "Origin": f"http://{HOST}:{self.ports[0]}"},
            form,
        )
        cookies.update(dict(v.split(";", 1)[0].split("=", 1) for k, v in headers if k == "set-cookie"))
        location = dict(headers).get("location", "")
        assert status == 302 and location.endswith("/wait/") and protocol.SESSION_COOKIE in cookies, (
            f"POST /w/{self.slug}/ answered {status} {location}")
        http.close()
        entered = await pool.connect([(0, cookies[protocol.SESSION_COOKIE], HOST, port, protocol.caller_path(self.slug))
                                      for port in self.ports[:1]])
        assert entered, f"the entered caller's socket failed: {dict(pool.connect_failures)}"
        for page in entered:
            pool.pages.remove(page)
            page.abort()
        pool.lost_pages.clear()
        dashboards = await pool.connect(
            [(0, self.clinic["staff_session"], HOST, self.ports[0], protocol.dashboard_path(self.slug))],
            page_class=Dashboard)
        assert dashboards, f"the staff dashboard socket failed: {dict(pool.connect_failures)}"
        pool.dashboard = dashboards[0]
        # Warm up the notify path (first request imports and caches).
        _, _, status, _, content = await self.http.request(
            "POST", self.notify_path(), self.headers, protocol.notify_body([1], "warm-up", "warm-up"))
        assert status in (200, 400), f"notify answered {status}: {content[:200]}"
        return True

    def kill(self, i):
        """Kill process i as a crash would (SIGKILL): no page is told."""
        self.servers[i].stop()

    async def restart(self, i):
        """Start process i again, on its port, with its database."""
        old = self.servers[i]
        server = Server(f"{old.name}-again", old.argv, old.env, old.logdir, cwd=old.cwd)
        self.servers[i] = server
        await server.wait_port(self.ports[i], timeout=60)
        if i == 0:
            self.http.close()
            self.http = Http(HOST, self.ports[0])
