"""docs/benchmarks.md from a run's results (bench/run.py writes the JSON too).

    .venv/bin/python -m bench.report /tmp/waitroom-bench-XXXX/results.json > docs/benchmarks.md
"""

import json
import statistics
import sys
import time

from .tunings import LABELS as TUNING_LABELS
from .tunings import VARIANTS

TARGET_N = 10_000
NAMES = {
    "ceiling": "ceiling (bare websockets)",
    "ceiling-receipts-off": "ceiling, receipts off",
    "ceiling-receipts-on": "ceiling, receipts on",
    "waitroom-1p": "Waitroom, 1 process (SQLite, in-memory layer)",
    "waitroom-2p": "Waitroom, 2 processes (PostgreSQL + Redis)",
    "baseline-1p": "baseline, 1 process",
    "baseline-2p": "baseline, 2 processes",
    **TUNING_LABELS,
}


def f(value, digits=0, unit=""):
    if value is None:
        return "–"
    if isinstance(value, float):
        text = f"{value:,.{digits}f}"
    else:
        text = f"{value:,}"
    return text + unit


def ratio(value, base):
    if value is None or not base:
        return "–"
    return f"{value / base:,.1f}×"


def stages(report, target):
    result = report["results"].get(target)
    return {s["n"]: s for s in result["stages"]} if result else {}


def nearest(table, n):
    """The stage at N, or the largest one below it (a partial run)."""
    if n in table:
        return n
    below = [k for k in table if k <= n]
    return max(below) if below else (min(table) if table else None)


