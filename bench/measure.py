"""The measurements at each N: connect rate, memory per idle caller,
notify-all, notify-one (and notify-all with receipts the other way)."""

import asyncio
import collections
import os
import random
import statistics
import uuid

from testkit import protocol

from .client import Round, clock
from .procs import HOST, Usage, log

CHUNK = 1000  # callers made and connected per step


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
        items = [(cid, key, HOST, ports[(base + i) % len(ports)], protocol.caller_path(target.slug))
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
        body = protocol.notify_body(ids, f"Notice {i} to all: the clinic runs 10 minutes late.", uuid.uuid4().hex)
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
        body = protocol.notify_body([page.caller_id], f"Message {i}: the doctor is ready for you.", uuid.uuid4().hex)
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


async def measure(target, pool, sizes, args, *, rounds, samples, one=True, contrast=True):
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
        if n == sizes[0] and contrast and args.contrast_rounds:
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
