"""A second client process that holds pages for the 20,000-caller check.

    python -m bench.holder      (JSON lines on stdin and stdout; started by bench.run)

One process may hold no more than RLIMIT_NOFILE sockets, and on this machine
the hard limit is 20,000, which root cannot raise inside the sandbox: the main
client keeps its 10,000 pages and this process, running the very same page
code (bench/client.py), holds the next 10,000. Times are taken with the same
clock (CLOCK_MONOTONIC is system-wide), so a notify-all round can be timed
across both.

    {"origin": "...", "receipts": bool}        -> {"ok": true}
    {"connect": [[caller_id, key, host, port, path], ...]} -> {"connected": n, "failures": {...}}
    {"arm": true, "timeout": s}                -> {"armed": n}, later {"last": t | null, "remaining": k}
    {"stats": true}                            -> {"open": n, "lost": [...], "reconnects": n, "out_of_order": n}
    {"quit": true}
"""

import asyncio
import json
import resource
import sys

from waitroom.server.heap import collect_young_regularly, keep_full_collections_short

from .client import Pool, Round


async def main():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    loop = asyncio.get_running_loop()
    collect_young_regularly(loop)
    reader = asyncio.StreamReader(limit=2**28)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    pool = None
    tasks = set()

    def say(answer):
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()

    async def round_done(r, timeout):
        try:
            await asyncio.wait_for(asyncio.shield(r.done), timeout)
        except asyncio.TimeoutError:
            pass
        for page in pool.pages:
            page.round = None
        say({"last": r.last if r.remaining == 0 else None, "remaining": r.remaining, "times": len(r.times)})

    while line := await reader.readline():
        request = json.loads(line)
        if "origin" in request:
            pool = Pool(origin=request["origin"], receipts=request.get("receipts", False))
            say({"ok": True})
        elif "connect" in request:
            before = sum(pool.connect_failures.values())
            pages = await pool.connect([tuple(item) for item in request["connect"]], concurrency=request.get("concurrency", 100))
            say({"connected": len(pages), "failures": sum(pool.connect_failures.values()) - before})
        elif "arm" in request:
            r = Round(len(pool.pages))
            for page in pool.pages:
                page.round = r
            say({"armed": len(pool.pages)})
            task = loop.create_task(round_done(r, request.get("timeout", 60)))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        elif "stats" in request:
            say({
                "open": sum(p.open for p in pool.pages),
                "pages": len(pool.pages),
                "lost": [[p[1], p[2], p[3]] for p in pool.lost_pages],
                "reconnects": pool.reconnects,
                "out_of_order": pool.out_of_order,
            })
        elif "quit" in request:
            break
    if pool:
        pool.abort_all()


if __name__ == "__main__":
    keep_full_collections_short()  # ten thousand pages in one process, as in bench.run
    try:
        import uvloop

        uvloop.run(main())
    except ImportError:
        asyncio.run(main())
