"""`make bench`: Waitroom's real server against a bare-websockets ceiling.

    .venv/bin/python -m bench.run              # the full run (< 10 minutes), writes docs/benchmarks.md
    .venv/bin/python -m bench.run --quick      # small N, ~3 minutes; writes its report to the temp dir

This process is the ONE client: it holds every simulated caller page (see
bench/client.py), sends the staff member's requests, and times both on one
clock. It starts, in turn:

1. the ceiling (bench/ceiling.py), one process;
2. Waitroom, one uvicorn process on a fresh SQLite file in a temp dir, with the
   in-memory channel layer;
3. Waitroom, two uvicorn processes on a fresh PostgreSQL database
   (waitroom_bench, or BENCH_DATABASE_URL's) and Redis (a spare database
   number, flushed first), the callers split evenly across the two ports, the
   staff member on the first;
4. with --baseline PATH, right after 2. and 3. each, the same with servers
   from that checkout;
5. with --tunings, 1 process at one N once for each server tuning switched off
   (bench/tunings.py).

and for each size N measures notify-all (median over rounds of the time from
the staff POST until the LAST caller has the message), notify-one (p50/p99 of
POST to that caller's receipt, N-1 callers idle) and the server's memory per
idle caller. Pages are connected incrementally (1,000, then 4,000 more, ...).
See docs/benchmarks.md for what the figures mean.

The parts: procs.py (the processes it starts, /proc), targets.py (the servers
under test), measure.py (connect rate, memory, notify-all, notify-one),
hold.py (2 processes holding 20,000), tunings.py, conditions.py (machine,
versions), report.py (docs/benchmarks.md); this module orders them.
"""

import argparse
import asyncio
import json
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

from waitroom.server.heap import collect_young_regularly, keep_full_collections_short

from . import tunings
from .client import Pool, clock
from .conditions import machine, postgres_connections, versions
from .hold import hold
from .measure import measure
from .procs import HOST, ROOT, log, machine_busy_s, raise_nofile
from .profile import Profiler
from .targets import Ceiling, Waitroom

# Today's database by default; BENCH_DATABASE_URL gives a run a database of its
# own (several benchmarks on one PostgreSQL). It is dropped and created: its name must say "bench".
POSTGRES = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/waitroom_bench")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")


<<<<<<< HEAD
async def run_target(target, args, sizes, *, rounds, samples, one=True, contrast=True, receipts):
=======
def log(*args):
    print(time.strftime("%H:%M:%S"), *args, flush=True)


# Processes ------------------------------------------------------------------


def raise_nofile():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    for want in (1_048_576, 262_144, 65_536):
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (want, want))
            break
        except (ValueError, OSError):
            continue
    else:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)