def render(report):
    c, w1, w2 = (stages(report, t) for t in ("ceiling", "waitroom-1p", "waitroom-2p"))
    args, m, v = report["args"], report["machine"], report["versions"]
    out = []
    add = out.append
    add("# Benchmarks")
    add("")
    when = report.get("finished") or time.strftime("%Y-%m-%d %H:%M %Z")
    add(f"Written by `make bench` (`bench/run.py`) on {when}: "
        f"`{report.get('command', 'python -m bench.run')}`, which took {report['seconds']:.0f} s. "
        "**These are measurements of one run on a shared 2-core machine, not guarantees** — read "
        "\"Conditions\" before comparing them with anything.")
    if args.get("note"):
        add("")
        add(f"> {args['note']}")
    add("")
    add("<!-- table -->")
    add("## Against the targets")
    add("")
    add("| target | measured | |")
    add("|---|---|---|")
    add_targets(add, report, c, w1, w2)
    add("")
    add("## Figures")
    add("")
    add("Times in milliseconds from the moment the staff member's `POST /clinics/<slug>/notify/` is "
        "written to the socket; \"ratio\" is the figure divided by the ceiling's at the same N.")
    add("")
    add(f"| N | figure | {NAMES['ceiling']} | {NAMES['waitroom-1p']} | ratio | {NAMES['waitroom-2p']} | ratio |")
    add("|---:|---|---:|---:|---:|---:|---:|")
    for n in sorted(set(c) | set(w1) | set(w2)):
        cs, a, b = c.get(n), w1.get(n), w2.get(n)
        rows = [
            ("notify-all: last page has it (median)", lambda s: s["notify_all"]["median_ms"], 0),
            ("notify-all: fastest – slowest round", lambda s: None, 0),
            ("notify-all: first page has it (median)", lambda s: med(s["notify_all"], "first_ms"), 0),
            ("notify-all: half the pages have it (median)", lambda s: med(s["notify_all"], "median_page_ms"), 0),
            ("notify-all: staff's HTTP response", lambda s: s["notify_all"]["median_response_ms"], 0),
            ("notify-one p50", lambda s: s.get("notify_one", {}).get("p50_ms"), 1),
            ("notify-one p99", lambda s: s.get("notify_one", {}).get("p99_ms"), 1),
            ("memory per idle caller (KB)", lambda s: s["kb_per_caller"], 1),
            ("pages connected per second", lambda s: s["connect_rate"], 0),
        ]
        if n == max(set(c) | set(w1) | set(w2)):
            off = stages(report, "ceiling-receipts-off").get(n)
            if off:
                rows.insert(1, ("notify-all: last page has it, the ceiling with receipts off",
                                lambda s, off=off: off["notify_all"]["median_ms"] if s is cs else None, 0))
        for label, get, digits in rows:
            if label.startswith("notify-all: fastest"):
                cells = [spread(s) for s in (cs, a, b)]
                add(f"| {n:,} | {label} | {cells[0]} | {cells[1]} | | {cells[2]} | |")
                continue
            vals = [get(s) if s else None for s in (cs, a, b)]
            add(f"| {n:,} | {label} | {f(vals[0], digits)} | {f(vals[1], digits)} | {ratio(vals[1], vals[0])} "
                f"| {f(vals[2], digits)} | {ratio(vals[2], vals[0])} |")
    contrast = []
    for key in report["results"]:
        for n, s in stages(report, key).items():
            if s.get("contrast"):
                k = s["contrast"]
                stored = (f", every receipt stored after {f(k['median_receipts_done_ms'])} ms"
                          if k.get("median_receipts_done_ms") else "")
                contrast.append(f"{NAMES[key]} at N={n:,}: {f(k['median_ms'])} ms "
                                f"(vs {f(s['notify_all']['median_ms'])} ms){stored}")
    add("")
    add("\"Pages connected per second\" is not the same work on both sides: for Waitroom it includes making "
        "each caller's visit (Caller and Session rows, written in bulk by `bench/seed.py` in chunks of 1,000 "
        "just before they connect) and, per page, reading its session and visit and writing which page "
        "holds it; the ceiling registers a session key in a dict. The storm part below measures pages whose "
        "visits exist, as after a restart.")
    if contrast:
        other = "on" if args["receipts"] == "off" else "off"
        add("")
        add(f"Notify-all with the pages' receipts **{other}** instead ({args['contrast_rounds']} rounds, "
            f"median time to the last page): " + "; ".join(contrast) + ".")
    add_parts(add, report)
    add_drops(add, report)
    add_baseline(add, report)
    add_tunings(add, report)
    hold = report["results"].get("waitroom-2p", {}).get("hold")
    if hold:
        add("")
        add("### 2 processes, 20,000 callers")
        add("")
        if "skipped" in hold:
            add(f"Not measured in this run: {hold['skipped']}.")
        else:
            add(f"{f(hold['pages'])} pages were connected across the two processes ({f(hold['connect_s'], 0)} s "
                f"for the last {f(hold['pages'] - max(w2) if w2 else hold['pages'])}, by a second client process — "
                f"see Conditions); after holding them {args['hold_seconds']:.0f} s and "
                f"{len(hold['notify_all']['rounds'])} notify-all rounds to all of them, **{f(hold['open_after'])} "
                f"were open**. Server RSS: {', '.join(f(k / 1024, 0, ' MB') for k in hold['rss_kb'])}. "
                f"Notify-all to all {f(hold['pages'])}: median {f(hold['notify_all']['median_ms'])} ms "
                f"(rounds: {', '.join(f(r['last_ms']) for r in hold['notify_all']['rounds'])} ms). "
                f"Pages the servers closed during the whole 2-process run: {hold['lost']}"
                + (f" {hold['lost_codes']}" if hold["lost_codes"] else "") + ".")
    add("<!-- table -->")
    add("")
    add("## Health of the run")
    add("")
    add("Every page checks that its messages come in order, once each (`seq` = last + 1). A page the "
        "server closes reconnects as `static/waitroom/socket.js` does (full jitter from 0.5 s, "
        "`?after=<last seq>`), and what its `hello` brings counts as arrived then.")
    add("")
    add("| run | N | failed notify-all rounds | out of order | pages closed by the server (cumulative) | "
        "connect failures | handshake p50 / max (s) |")
    add("|---|---:|---:|---:|---|---:|---|")
    for key in report["results"]:
        for n, s in stages(report, key).items():
            lost = f"{s['lost_pages']} {s['lost_codes']}" if s["lost_pages"] else "0"
            if s.get("lost_detail"):
                d = s["lost_detail"]
                lost += (f"; closed {d['after_hello_s'][0]}–{d['after_hello_s'][2]} s after their hello, "
                         f"{d['had_sent_since_hello']} of them had sent a frame since"
                         + (f" ({d['after_last_sent_s'][0]}–{d['after_last_sent_s'][2]} s before)"
                            if d["after_last_sent_s"] else ""))
            add(f"| {key} | {n:,} | {s['notify_all']['failed_rounds']} | {s['out_of_order']} | {lost} | "
                f"{sum(s['connect_failures'].values())} | {f(s['handshake_p50_s'], 2)} / {f(s['handshake_max_s'], 2)} |")
    pg = report["results"].get("waitroom-2p", {}).get("postgres_connections")
    if pg is not None:
        add("")
        add(f"PostgreSQL connections to `{database(args)}` at the end of the 2-process measurements: {pg}.")
    add("")
    add("## Conditions")
    add("")
    add(f"- **Machine**: {m['cpu']}, {m['cores']} cores, {m['ram_gib']:.1f} GiB RAM, Linux {m['kernel']}. "
        f"Load average {m['loadavg'][0]:.1f} at the start, {m['loadavg_end'][0]:.1f} at the end; "
        f"{m.get('busy_before_cores', 0):.1f} cores were busy with other work just before the run.")
    add("- **Versions**: " + ", ".join(f"{k} {val}" for k, val in v.items()) + ".")
    add("- **The client and the servers share the same 2 cores** (and, for the 2-process run, with PostgreSQL "
        "and Redis). All simulated pages live in ONE client process (asyncio on uvloop, websockets' Sans-I/O "
        "protocol, no task per page), identical against the ceiling and Waitroom, and its own work is part of "
        "every figure: the time until the last page has a message includes the client reading N frames. "
        "Other work on the machine (other people's tests) competes too; the CPU use per phase below says how "
        "much.")
    add(f"- **Pages** behave as `static/waiting/wait.js`: `sessionid` cookie and an `Origin` header; a heartbeat "
        f"every `heartbeat_seconds` of the hello (5 s); receipts **{args['receipts']}** "
        "(`{\"type\": \"receipt\", \"delivered\": seq, \"seen\": seq}` after each message, as a visible page "
        "sends; `--receipts off|on`). A staff member's dashboard socket is open on the first process during "
        "every Waitroom run (it gets each notify-all's `callers` update), as it would be in a clinic.")
    add(f"- **Servers**: `uvicorn waitroom.asgi:application --lifespan off {ws(report)} "
        f"--ws-per-message-deflate false --no-access-log` (uvloop, httptools); `DB_CONN_MAX_AGE={args['conn_max_age']}`; SQLite is a fresh "
        f"file in a temp dir (WAL); PostgreSQL is a fresh database `{database(args)}`; Redis is database "
        f"`{args['redis'].rsplit('/', 1)[-1]}`, flushed first, with the `{args['channel_layer']}` layer. "
        "The 2-process run splits the pages evenly across the two ports (no sticky sessions); staff send "
        "to the first.")
    add("- **Set-up**: one clinic, one staff member (a session made directly with Django's auth keys, a CSRF "
        "secret as cookie and header) and, in chunks of 1,000 just before they connect, N callers as Caller "
        "and Session rows (`bench/seed.py`). **This bulk set-up bypasses the entry form on purpose**, for "
        "speed; each Waitroom run also enters once through the real `POST /w/<slug>/` and opens that "
        "caller's socket, to check the path the bulk set-up stands in for.")
    add("- **Notify-all**: the staff POST names all N callers; the figure is the median over "
        f"{args['rounds']} sends of the time until the last page has the message. **Notify-one**: "
        f"{args['samples']} sends to one random caller each, N−1 idle, 10–30 ms apart. **Memory**: server "
        "RSS (/proc, summed over the processes) after connecting minus before (after the warm-up and the "
        "dashboard), divided by the pages connected; pages are connected incrementally (1,000, then "
        "4,000 more, …).")
    add("- **The ceiling** (`bench/ceiling.py`): a bare `websockets` server, no framework and no storage, "
        "on uvloop, per-message deflate off, no keepalive pings and no handshake kept once answered (as "
        "Waitroom's tuned protocol), young generations collected every 100 ms and long-lived objects frozen as in Waitroom's "
        "servers and the benchmark's client (`waitroom/server/heap.py`). It accepts the same URL, cookie and Origin, answers with a "
        "hello of Waitroom's shape and heartbeats, and on the same `POST /clinics/<slug>/notify/` (on a "
        "second port: websockets' HTTP side speaks GET only) sends each named page a `message` frame of "
        "Waitroom's shape with that page's next seq. Session keys are registered with it by the benchmark "
        "(a dict stands in for the session table).")
    add("- **20,000 pages**: one process may hold no more sockets than its RLIMIT_NOFILE, whose hard limit is "
        "20,000 on this machine and cannot be raised inside the sandbox; the benchmark raises the soft "
        "limit to the hard one, and the pages past the first client's share are held by a second client "
        "process (`bench/holder.py`, the same page code, the same clock). The ceiling is not run at "
        "20,000 for the same reason.")
    add("")
    add("CPU use per phase, in cores (of 2): the servers, the client, and everything else on the machine.")
    add("")
    add("| run | N | phase | seconds | servers | client | others |")
    add("|---|---:|---|---:|---:|---:|---:|")
    for key in report["results"]:
        for n, s in stages(report, key).items():
            for phase, u in (("connect", s.get("connect_usage")), ("notify-all", s["notify_all"].get("usage")),
                             ("notify-one", s.get("notify_one", {}).get("usage"))):
                if u:
                    add(f"| {key} | {n:,} | {phase} | {u['seconds']:.0f} | {u['server_cores']:.2f} | "
                        f"{u['client_cores']:.2f} | {u['other_cores']:.2f} |")
    add("")
    add("## How to rerun")
    add("")
    add("```sh")
    add("make bench                          # N = 1,000, 5,000, 10,000; 2 processes at 10,000; docs/benchmarks.md")
    add('make bench BENCH_ARGS="--budget 0"  # the same, and the 20,000 check even past 570 s')
    add("make bench BENCH_ARGS=--quick       # small N, a few minutes; writes to the temp dir only")
    add('make bench BENCH_ARGS="--only storm,staff,kill --storm-n 10000"  # coming back and many staff only (bench/storm.py)')
    add('make bench BENCH_ARGS=--tunings     # and what each server tuning buys (1 process, N = 5,000; about 5 minutes more)')
    add("make bench BENCH_ARGS=\"--baseline ../old-checkout\"  # this tree and another side by side (git worktree add)")
    add(".venv/bin/python -m bench.run --help                     # sizes, rounds, receipts, layer, budget, ...")
    add(".venv/bin/python -m bench.run --quick --profile /tmp/prof  # py-spy profiles per phase and process")
    add(".venv/bin/python -m bench.run --quick --profile /tmp/prof --profile-gil  # … of the interpreter lock's holder only")
    add(".venv/bin/python -m bench.profile /tmp/prof/waitroom-1p-1.notify-all-500.txt  # where the time went")
    add("```")
    add("")
    add("The run's length is mostly the servers' own time: 10 notify-all rounds at each N wait for every page, "
        "and pages connect as fast as the server accepts them. The optional 20,000 check runs only if its "
        "estimate fits what is left of `--budget` (570 s). `--profile` needs `.venv/bin/pip install py-spy`.")
    add("")
    add("It needs PostgreSQL on 127.0.0.1:5432 (user `postgres`, no password; the benchmark drops and creates "
        "`waitroom_bench`, or the database `BENCH_DATABASE_URL` names, whose name must contain `bench`; with "
        f"`--baseline` also `<that name>_baseline`) and Redis on 127.0.0.1:6379 (it flushes database "
        f"{args['redis'].rsplit('/', 1)[-1]}; "
        "`BENCH_REDIS_URL` or `--redis` to change). It "
        "touches neither `var/` nor the test databases. Each run keeps its server logs and `results.json` "
        "(every round, every figure) in a temp dir it prints.")
    add("")
    return "\n".join(out)


