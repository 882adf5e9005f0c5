"""The parts about coming back and about many staff at once (issue 15):

- **entries**: new callers a second through the real entry form (`POST
  /w/<slug>/`, then that visit's socket until its hello), 16 at a time;
- **staff**: 20 staff members notifying at once while N callers wait: each
  sends `--staff-sends` requests back to back, one caller each, except every
  tenth staff member, whose first send is to the whole clinic; every response
  timed, and every page checked to get each message once;
- **storm**: the one process is killed (SIGKILL, as a crash) under N pages
  and started again; the staff member notifies everybody as soon as it
  listens; every page must be back and have that message, once;
- **kill**: one of two processes (PostgreSQL + Redis) is killed under N
  pages; its pages reconnect to the other (the benchmark plays the load
  balancer), the staff member notifies everybody at once; every page must
  have that message, once.

Pages reconnect as static/waitroom/socket.js does (full jitter from 0.5 s;
after a "try again in N s" close, N s and up to half as long again).
"""

import asyncio
import json
import sys
import uuid
from pathlib import Path

from testkit import protocol

from .client import Pool, clock
from .measure import grow, pct
from .procs import HOST, log
from .targets import Waitroom
from .client import Http

STAFF = 20
ALL_EVERY = 10  # every tenth staff member's first send is to the whole clinic


async def wait_until(condition, timeout, step=0.05):
    started = clock()
    while not condition():
        if clock() - started > timeout:
            return False
        await asyncio.sleep(step)
    return True


def counts(pool, base, expected):
    """(pages short of what they should have, pages with more) against `base` + `expected`."""
    short = sum(1 for p in pool.pages if p.last_seq < base.get(p.caller_id, 0) + expected.get(p.caller_id, 0))
    more = sum(1 for p in pool.pages if p.last_seq > base.get(p.caller_id, 0) + expected.get(p.caller_id, 0))
    return short, more


async def notify(target, http, ids, text):
    body = protocol.notify_body(ids, text, uuid.uuid4().hex)
    sent_at, answered_at, status, _, content = await http.request("POST", target.notify_path(), target.headers, body)
    return (answered_at - sent_at) * 1000, status


async def entries(target, pool, seconds, concurrency=16):
    """New callers through the real form and their first socket, for `seconds`."""
    http = Http(HOST, target.ports[0])
    _, _, status, headers, _ = await http.request("GET", f"/w/{target.slug}/")
    http.close()
    csrf = dict(v.split(";", 1)[0].split("=", 1) for k, v in headers if k == "set-cookie")[protocol.CSRF_COOKIE]
    form = f"name=New+Caller&csrfmiddlewaretoken={csrf}".encode()
    head = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"{protocol.CSRF_COOKIE}={csrf}",
            "Origin": f"http://{HOST}:{target.ports[0]}"}
    done, failed, made = [], 0, []
    deadline = clock() + seconds

    async def worker():
        nonlocal failed
        http = Http(HOST, target.ports[0])
        while clock() < deadline:
            _, _, status, answer, _ = await http.request("POST", f"/w/{target.slug}/", head, form)
            cookies = dict(v.split(";", 1)[0].split("=", 1) for k, v in answer if k == "set-cookie")
            if status != 302 or protocol.SESSION_COOKIE not in cookies:
                failed += 1
                continue
            pages = await pool.connect([(0, cookies[protocol.SESSION_COOKIE], HOST, target.ports[0],
                                         protocol.caller_path(target.slug))], concurrency=1)
            if pages:
                done.append(clock())
                made.extend(pages)
            else:
                failed += 1
        http.close()

    started = clock()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    seconds = clock() - started
    for page in made:  # (the benchmark does not know their caller ids: they take no part in what follows)
        pool.pages.remove(page)
        page.abort()
    for i, page in enumerate(pool.pages):
        page.slot = i
    return {"entries": len(done), "seconds": seconds, "per_second": len(done) / seconds, "failed": failed,
            "concurrency": concurrency}


