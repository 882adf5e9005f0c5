"""The 20 staff members of the staff part, in a process of their own.

    python -m bench.staff      (one JSON request on stdin, one JSON answer on stdout; started by bench/storm.py)

A clinic's staff send from their own browsers, not from the machine that holds
the waiting pages: in the benchmark's one client process, their answers
waited behind the client reading ten thousand pages' messages and writing
their receipts, and that wait counted as the server's. Here they have a
process (and an event loop) to themselves; times use the same clock.

    {"host", "port", "path", "headers", "ids", "staff", "sends", "all_every", "seed"}
    -> {"sends": [[whole, ms, status, [caller ids]], ...], "seconds": s}
"""

import asyncio
import json
import random
import sys
import uuid

from testkit import protocol

from .client import Http, clock


async def send_all(spec):
    ids = spec["ids"]
    rng = random.Random(spec["seed"])
    sends = []

    async def member(i):
        http = Http(spec["host"], spec["port"])
        for j in range(spec["sends"]):
            whole = j == 0 and i % spec["all_every"] == 0
            chosen = ids if whole else [rng.choice(ids)]
            body = protocol.notify_body(chosen, f"Staff {i} send {j}", uuid.uuid4().hex)
            sent_at, answered_at, status, _, _ = await http.request("POST", spec["path"], spec["headers"], body)
            sends.append([whole, (answered_at - sent_at) * 1000, status, [] if whole else chosen])
        http.close()

    started = clock()
    await asyncio.gather(*(member(i) for i in range(spec["staff"])))
    return {"sends": sends, "seconds": clock() - started}


def main():
    spec = json.loads(sys.stdin.readline())
    sys.stdout.write(json.dumps(asyncio.run(send_all(spec))) + "\n")


if __name__ == "__main__":
    main()