def free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def proc_rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def proc_cpu_s(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def client_cpu_s():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def machine_busy_s():
    """CPU seconds all processes of the machine have used (from /proc/stat)."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    user, nice, system, idle, iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


class Usage:
    """CPU use over a phase, in cores: the whole machine, and this benchmark's
    own processes (client + servers). The rest is other work on the machine
    (and, for the PostgreSQL run, PostgreSQL and Redis)."""

    def __init__(self, target):
        self.target = target
        self.wall, self.machine, self.client, self.server = clock(), machine_busy_s(), client_cpu_s(), target.cpu_s()

    def done(self):
        wall = clock() - self.wall
        server = (self.target.cpu_s() - self.server) / wall
        client = (client_cpu_s() - self.client) / wall
        machine = (machine_busy_s() - self.machine) / wall
        return {"seconds": wall, "server_cores": server, "client_cores": client, "machine_cores": machine,
                "other_cores": max(0.0, machine - server - client)}


class Server:
    """A child process whose output goes to a log file in the temp dir."""

    def __init__(self, name, argv, env, logdir):
        self.name = name
        self.log_path = Path(logdir) / f"{name}.log"
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)

    @property
    def pid(self):
        return self.proc.pid

    async def wait_port(self, port, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited: see {self.log_path}")
            try:
                _, writer = await asyncio.open_connection(HOST, port)
                writer.close()
                return
            except OSError:
                await asyncio.sleep(0.1)
        raise RuntimeError(f"{self.name} did not listen on {port}: see {self.log_path}")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()  # a clean shutdown would mark thousands of callers Offline first
            self.proc.wait()
        self.log.close()


class Seed:
    """The bulk set-up helper (bench/seed.py) for one database."""

    async def start(self, env, recreate_postgres=False):
        argv = [PYTHON, "-m", "bench.seed"] + (["--recreate-postgres"] if recreate_postgres else [])
        self.proc = await asyncio.create_subprocess_exec(
            *argv, cwd=ROOT, env=env, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, limit=2**26
        )
        self.ready = await self._read()
        return self

    async def _read(self):
        line = await self.proc.stdout.readline()
        if not line:
            raise RuntimeError("bench.seed stopped (its error is above)")
        return json.loads(line)

    async def ask(self, **request):
        self.proc.stdin.write((json.dumps(request) + "\n").encode())
        await self.proc.stdin.drain()
        return await self._read()

    async def stop(self):
        if self.proc.returncode is None:
            self.proc.stdin.write(b'{"op": "quit"}\n')
            self.proc.stdin.close()
            await self.proc.wait()


# Targets --------------------------------------------------------------------


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
        return f"/clinics/{self.slug}/notify/"

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

class Waitroom(Target):
    """Waitroom: one process on SQLite, or `processes` on PostgreSQL + Redis."""

    def __init__(self, args, tmp, processes):
        super().__init__(args, tmp)
        self.processes = processes
        self.name = "waitroom-1p" if processes == 1 else f"waitroom-{processes}p"
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
        if processes == 1:
            self.env["DATABASE_URL"] = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
            self.env.pop("REDIS_URL", None)
        else:
            self.env["DATABASE_URL"] = args.postgres
            self.env["REDIS_URL"] = args.redis
            self.env["WAITROOM_CHANNEL_LAYER"] = args.channel_layer

    async def prepare(self):
        """Database: (re)create, migrate (in the helper), clinic and staff."""
        if self.processes > 1:
            import redis

            redis.Redis.from_url(self.args.redis).flushdb()
        self.seed = await Seed().start(self.env, recreate_postgres=self.processes > 1)
        self.clinic = await self.seed.ask(op="clinic")
        self.slug = self.clinic["slug"]
        return self

    async def start(self):
        ports = [free_port() for _ in range(self.processes)]
        # The pool's pages all say they were served by the first process (as
        # behind one proxy they would be): the others trust that origin.
        env = dict(self.env, CSRF_TRUSTED_ORIGINS=f"http://{HOST}:{ports[0]}")
        for i, port in enumerate(ports):
            server = Server(f"{self.name}-{i + 1}", [PYTHON] + UVICORN + ["--ws", self.args.ws, "--host", HOST, "--port", str(port)],
                            env, self.tmp)
            self.servers.append(server)
            self.ports.append(port)
        for server, port in zip(self.servers, self.ports):
            await server.wait_port(port)
        staff = self.clinic
        self.http = Http(HOST, self.ports[0])
        self.staff_cookie = f"sessionid={staff['staff_session']}; csrftoken={staff['csrf_token']}"
        self.headers = {
            "Content-Type": "application/json",
            "Cookie": self.staff_cookie,
            "X-CSRFToken": staff["csrf_token"],
            "Origin": f"http://{HOST}:{self.ports[0]}",
        }

    async def callers(self, n):
        return [tuple(c) for c in (await self.seed.ask(op="callers", n=n))["callers"]]

    async def check_paths(self, pool):
        """One real entry through the form, that caller's socket, and the staff
        member's dashboard socket (kept open: staff notify from their dashboard)."""
        http = Http(HOST, self.ports[0])
        _, _, status, headers, _ = await http.request("GET", f"/w/{self.slug}/")
        cookies = dict(v.split(";", 1)[0].split("=", 1) for k, v in headers if k == "set-cookie")
        assert status == 200 and "csrftoken" in cookies, f"GET /w/{self.slug}/ answered {status}"
        form = f"name=Real+Entry&csrfmiddlewaretoken={cookies['csrftoken']}".encode()
        _, _, status, headers, _ = await http.request(
            "POST", f"/w/{self.slug}/",
            {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={cookies['csrftoken']}",
             "Origin": f"http://{HOST}:{self.ports[0]}"},
            form,
        )
        cookies.update(dict(v.split(";", 1)[0].split("=", 1) for k, v in headers if k == "set-cookie"))
        location = dict(headers).get("location", "")
        assert status == 302 and location.endswith("/wait/") and "sessionid" in cookies, (
            f"POST /w/{self.slug}/ answered {status} {location}")
        http.close()
        entered = await pool.connect([(0, cookies["sessionid"], HOST, port, f"/ws/w/{self.slug}/")
                                      for port in self.ports[:1]])
        assert entered, f"the entered caller's socket failed: {dict(pool.connect_failures)}"
        for page in entered:
            pool.pages.remove(page)
            page.abort()
        pool.lost_pages.clear()
        dashboards = await pool.connect(
            [(0, self.clinic["staff_session"], HOST, self.ports[0], f"/ws/clinics/{self.slug}/")], page_class=Dashboard)
        assert dashboards, f"the staff dashboard socket failed: {dict(pool.connect_failures)}"
        pool.dashboard = dashboards[0]
        # Warm up the notify path (first request imports and caches).
        _, _, status, _, content = await self.http.request(
            "POST", self.notify_path(), self.headers,
            json.dumps({"caller_ids": [1], "body": "warm-up", "client_id": "warm-up"}).encode())
        assert status in (200, 400), f"notify answered {status}: {content[:200]}"
        return True

# Measurements ----------------------------------------------------------------


def pct(values, p):
    values = sorted(values)
    if not values:
        return None
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


async def grow(target, pool, n, args):
    """Connect pages until `n` are open (or too many fail: then the stage is
    measured with what did connect); returns the seconds it took."""
    started = clock()
    ports = target.ports
    failed_before = sum(pool.connect_failures.values())
    while len(pool.pages) < n:
        want = min(CHUNK, n - len(pool.pages))
        made = await target.callers(want)
        base = len(pool.pages)
        items = [(cid, key, HOST, ports[(base + i) % len(ports)], f"/ws/w/{target.slug}/")
                 for i, (cid, key) in enumerate(made)]
        await pool.connect(items, concurrency=args.connect_concurrency)
        failed = sum(pool.connect_failures.values()) - failed_before
        if failed > max(50, n // 20):
            log(f"{target.name}: {failed} connects failed ({dict(pool.connect_failures)}): measuring with "
                f"{len(pool.pages):,} pages")
            break
    return clock() - started


async def notify_all(target, pool, rounds, args):
    ids = [p.caller_id for p in pool.pages]
    out = []
    for i in range(rounds):
        body = json.dumps({"caller_ids": ids, "body": f"Notice {i} to all: the clinic runs 10 minutes late.",
                           "client_id": uuid.uuid4().hex}).encode()
        r = Round(len(pool.pages))
        for page in pool.pages:
            page.round = r
        receipts_from = pool.dashboard.receipt_frames if pool.dashboard else 0
        cpu0 = target.cpu_s()
        request = asyncio.ensure_future(target.http.request("POST", target.notify_path(), target.headers, body))
        try:
            await asyncio.wait_for(asyncio.shield(r.done), args.round_timeout)
        except asyncio.TimeoutError:
            pass
        sent_at, answered_at, status, _, content = await request
        for page in pool.pages:
            page.round = None
        row = {
            "last_ms": (r.last - sent_at) * 1000 if r.remaining == 0 else None,
            "first_ms": (min(r.times) - sent_at) * 1000 if r.times else None,
            "median_page_ms": (statistics.median(r.times) - sent_at) * 1000 if r.times else None,
            "response_ms": (answered_at - sent_at) * 1000,
            "status": status,
            "missing": r.remaining,
        }
        if status != 200:
            row["error"] = content[:300].decode(errors="replace")
        if pool.receipts and pool.dashboard:
            row["receipts_stored"] = await pool.dashboard.wait_receipts(
                receipts_from + len(r.times), min(30.0, args.round_timeout))
            row["receipts_done_ms"] = (clock() - sent_at) * 1000
            row["receipt_frames"] = pool.dashboard.receipt_frames - receipts_from
        row["server_cpu_ms"] = (target.cpu_s() - cpu0) * 1000
        out.append(row)
        if sum(row["last_ms"] is None for row in out) >= 2:
            break  # the server is not keeping up: the time is better spent elsewhere
        await asyncio.sleep(args.pause)
    good = [row["last_ms"] for row in out if row["last_ms"] is not None]
    done = [row["receipts_done_ms"] for row in out if row.get("receipts_stored")]
    return {
        "rounds": out,
        "median_ms": statistics.median(good) if good else None,
        "min_ms": min(good) if good else None,
        "max_ms": max(good) if good else None,
        "median_response_ms": statistics.median(row["response_ms"] for row in out),
        "median_server_cpu_ms": statistics.median(row["server_cpu_ms"] for row in out),
        "failed_rounds": sum(row["last_ms"] is None for row in out),
        "median_receipts_done_ms": statistics.median(done) if done else None,
    }


async def notify_one(target, pool, samples, args):
    rng = random.Random(4)
    latencies, responses, failures = [], [], 0
    for i in range(samples):
        page = rng.choice(pool.pages)
        body = json.dumps({"caller_ids": [page.caller_id], "body": f"Message {i}: the doctor is ready for you.",
                           "client_id": uuid.uuid4().hex}).encode()
        r = Round(1)
        page.round = r
        request = asyncio.ensure_future(target.http.request("POST", target.notify_path(), target.headers, body))
        try:
            await asyncio.wait_for(asyncio.shield(r.done), 10)
        except asyncio.TimeoutError:
            pass
        sent_at, answered_at, status, _, _ = await request
        page.round = None
        if r.remaining or status != 200:
            failures += 1
            if failures >= 10:
                break  # the server is not keeping up: report what was measured
        else:
            latencies.append((r.last - sent_at) * 1000)
            responses.append((answered_at - sent_at) * 1000)
        # (Its receipt is written with the others' in the server's next second: not waited for.)
        await asyncio.sleep(0.01 + rng.random() * 0.02)
    return {
        "samples": len(latencies),
        "failures": failures,
        "p50_ms": pct(latencies, 50),
        "p99_ms": pct(latencies, 99),
        "max_ms": max(latencies) if latencies else None,
        "p50_response_ms": pct(responses, 50),
    }


async def measure(target, pool, sizes, args, *, rounds, samples, one=True):
    """Grow to each size in turn; memory, notify-all, notify-one at each."""
    await asyncio.sleep(1)
    base_rss = target.rss_kb()
    base_pages = len(pool.pages)
    stages = []
    for n in sizes:
        log(f"{target.name}: connecting to N={n:,}")
        usage, before, handshakes0 = Usage(target), len(pool.pages), len(pool.handshakes)
        async with args.profiler.phase(f"connect-{n}", target.servers):
            seconds = await grow(target, pool, n, args)
        connect_usage = usage.done()
        handshakes = pool.handshakes[handshakes0:]
        await asyncio.sleep(args.settle)
        rss = target.rss_kb()
        stage = {
            "n": len(pool.pages),
            "connect_s": seconds,
            "connect_rate": (len(pool.pages) - before) / seconds if seconds else None,
            "connect_usage": connect_usage,
            "rss_kb": rss,
            "base_rss_kb": base_rss,
            "kb_per_caller": (sum(rss) - sum(base_rss)) / max(1, len(pool.pages) - base_pages),
            "connect_failures": dict(pool.connect_failures),
            "handshake_p50_s": pct(handshakes, 50),
            "handshake_p99_s": pct(handshakes, 99),
            "handshake_max_s": max(handshakes) if handshakes else None,
            "loadavg": os.getloadavg()[0],
        }
        log(f"{target.name}: N={stage['n']:,} connected in {seconds:.1f} s ({stage['connect_rate']:.0f}/s, "
            f"server {connect_usage['server_cores']:.2f} cores, others {connect_usage['other_cores']:.2f}; handshake p50 "
            f"{fmt(stage['handshake_p50_s'], 2)} s, max {fmt(stage['handshake_max_s'], 2)} s); "
            f"{stage['kb_per_caller']:.1f} KB per caller (RSS {sum(rss) / 1024:.0f} MB)")
        usage = Usage(target)
        async with args.profiler.phase(f"notify-all-{n}", target.servers):
            stage["notify_all"] = await notify_all(target, pool, rounds, args)
        stage["notify_all"]["usage"] = usage.done()
        log(f"{target.name}: N={stage['n']:,} notify-all median {fmt(stage['notify_all']['median_ms'])} ms "
            f"(response {fmt(stage['notify_all']['median_response_ms'])} ms, "
            f"failed rounds {stage['notify_all']['failed_rounds']})")
        if one:
            usage = Usage(target)
            async with args.profiler.phase(f"notify-one-{n}", target.servers):
                stage["notify_one"] = await notify_one(target, pool, samples, args)
            stage["notify_one"]["usage"] = usage.done()
            log(f"{target.name}: N={stage['n']:,} notify-one p50 {fmt(stage['notify_one']['p50_ms'])} ms, "
                f"p99 {fmt(stage['notify_one']['p99_ms'])} ms")
        if n == sizes[0] and args.contrast_rounds:
            # The same rounds with the pages' receipts the other way, at the smallest N:
            # what receipts add (they cost the server a write each, gathered per second).
            pool.receipts = not pool.receipts
            async with args.profiler.phase(f"contrast-{n}", target.servers):
                stage["contrast"] = await notify_all(target, pool, args.contrast_rounds, args)
            stage["contrast"]["receipts"] = pool.receipts
            pool.receipts = not pool.receipts
            log(f"{target.name}: N={stage['n']:,} with receipts {'on' if stage['contrast']['receipts'] else 'off'}: "
                f"notify-all median {fmt(stage['contrast']['median_ms'])} ms"
                + (f", all receipts stored after {fmt(stage['contrast'].get('median_receipts_done_ms'))} ms"
                   if stage["contrast"]["receipts"] and pool.dashboard else ""))
        stage["out_of_order"] = pool.out_of_order
        stage["lost_pages"] = len(pool.lost_pages)
        stage["lost_codes"] = dict(collections.Counter(str(code) for code in (p[1] for p in pool.lost_pages)))
        stage["lost_detail"] = lost_detail(pool.lost_pages)
        stage["reconnects"] = pool.reconnects
        if pool.lost_pages:
            log(f"{target.name}: the server closed {len(pool.lost_pages)} pages: {stage['lost_codes']} "
                f"{stage['lost_detail']} (min/median/max s); they reconnected {pool.reconnects} times")
        stages.append(stage)
    return stages


def lost_detail(lost):
    """How long after their hello, and after their last frame sent, the server closed pages."""
    if not lost:
        return {}
    after_hello = [p[2] for p in lost]
    after_sent = [p[3] for p in lost if p[3] is not None]
    return {
        "after_hello_s": [round(min(after_hello), 2), round(pct(after_hello, 50), 2), round(max(after_hello), 2)],
        "after_last_sent_s": [round(min(after_sent), 2), round(pct(after_sent, 50), 2), round(max(after_sent), 2)]
        if after_sent else None,
        "had_sent_since_hello": len(after_sent),
    }


def fmt(value, digits=1):
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}"


# The run ---------------------------------------------------------------------


class Holder:
    """bench/holder.py: a second client process, for more pages than one process may hold."""

    async def start(self, origin, receipts):
        self.proc = await asyncio.create_subprocess_exec(
            PYTHON, "-m", "bench.holder", cwd=ROOT, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            limit=2**26)
        await self.ask(origin=origin, receipts=receipts)
        return self

    async def ask(self, **request):
        self.proc.stdin.write((json.dumps(request) + "\n").encode())
        await self.proc.stdin.drain()
        return await self.read()

    async def read(self):
        line = await self.proc.stdout.readline()
        if not line:
            raise RuntimeError("bench.holder stopped (its error is above)")
        return json.loads(line)

    async def stop(self):
        if self.proc.returncode is None:
            self.proc.stdin.write(b'{"quit": true}\n')
            self.proc.stdin.close()
            await self.proc.wait()


def remaining(args):
    return args.budget - (time.time() - args.started) if args.budget else float("inf")


async def hold(target, pool, args, stages):
    """'Two processes hold 20,000 callers': grow to args.hold pages across both
    server processes (the pages past this process's file limit are held by a
    second client process), hold them, and time a few notify-all rounds to all."""
    need = args.hold - len(pool.pages)
    last = stages[-1]
    estimate = (need / max(1.0, last["connect_rate"] or 1.0) + args.hold_seconds
                + args.hold_rounds * 2 * (last["notify_all"]["median_ms"] or 10_000) / 1000 + 15)
    if estimate > remaining(args):
        note = (f"skipped: it would take about {estimate:.0f} s and {max(0, remaining(args)):.0f} s of the "
                f"{args.budget} s budget are left (--budget 0 or a larger one runs it)")
        log(f"{target.name}: hold {args.hold:,} {note}")
        return {"skipped": note, "estimate_s": estimate}
    log(f"{target.name}: connecting {need:,} more pages from a second client process, to {args.hold:,}")
    holder = await Holder().start(pool.origin, pool.receipts)
    try:
        usage, started, held_ids, failures = Usage(target), clock(), [], 0
        base = len(pool.pages)
        while len(held_ids) < need:
            made = await target.callers(min(CHUNK, need - len(held_ids)))
            items = [[cid, key, HOST, target.ports[(base + len(held_ids) + i) % len(target.ports)],
                      f"/ws/w/{target.slug}/"] for i, (cid, key) in enumerate(made)]
            answer = await holder.ask(connect=items, concurrency=args.connect_concurrency)
            failures += answer["failures"]
            held_ids += [item[0] for item in items]
            if failures > max(50, need // 100):
                raise RuntimeError(f"the holder's connects fail: {failures}")
        result = {"connect_s": clock() - started, "connect_usage": usage.done(), "connect_failures": failures}
        log(f"{target.name}: {len(pool.pages) + len(held_ids):,} pages connected; holding {args.hold_seconds:.0f} s")
        await asyncio.sleep(args.hold_seconds)
        stats = await holder.ask(stats=True)
        result["rss_kb"] = target.rss_kb()
        result["open"] = sum(p.open for p in pool.pages) + stats["open"]
        result["pages"] = len(pool.pages) + stats["pages"]
        ids = [p.caller_id for p in pool.pages] + held_ids
        rounds = []
        for i in range(args.hold_rounds):
            body = json.dumps({"caller_ids": ids, "body": f"Notice {i} to all {len(ids)}.",
                               "client_id": uuid.uuid4().hex}).encode()
            r = Round(len(pool.pages))
            for page in pool.pages:
                page.round = r
            await holder.ask(arm=True, timeout=args.round_timeout)
            request = asyncio.ensure_future(target.http.request("POST", target.notify_path(), target.headers, body))
            theirs = asyncio.ensure_future(holder.read())
            try:
                await asyncio.wait_for(asyncio.shield(r.done), args.round_timeout)
            except asyncio.TimeoutError:
                pass
            sent_at, answered_at, status, _, _ = await request
            other = await theirs
            for page in pool.pages:
                page.round = None
            complete = r.remaining == 0 and other["last"] is not None
            rounds.append({
                "last_ms": (max(r.last, other["last"]) - sent_at) * 1000 if complete else None,
                "response_ms": (answered_at - sent_at) * 1000,
                "status": status,
                "missing": r.remaining + other["remaining"],
            })
            log(f"{target.name}: notify-all to {len(ids):,}: last page after {fmt(rounds[-1]['last_ms'])} ms "
                f"({rounds[-1]['missing']} missing)")
            await asyncio.sleep(args.pause)
        good = [row["last_ms"] for row in rounds if row["last_ms"] is not None]
        result["notify_all"] = {"rounds": rounds, "median_ms": statistics.median(good) if good else None}
        stats = await holder.ask(stats=True)
        result["open_after"] = sum(p.open for p in pool.pages) + stats["open"]
        result["lost"] = len(pool.lost_pages) + len(stats["lost"])
        result["lost_codes"] = dict(collections.Counter(
            [str(p[1]) for p in pool.lost_pages] + [str(p[0]) for p in stats["lost"]]))
        result["out_of_order"] = pool.out_of_order + stats["out_of_order"]
        log(f"{target.name}: held {result['open_after']:,} of {result['pages']:,} pages open "
            f"(RSS {[round(k / 1024) for k in result['rss_kb']]} MB)")
        return result
    finally:
        target.stop()  # before the holder's pages close (see run_target)
        await holder.stop()


async def run_target(target, args, sizes, *, rounds, samples, one=True, receipts):
>>>>>>> hardening
    pool = Pool(origin=None, receipts=receipts)
    try:
        await target.start()
        pool.origin = f"http://{HOST}:{target.ports[0]}"  # as a page served by the first process would say
        if isinstance(target, Waitroom):
            await target.check_paths(pool)
            log(f"{target.name}: real entry through POST /w/{target.slug}/ and its socket work; dashboard open")
        stages = await measure(target, pool, sizes, args, rounds=rounds, samples=samples, one=one, contrast=contrast)
        result = {"target": target.name, "pids": target.pids, "stages": stages,
                  "others": dict(pool.others), "logs": [str(s.log_path) for s in target.servers]}
        if isinstance(target, Waitroom):
            result["server"] = target.describe()
        if isinstance(target, Waitroom) and target.processes > 1:
            result["postgres_connections"] = postgres_connections(target.database)
            if args.hold > len(pool.pages) and target.name == "waitroom-2p":
                result["hold"] = await hold(target, pool, args, stages)
        return result
    finally:
        target.stop()  # servers first: pages closing would make them write Offline for each
        pool.abort_all()
        if isinstance(target, Waitroom):
            await target.seed.stop()
        await asyncio.sleep(0.5)


async def main(args):
    nofile = raise_nofile()
    collect_young_regularly(asyncio.get_running_loop())  # as in the servers (waitroom/server/heap.py)
    tmp = Path(tempfile.mkdtemp(prefix="waitroom-bench-"))
    log(f"temp dir {tmp}; RLIMIT_NOFILE {nofile}")
    started = time.time()
    report = {"machine": machine(), "versions": versions(args), "args": vars(args).copy(), "results": {}}
    busy0, wall0 = machine_busy_s(), clock()
    await asyncio.sleep(2)
    report["machine"]["busy_before_cores"] = (machine_busy_s() - busy0) / (clock() - wall0)
    if report["machine"]["busy_before_cores"] > 0.5:
        log(f"the machine is busy before the run ({report['machine']['busy_before_cores']:.1f} of "
            f"{os.cpu_count()} cores in use): the figures will be disturbed")
    report["args"].pop("secret_key")
    report["args"].pop("profiler")
    report["args"].pop("started")
    report["command"] = " ".join(["python -m bench.run"] + sys.argv[1:])
    receipts = args.receipts == "on"
    try:
        plan = []  # (target, sizes, options), in the order they are measured
        if "ceiling" in args.only:
            plan.append((Ceiling(args, tmp), args.sizes, {}))
        if "waitroom" in args.only:
            plan.append((Waitroom(args, tmp, 1), args.sizes, {}))
            if args.baseline:  # back to back with its twin: the same minutes of the machine
                plan.append((Waitroom(args, tmp, 1, name="baseline-1p", root=args.baseline), args.sizes, {}))
        if "two" in args.only and args.two_sizes:
            plan.append((Waitroom(args, tmp, 2), args.two_sizes, {}))
            if args.baseline:
                plan.append((Waitroom(args, tmp, 2, name="baseline-2p", root=args.baseline,
                                      database=args.postgres + "_baseline"), args.two_sizes, {}))
        if "tunings" in args.only:
            plan += [(t, [args.tunings_n], {"rounds": args.tunings_rounds, "contrast": False})
                     for t in tunings.targets(args, tmp)]
        # Every database is set up before anything is measured (the helpers migrate in parallel).
        await asyncio.gather(*(t.prepare() for t, _, _ in plan if isinstance(t, Waitroom)))
        log("databases migrated and seeded (clinic, staff)")
        for target, target_sizes, options in plan:
            report["results"][target.name] = await run_target(
                target, args, target_sizes, rounds=options.get("rounds", args.rounds), samples=args.samples,
                contrast=options.get("contrast", True), receipts=receipts)
    finally:
        report["seconds"] = time.time() - started
        report["finished"] = time.strftime("%Y-%m-%d %H:%M %Z")
        report["machine"]["loadavg_end"] = os.getloadavg()
        (tmp / "results.json").write_text(json.dumps(report, indent=1, default=str))
        log(f"results: {tmp / 'results.json'}")
    from .report import render

    text = render(report)
    doc = Path(args.doc) if args.doc else (tmp / "benchmarks.md" if args.quick else ROOT / "docs" / "benchmarks.md")
    doc.write_text(text)
    print(text.split("<!-- table -->")[1] if "<!-- table -->" in text else text)
    log(f"wrote {doc} in {report['seconds']:.0f} s")
    if not args.keep:
        for path in tmp.glob("*.sqlite3*"):
            path.unlink()


def sizes(text):
    return [int(x) for x in text.split(",") if x.strip()]


def parse(argv=None):
    p = argparse.ArgumentParser(description="Waitroom benchmark (docs/benchmarks.md)")
    p.add_argument("--sizes", type=sizes, default=[1000, 5000, 10000], help="N for the ceiling and 1 process")
    p.add_argument("--two-sizes", type=sizes, default=[10000], help="N for 2 processes (PostgreSQL + Redis)")
    p.add_argument("--rounds", type=int, default=10, help="notify-all sends per N (median reported)")
    p.add_argument("--samples", type=int, default=200, help="notify-one sends per N")
    p.add_argument("--receipts", choices=["on", "off"], default="on",
                   help="pages answer each message with a receipt, as a visible page does (default on)")
    p.add_argument("--contrast-rounds", type=int, default=3, metavar="ROUNDS",
                   help="notify-all rounds with receipts the other way, at the smallest N (0: none)")
    p.add_argument("--only", type=lambda s: s.split(","), default=["ceiling", "waitroom", "two"],
                   help="comma-separated subset of ceiling,waitroom,two,tunings")
    p.add_argument("--tunings", action="store_true",
                   help="also measure what each server tuning buys (1 process, SQLite, at --tunings-n; bench/tunings.py)")
    p.add_argument("--tunings-n", type=int, default=5000, metavar="N", help="N for --tunings")
    p.add_argument("--tunings-rounds", type=int, default=5, metavar="ROUNDS", help="notify-all sends per variant")
    p.add_argument("--baseline", metavar="PATH", type=Path,
                   help="also measure Waitroom with servers from another checkout (e.g. a git worktree of an older "
                        "commit), each right after this tree's, and report both side by side")
    p.add_argument("--connect-concurrency", type=int, default=32,
                   help="handshakes in flight at once (enough to keep a server busy; more only queues them)")
    p.add_argument("--round-timeout", type=float, default=90.0, help="seconds a notify-all round may take")
    p.add_argument("--pause", type=float, default=0.3, help="seconds between notify-all sends")
    p.add_argument("--settle", type=float, default=2.0, help="seconds after connecting before measuring")
    p.add_argument("--hold", type=int, default=20_000,
                   help="after the 2-process sizes, grow to this many pages across both (0: skip)")
    p.add_argument("--hold-seconds", type=float, default=15.0, help="how long the hold check holds them")
    p.add_argument("--hold-rounds", type=int, default=3, help="notify-all rounds to all held pages")
    p.add_argument("--budget", type=float, default=570.0,
                   help="seconds: optional parts (the hold check) are skipped if they would not fit (0: no limit)")
    p.add_argument("--postgres", default=POSTGRES,
                   help="the benchmark's database, dropped and created (default BENCH_DATABASE_URL or waitroom_bench)")
    p.add_argument("--redis", default=REDIS, help="a spare Redis database: it is flushed (default BENCH_REDIS_URL)")
    p.add_argument("--channel-layer", choices=["pubsub", "core"], default="pubsub")
    p.add_argument("--ws", default=None,
                   help="uvicorn's websocket implementation (default: the tree's tuned protocol, "
                        "waitroom.server.protocol:PageProtocol or before it realtime.protocol:PageProtocol; "
                        "websockets-sansio, websockets, wsproto)")
    p.add_argument("--conn-max-age", type=int, default=60,
                   help="DB_CONN_MAX_AGE for the servers (default 60; the app's default 0 opens a connection per database hop)")
    p.add_argument("--server-env", action="append", default=[], metavar="NAME=VALUE",
                   help="an extra environment variable for the Waitroom servers (experiments; repeatable)")
    p.add_argument("--note", default="", help="a sentence for the top of the report (why this run is as it is)")
    p.add_argument("--doc", default=None,
                   help="where to write the report (default docs/benchmarks.md; with --quick, the temp dir)")
    p.add_argument("--keep", action="store_true", help="keep the SQLite file in the temp dir")
    p.add_argument("--profile", metavar="DIR", help="py-spy profiles of the servers per phase (see bench/profile.py)")
    p.add_argument("--quick", action="store_true", help="small N and few rounds: a development run")
    args = p.parse_args(argv)
    if args.quick:
        args.sizes, args.two_sizes, args.rounds, args.samples = [200, 500], [500], 3, 30
        args.hold, args.hold_seconds = min(args.hold, 1000), 5
        args.tunings_n, args.tunings_rounds = min(args.tunings_n, 500), 3
    if args.tunings and "tunings" not in args.only:
        args.only.append("tunings")
    if args.baseline:
        args.baseline = args.baseline.resolve()
        if not (args.baseline / "bench" / "seed.py").exists():
            p.error(f"--baseline {args.baseline}: no bench/seed.py there (its servers are set up by its own seed)")
    args.secret_key = secrets.token_urlsafe(40)
    args.started = time.time()
    args.profiler = Profiler(args.profile)
    return args


if __name__ == "__main__":
    arguments = parse()
    keep_full_collections_short()  # the pages live in this process: their clock must not stop for a second
    try:
        import uvloop

        uvloop.run(main(arguments))
    except ImportError:
        asyncio.run(main(arguments))