async def reconnect_all(target, pool, args):
    """Every page drops at once (a network blip: the server sees them go) and
    comes straight back, as many at a time as --connect-concurrency: how many
    pages whose visits exist the process opens a second."""
    items = [(p.caller_id, p.session_key, p.host, p.port, p.path) for p in pool.pages]
    last = {p.caller_id: p.last_seq for p in pool.pages}
    for page in pool.pages:
        page.abort()
    pool.pages.clear()
    await asyncio.sleep(2)  # the server marks them Offline
    handshakes0 = len(pool.handshakes)
    started = clock()
    await pool.connect(items, concurrency=args.connect_concurrency, last_seq=last)
    seconds = clock() - started
    handshakes = pool.handshakes[handshakes0:]
    return {"pages": len(pool.pages), "of": len(items), "seconds": seconds, "per_second": len(pool.pages) / seconds,
            "handshake_p50_s": pct(handshakes, 50), "handshake_max_s": max(handshakes) if handshakes else None,
            "failures": dict(pool.connect_failures)}


async def staff_at_once(target, pool, args):
    """20 staff members at once, from a process of their own (bench/staff.py)."""
    ids = [p.caller_id for p in pool.pages]
    base = {p.caller_id: p.last_seq for p in pool.pages}
    ooo = pool.out_of_order
    spec = {"host": HOST, "port": target.ports[0], "path": target.notify_path(), "headers": target.headers,
            "ids": ids, "staff": STAFF, "sends": args.staff_sends, "all_every": ALL_EVERY, "seed": 15}
    staff = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.staff", stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        cwd=str(Path(__file__).resolve().parent.parent), limit=2**26,
    )
    out, _ = await staff.communicate(json.dumps(spec).encode() + b"\n")
    answer = json.loads(out)
    expected = {}
    for whole, _, status, chosen in answer["sends"]:
        if status == 200:
            for caller_id in ids if whole else chosen:
                expected[caller_id] = expected.get(caller_id, 0) + 1
    await wait_until(lambda: counts(pool, base, expected) == (0, 0), 60)
    short, more = counts(pool, base, expected)
    times = [(whole, ms) for whole, ms, _, _ in answer["sends"]]
    every = [ms for _, ms in times]
    return {
        "staff": STAFF, "sends": len(times), "whole_clinic": sum(1 for w, _ in times if w),
        "p50_ms": pct(every, 50), "p95_ms": pct(every, 95), "max_ms": max(every),
        "whole_clinic_max_ms": max((ms for w, ms in times if w), default=None),
        "failed": sum(1 for _, _, status, _ in answer["sends"] if status != 200), "answered_s": answer["seconds"],
        "pages_short": short, "pages_doubled": more, "out_of_order": pool.out_of_order - ooo,
    }


def told_to_try_later(pool):
    """Pages closed with 4503: open ones, and ones turned away before their hello."""
    return sum(1 for p in pool.lost_pages if p[1] == protocol.TRY_LATER) + pool.told_to_try_later


async def back_after(target, pool, args, *, kill, restart, moved=None):
    """Kill process `kill` (and start it again, or move its pages); notify
    everybody as soon as the staff's process answers; until every page is
    back and has the message."""
    ids = [p.caller_id for p in pool.pages]
    base = {p.caller_id: p.last_seq for p in pool.pages}
    ooo, refused0 = pool.out_of_order, told_to_try_later(pool)
    gone_port = target.ports[kill]
    affected = [p for p in pool.pages if p.port == gone_port]
    if moved is not None:
        pool.moved[gone_port] = target.ports[moved]
    killed_at = clock()
    target.kill(kill)
    if restart:
        await target.restart(kill)
    up_at = clock()
    status, response_ms, tries = None, None, 0
    while status != 200 and clock() - killed_at < 60:
        tries += 1
        try:
            response_ms, status = await notify(target, target.http, ids, "After the restart: we are back.")
        except (OSError, asyncio.IncompleteReadError):
            target.http.close()
            await asyncio.sleep(0.2)
    sent_at = clock()
    expected = {caller_id: 1 for caller_id in ids} if status == 200 else {}

    def back():
        return all(p.open and p.hello_at and p.hello_at > killed_at for p in pool.pages if p.caller_id in set_affected)

    set_affected = {p.caller_id for p in affected}
    await wait_until(back, args.storm_timeout)
    back_at = max((p.hello_at for p in pool.pages if p.caller_id in set_affected and p.hello_at), default=None)
    caught_up = await wait_until(lambda: counts(pool, base, expected) == (0, 0), max(1, args.storm_timeout - (clock() - killed_at)))
    caught_at = clock()
    short, more = counts(pool, base, expected)
    hellos = sorted(p.hello_at for p in pool.pages if p.caller_id in set_affected and p.hello_at and p.hello_at > killed_at)
    return {
        "pages": len(pool.pages), "affected": len(affected),
        "restart_s": up_at - killed_at,
        "back_s": (back_at - killed_at) if back_at and len(hellos) == len(affected) else None,
        "caught_up_s": (caught_at - killed_at) if caught_up else None,
        "reconnected_per_s": len(hellos) / (hellos[-1] - up_at) if len(hellos) > 1 and hellos[-1] > up_at else None,
        "notify_sent_after_s": sent_at - killed_at, "notify_tries": tries, "notify_status": status,
        "notify_response_ms": response_ms,
        "pages_back": len(hellos), "pages_short": short, "pages_doubled": more,
        "out_of_order": pool.out_of_order - ooo,
        "told_to_try_later": told_to_try_later(pool) - refused0,
    }