def add_parts(add, report):
    """Coming back (storm, kill) and many staff at once (bench/storm.py)."""
    parts = report.get("parts") or {}
    one, two = parts.get("storm-1p") or {}, parts.get("kill-2p") or {}
    if not one and not two:
        return
    args = report["args"]
    add("")
    add("### Coming back, and many staff at once")
    add("")
    add("| part | figure | target | measured |")
    add("|---|---|---|---:|")
    ceiling_rate = None
    c = stages(report, "ceiling")
    if c:
        ceiling_rate = c[nearest(c, TARGET_N)]["connect_rate"]
    if one.get("entries"):
        e = one["entries"]
        add(f"| entries | new entries a second (real `POST /w/<slug>/` and the visit's socket, {e['concurrency']} at "
            f"a time, {e['seconds']:.0f} s) | ≥ 300 | {f(e['per_second'])} ({e['failed']} failed) |")
    if one.get("connect"):
        k = one["connect"]
        add(f"| storm | pages connected a second (visits made in bulk first), to {f(k['pages'])} | – | "
            f"{f(k['per_second'])} ({ratio(k['per_second'], ceiling_rate)} the ceiling's) |")
    if one.get("reconnect"):
        r = one["reconnect"]
        add(f"| storm | pages that drop together and come straight back (their visits exist), "
            f"{args.get('connect_concurrency')} handshakes at a time: reconnected a second | ≥ 1,000 | "
            f"**{f(r['per_second'])}** ({f(r['pages'])} of {f(r['of'])}; {ratio(r['per_second'], ceiling_rate)} "
            f"the ceiling's connect rate) |")
    if one.get("staff"):
        st = one["staff"]
        add(f"| staff | {st['staff']} staff at once, {st['sends']} sends ({st['whole_clinic']} to the whole clinic "
            f"of {f(one['connect']['pages'])}): response p50 / p95 / max (ms) | p95 ≤ 500 | "
            f"{f(st['p50_ms'])} / **{f(st['p95_ms'])}** / {f(st['max_ms'])} |")
        add(f"| staff | sends refused; pages short of a message; pages with one twice; out of order | 0 | "
            f"{st['failed']}; {st['pages_short']}; {st['pages_doubled']}; {st['out_of_order']} |")
    for key, label, target, result in (("storm", "the one process restarted", "≤ 15 s", one.get("storm")),
                                       ("kill", "one of two processes killed", "≤ 10 s", two.get("kill"))):
        if not result:
            continue
        n = result["pages"]
        what = "back" if key == "storm" else "served by the other"
        add(f"| {key} | {label} under {f(n)} pages: every page {what} (s after the kill) | {target} | "
            f"**{f(result['back_s'], 1)}** ({f(result['pages_back'])} of {f(result['affected'])}) |")
        add(f"| {key} | … and has the message sent as soon as staff could (s after the kill) | {target} | "
            f"**{f(result['caught_up_s'], 1)}** (sent after {f(result['notify_sent_after_s'], 1)} s, "
            f"{result['notify_tries']} tries) |")
        if key == "storm":
            add(f"| storm | pages back a second once it listened (paced by the pages' own backoff) | – | "
                f"**{f(result['reconnected_per_s'])}** (restart took {f(result['restart_s'], 1)} s) |")
        add(f"| {key} | messages lost (pages short); doubled; out of order; pages told \"try again\" | 0; 0 | "
            f"{result['pages_short']}; {result['pages_doubled']}; {result['out_of_order']}; "
            f"{result['told_to_try_later']} |")
    add("")
    add(f"Staff: each of 20 staff members sends {args.get('staff_sends')} requests back to back on a connection "
        "of its own, all starting together; every tenth one's first send is to the whole clinic, the rest to one "
        "random caller each (they share one sign-in: the server's work is the same). The staff send from a client "
        "process of their own (`bench/staff.py`), as from their own browsers: in the pages' client process their "
        "answers also waited for that process to read ten thousand messages and write their receipts. Storm: the "
        "process is killed "
        "(SIGKILL) and started again on its port and database; kill: the second of two is killed and its pages "
        "reconnect to the first (the benchmark plays the load balancer). Pages reconnect as `socket.js` does.")


