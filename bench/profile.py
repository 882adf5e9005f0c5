"""Optional sampling profiles of the servers during the benchmark (py-spy).

    .venv/bin/pip install py-spy
    .venv/bin/python -m bench.run --quick --profile /tmp/prof   # one file per phase and process
    .venv/bin/python -m bench.profile /tmp/prof/waitroom-1p-1.notify-all-500.txt

The files are py-spy's "raw" (collapsed stacks) format; this module prints
where the samples are: by innermost frame (self) and by frame anywhere on the
stack (total), in per cent of the samples.
"""

import asyncio
import collections
import os
import re
import shutil
import signal
import sys
from pathlib import Path

FRAME = re.compile(r"^(?P<func>.*?) \((?P<file>[^:()]*)(?::\d+)?\)$")


class Profiler:
    """py-spy record on each pid for the length of a `with` block."""

    def __init__(self, directory, cpu_only=False):
        self.directory = Path(directory) if directory else None
        # py-spy --gil: only the thread holding the interpreter lock, i.e. what the
        # process spends its one core on; without, threads waiting for the lock
        # (after a database call, a random read) are counted where they wait.
        self.options = ["--gil"] if cpu_only else []
        self.exe = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
        if self.directory:
            self.directory.mkdir(parents=True, exist_ok=True)
            if not os.path.exists(self.exe):
                raise SystemExit("--profile needs py-spy: .venv/bin/pip install py-spy")

    def phase(self, name, servers):
        return _Phase(self, name, servers)


class _Phase:
    def __init__(self, profiler, name, servers):
        self.profiler, self.name, self.servers = profiler, name, servers
        self.procs = []

    async def __aenter__(self):
        if self.profiler.directory:
            for server in self.servers:
                out = self.profiler.directory / f"{server.name}.{self.name}.txt"
                self.procs.append(
                    await asyncio.create_subprocess_exec(
                        self.profiler.exe, "record", "--pid", str(server.pid), "--rate", "200", "--format", "raw",
                        "--nonblocking", "--threads", *self.profiler.options, "--output", str(out),
                        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
                    )
                )
            await asyncio.sleep(0.3)  # py-spy attaches
        return self

    async def __aexit__(self, *exc):
        for proc in self.procs:
            if proc.returncode is None:
                proc.send_signal(signal.SIGINT)
        for proc in self.procs:
            await proc.wait()


def summarize(path, top=25):
    self_counts, total_counts = collections.Counter(), collections.Counter()
    samples = 0
    for line in Path(path).read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        frames = [f for f in stack.split(";") if f and not f.startswith("process ") and not f.startswith("thread ")]
        names = [short(f) for f in frames]
        samples += n
        if names:
            self_counts[names[-1]] += n
        for name in set(names):
            total_counts[name] += n
    lines = [f"{path}: {samples} samples"]
    lines.append("  self%  function")
    for name, n in self_counts.most_common(top):
        lines.append(f"  {100 * n / samples:5.1f}  {name}")
    lines.append("  total% function")
    for name, n in total_counts.most_common(top * 2):
        lines.append(f"  {100 * n / samples:5.1f}  {name}")
    return "\n".join(lines)


# Where a sample belongs: the first of these found on its stack, outermost first.
BUCKETS = [
    ("staff POST: do_notify (database)", ("do_notify (",)),
    ("staff POST: announce broadcast", ("publish_broadcast (",)),
    ("staff POST: dashboard badges", ("publish_threads_grew (",)),
    ("staff POST: rest of the request", ("notify (messaging/views.py)", "ASGIHandler")),
    ("caller connect (session, visit, snapshot)", ("_connect_and_snapshot (", "CallerConsumer._visit (", "get_user (",
                                                   "CallerConsumer.connect (", "resolve_session (")),
    ("caller disconnect", ("disconnect (",)),
    ("delivery: thread_broadcast / thread_messages", ("thread_broadcast (", "thread_messages (")),
    ("heartbeats", ("on_heartbeat (",)),
    ("receipts", ("do_record_many_receipts (", "on_receipt (")),
    ("watchdog", ("Watchdog.",)),
    ("dashboard consumer", ("DashboardConsumer.",)),
    ("consumer dispatch (channels)", ("await_many_dispatch (",)),
]


def buckets(path):
    counts, samples = collections.Counter(), 0
    for line in Path(path).read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        samples += n
        for name, markers in BUCKETS:
            if any(m in stack for m in markers):
                counts[name] += n
                break
        else:
            counts["event loop, uvicorn, other"] += n
    lines = [f"{path}: {samples} samples, by activity"]
    for name, n in counts.most_common():
        lines.append(f"  {100 * n / samples:5.1f}  {name}")
    return "\n".join(lines)


def short(frame):
    m = FRAME.match(frame)
    if not m:
        return frame
    file = m["file"]
    for marker in ("site-packages/", "/work/main/", "lib/python3.11/"):
        if marker in file:
            file = file.split(marker, 1)[1]
    return f"{m['func']} ({file})"


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        print(buckets(arg))
        print(summarize(arg))