async def run_parts(args, tmp, parts, receipts):
    """The 1-process parts (entries, staff, storm) on one server, and kill on two."""
    results = {}
    if {"storm", "staff"} & set(parts):
        results["storm-1p"] = await _on(Waitroom(args, tmp, 1, name="storm-1p"), args, receipts,
                                        [p for p in parts if p != "kill"])
    if "kill" in parts:
        results["kill-2p"] = await _on(Waitroom(args, tmp, 2, name="kill-2p"), args, receipts, ["kill"])
    return results


async def _on(target, args, receipts, parts):
    await target.prepare()
    pool = Pool(origin=None, receipts=receipts)
    out = {"target": target.name}
    try:
        await target.start()
        pool.origin = f"http://{HOST}:{target.ports[0]}"
        await target.check_paths(pool)
        if "storm" in parts:
            async with args.profiler.phase("entries", target.servers):
                out["entries"] = await entries(target, pool, args.entry_seconds)
            log(f"{target.name}: {out['entries']['per_second']:.0f} new entries a second "
                f"({out['entries']['entries']} in {out['entries']['seconds']:.1f} s)")
        seconds = await grow(target, pool, args.storm_n, args)
        out["connect"] = {"pages": len(pool.pages), "seconds": seconds, "per_second": len(pool.pages) / seconds}
        log(f"{target.name}: {len(pool.pages):,} pages connected at {out['connect']['per_second']:.0f}/s")
        await asyncio.sleep(args.settle)
        if "storm" in parts:
            async with args.profiler.phase("reconnect", target.servers):
                out["reconnect"] = await reconnect_all(target, pool, args)
            log(f"{target.name}: {out['reconnect']['pages']:,} pages dropped and back at "
                f"{out['reconnect']['per_second']:.0f}/s")
        if "staff" in parts:
            async with args.profiler.phase("staff", target.servers):
                out["staff"] = await staff_at_once(target, pool, args)
            log(f"{target.name}: {STAFF} staff at once: p95 {out['staff']['p95_ms']:.0f} ms, "
                f"short {out['staff']['pages_short']}, doubled {out['staff']['pages_doubled']}")
        if "storm" in parts:
            out["storm"] = await back_after(target, pool, args, kill=0, restart=True)
            log(f"{target.name}: restarted under {len(pool.pages):,}: back in {out['storm']['back_s']} s, "
                f"caught up in {out['storm']['caught_up_s']} s ({json.dumps(out['storm'])})")
        if "kill" in parts:
            async with args.profiler.phase("kill", target.servers[:1]):  # the process that takes the pages over
                out["kill"] = await back_after(target, pool, args, kill=1, restart=False, moved=0)
            log(f"{target.name}: one of two killed under {len(pool.pages):,}: moved in {out['kill']['back_s']} s "
                f"({json.dumps(out['kill'])})")
        return out
    finally:
        target.stop()
        pool.abort_all()
        await target.seed.stop()
        await asyncio.sleep(0.5)