def add_drops(add, report):
    """What the figures leave out: samples that failed, pages that missed a round, rounds not run."""
    lines = []
    for key in report["results"]:
        for n, s in stages(report, key).items():
            na = s["notify_all"]
            rounds = na["rounds"]
            missed = sum(r.get("missing") or 0 for r in rounds)
            one = s.get("notify_one") or {}
            wanted = report["args"]["rounds"] if not key.startswith("tuning") else report["args"]["tunings_rounds"]
            bits = []
            if len(rounds) != wanted:
                bits.append(f"{len(rounds)} of {wanted} notify-all rounds run")
            if na["failed_rounds"]:
                bits.append(f"{na['failed_rounds']} rounds not complete ({missed} page-messages missing)")
            if one.get("failures"):
                bits.append(f"{one['failures']} notify-one samples failed or timed out "
                            f"({one['samples']} measured)")
            if bits:
                lines.append(f"{key} at N={n:,}: " + ", ".join(bits))
    add("")
    add("What the figures above leave out (rounds or samples that did not complete are not in the medians "
        "and percentiles): " + ("; ".join(lines) + "." if lines else "nothing — every round ran and every "
                                "page had every message; no notify-one sample failed or timed out."))


def med(block, key):
    values = [r[key] for r in block["rounds"] if r.get(key) is not None]
    return statistics.median(values) if values else None


