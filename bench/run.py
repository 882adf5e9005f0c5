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

from . import storm, tunings
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


async def run_target(target, args, sizes, *, rounds, samples, one=True, contrast=True, receipts):
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
            if "receipts-off" in args.only:  # the ceiling at the largest N with the pages' receipts the other way
                other = Ceiling(args, tmp)
                other.name = "ceiling-receipts-" + ("off" if receipts else "on")
                plan.append((other, args.sizes[-1:], {"receipts": not receipts, "contrast": False, "one": False}))
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
        parts = [p for p in ("storm", "staff", "kill") if p in args.only]
        for target, target_sizes, options in plan:
            report["results"][target.name] = await run_target(
                target, args, target_sizes, rounds=options.get("rounds", args.rounds), samples=args.samples,
                contrast=options.get("contrast", True), receipts=options.get("receipts", receipts),
                one=options.get("one", True))
        if parts:
            report["parts"] = await storm.run_parts(args, tmp, parts, receipts)
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
    p.add_argument("--only", type=lambda s: s.split(","),
                   default=["ceiling", "waitroom", "two", "receipts-off", "staff", "storm", "kill"],
                   help="comma-separated subset of ceiling,waitroom,two,receipts-off,staff,storm,kill,tunings "
                        "(bench/storm.py: staff, storm, kill)")
    p.add_argument("--storm-n", type=int, default=10_000, metavar="N",
                   help="pages held for the staff, storm and kill parts")
    p.add_argument("--storm-timeout", type=float, default=60.0, help="seconds a storm or kill may take")
    p.add_argument("--staff-sends", type=int, default=3, help="sends by each of the 20 staff members at once")
    p.add_argument("--entry-seconds", type=float, default=5.0, help="seconds of new entries through the form")
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
    p.add_argument("--profile-gil", action="store_true",
                   help="profile only the thread holding the interpreter lock (py-spy --gil): the process's CPU")
    p.add_argument("--quick", action="store_true", help="small N and few rounds: a development run")
    args = p.parse_args(argv)
    if args.quick:
        args.sizes, args.two_sizes, args.rounds, args.samples = [200, 500], [500], 3, 30
        args.storm_n, args.entry_seconds = min(args.storm_n, 500), 2
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
    args.profiler = Profiler(args.profile, cpu_only=args.profile_gil)
    return args


if __name__ == "__main__":
    arguments = parse()
    keep_full_collections_short()  # the pages live in this process: their clock must not stop for a second
    try:
        import uvloop

        uvloop.run(main(arguments))
    except ImportError:
        asyncio.run(main(arguments))
