"""'Two processes hold 20,000 callers': more pages than one client process may hold."""

import asyncio
import collections
import statistics
import time
import uuid

from testkit import protocol

from .client import Round, clock
from .measure import CHUNK, fmt
from .procs import HOST, Holder, Usage, log


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
                      protocol.caller_path(target.slug)] for i, (cid, key) in enumerate(made)]
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
            body = protocol.notify_body(ids, f"Notice {i} to all {len(ids)}.", uuid.uuid4().hex)
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