def database(args):
    return args["postgres"].rsplit("/", 1)[-1]


def ws(report):
    """The --ws arguments the Waitroom servers ran with (this tree's)."""
    for key in ("waitroom-1p", "waitroom-2p", "tuning-tuned"):
        server = report["results"].get(key, {}).get("server")
        if server:
            return server["ws"]
    return f"--ws {report['args'].get('ws') or 'waitroom.server.protocol:PageProtocol'}"


FIGURES = [  # label, value of a stage, digits
    ("memory per idle caller (KB)", lambda s: s["kb_per_caller"], 1),
    ("notify-all: last page has it (median)", lambda s: s["notify_all"]["median_ms"], 0),
    ("notify-one p50", lambda s: s.get("notify_one", {}).get("p50_ms"), 1),
    ("notify-one p99", lambda s: s.get("notify_one", {}).get("p99_ms"), 1),
    ("pages connected per second", lambda s: s["connect_rate"], 0),
]


def add_baseline(add, report):
    """This tree against --baseline's, each pair measured back to back."""
    pairs = [(k, "baseline-" + k.split("-", 1)[1]) for k in ("waitroom-1p", "waitroom-2p")]
    pairs = [(a, b) for a, b in pairs if b in report["results"]]
    if not pairs:
        return
    root = report["results"][pairs[0][1]]["server"]["root"]
    add("")
    add("### Before and after")
    add("")
    add(f"The same measurements with the servers started from `{root}` (the baseline), each right after this "
        "tree's; \"ratio\" is this tree's figure divided by the baseline's.")
    add("")
    add("| run | N | figure | this tree | baseline | ratio |")
    add("|---|---:|---|---:|---:|---:|")
    for now_key, then_key in pairs:
        now, then = stages(report, now_key), stages(report, then_key)
        for n in sorted(set(now) & set(then)):
            for label, get, digits in FIGURES:
                a, b = get(now[n]), get(then[n])
                add(f"| {now_key.split('-', 1)[1]} | {n:,} | {label} | {f(a, digits)} | {f(b, digits)} | {ratio(a, b)} |")


def add_tunings(add, report):
    """--tunings: one row per variant, each figure also against all tuned."""
    keys = [f"tuning-{key}" for key, _, _, _ in VARIANTS if f"tuning-{key}" in report["results"]]
    if not keys:
        return
    base = next(iter(stages(report, "tuning-tuned").values()), None)
    n = next(iter(stages(report, keys[0])))
    add("")
    add("### What each tuning buys")
    add("")
    add(f"Waitroom on 1 process (SQLite, in-memory layer) at N={n:,}, once for each variant, in the same run "
        f"(`--tunings`, `bench/tunings.py`), {report['args']['tunings_rounds']} notify-all rounds each. In "
        "brackets: the figure divided by all tuned's; what a tuning buys is what its row loses.")
    add("")
    add("| variant | switches | memory per idle caller (KB) | notify-all: last page (median, ms) | "
        "notify-one p50 (ms) | notify-one p99 (ms) |")
    add("|---|---|---:|---:|---:|---:|")
    for key in keys:
        s = next(iter(stages(report, key).values()))
        server = report["results"][key]["server"]
        switches = " ".join([f"`{server['ws']}`"] + [f"`{k}={v}`" for k, v in server["env"].items()])
        cells = []
        for _, get, digits in FIGURES[:4]:
            value = get(s)
            versus = f" ({ratio(value, get(base))})" if base and key != "tuning-tuned" else ""
            cells.append(f(value, digits) + versus)
        add(f"| {NAMES[key]} | {switches} | " + " | ".join(cells) + " |")


def spread(s):
    if not s or s["notify_all"]["min_ms"] is None:
        return "–"
    return f"{s['notify_all']['min_ms']:,.0f} – {s['notify_all']['max_ms']:,.0f}"


def add_targets(add, report, c, w1, w2):
    n1, n2, nc = nearest(w1, TARGET_N), nearest(w2, TARGET_N), nearest(c, TARGET_N)
    small = any(n is not None and n < TARGET_N for n in (n1, n2))

    def verdict(oks):
        text = _verdict(oks)
        return f"{text} at the N measured (10,000 not measured)" if small and text != "–" else text

    at = lambda n: "" if n == TARGET_N else f" (at N={n:,}: this run did not reach {TARGET_N:,})"  # noqa: E731

    def na(s):
        return s["notify_all"]["median_ms"] if s else None

    base = na(c.get(nc)) if nc else None
    parts, ok = [], []
    for label, table, n, limit in (("1 process", w1, n1, 1.5), ("2 processes", w2, n2, 2)):
        if n is None:
            continue
        value = na(table[n])
        base_n = na(c.get(n)) if n in c else base
        parts.append(f"{label}: {f(value)} ms = **{ratio(value, base_n)}** the ceiling's {f(base_n)} ms "
                     f"(≤ {limit}×){at(n)}")
        ok.append(value is not None and base_n and value / base_n <= limit)
    add(f"| notify-all at N=10,000 within 1.5× the ceiling on 1 process, 2× on 2 | {'; '.join(parts) or '–'} "
        f"| {verdict(ok)} |")

    for title, key, limit in (("notify-all: the first page has it ≤ 100 ms after the send", "first", 100),
                              ("notify-all: staff's HTTP response ≤ 400 ms at N=10,000", "response", 400)):
        parts, ok = [], []
        for label, table, n in (("1 process", w1, n1), ("2 processes", w2, n2)):
            if n is None:
                continue
            sent = table[n]["notify_all"]
            value = med(sent, "first_ms") if key == "first" else sent["median_response_ms"]
            parts.append(f"{label}: **{f(value)} ms** (median){at(n)}")
            ok.append(value is not None and value <= limit)
        add(f"| {title} | {'; '.join(parts) or '–'} | {verdict(ok)} |")

    parts, ok = [], []
    for label, table, n in (("1 process", w1, n1), ("2 processes", w2, n2)):
        if n is None or "notify_one" not in table[n]:
            continue
        one = table[n]["notify_one"]
        parts.append(f"{label}: p99 **{f(one['p99_ms'], 1)} ms** (p50 {f(one['p50_ms'], 1)} ms){at(n)}")
        ok.append(one["p99_ms"] is not None and one["p99_ms"] <= 20)
    add(f"| notify-one p99 ≤ 20 ms with 10,000 idle callers | {'; '.join(parts) or '–'} | {verdict(ok)} |")

    parts, ok = [], []
    for label, table, n in (("1 process", w1, n1), ("2 processes", w2, n2)):
        if n is None:
            continue
        kb = table[n]["kb_per_caller"]
        parts.append(f"{label}: **{f(kb, 1)} KB**{at(n)}")
        ok.append(kb <= 30)
    cn = nearest(c, TARGET_N)
    if cn:
        parts.append(f"(ceiling: {f(c[cn]['kb_per_caller'], 1)} KB)")
    add(f"| ≤ 30 KB per idle caller | {'; '.join(parts) or '–'} | {verdict(ok)} |")

    hold = report["results"].get("waitroom-2p", {}).get("hold")
    if not hold:
        add("| 2 processes hold 20,000 callers | not run | – |")
    elif "skipped" in hold:
        add(f"| 2 processes hold 20,000 callers | {hold['skipped']} | not measured |")
    else:
        good = hold["open_after"] >= 20_000 and hold["pages"] >= 20_000
        add(f"| 2 processes hold 20,000 callers | **{f(hold['open_after'])} of {f(hold['pages'])}** open after "
            f"holding and {len(hold['notify_all']['rounds'])} notify-all rounds (median "
            f"{f(hold['notify_all']['median_ms'])} ms to the last) | "
            f"{_verdict([good]) if hold['pages'] >= 20_000 else 'not measured at 20,000'} |")


def _verdict(oks):
    if not oks:
        return "–"
    if all(oks):
        return "met"
    return "not met" if not any(oks) else "partly met"


if __name__ == "__main__":
    with open(sys.argv[1]) as results:
        print(render(json.load(results)))
