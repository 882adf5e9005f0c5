"""The benchmark's processes: servers it starts, its helper processes, and
what /proc says about them (memory, CPU) and about the machine."""

import asyncio
import json
import os
import resource
import socket
import subprocess
import sys
import time
from pathlib import Path

from .client import clock

ROOT = Path(__file__).resolve().parent.parent  # the benchmark's own tree (its helpers run from here)
PYTHON = sys.executable
HOST = "127.0.0.1"


def log(*args):
    print(time.strftime("%H:%M:%S"), *args, flush=True)


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

    def __init__(self, name, argv, env, logdir, cwd=ROOT):
        self.name = name
        self.argv, self.env, self.logdir, self.cwd = argv, env, logdir, cwd  # to start it again (bench/storm.py)
        self.log_path = Path(logdir) / f"{name}.log"
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=self.log, stderr=subprocess.STDOUT)

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
    """The bulk set-up helper (bench/seed.py) for one database: the one of the
    source tree whose servers are measured (`root`), which knows its models."""

    async def start(self, env, root=ROOT):
        self.proc = await asyncio.create_subprocess_exec(
            PYTHON, "-m", "bench.seed", cwd=root, env=env, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, limit=2**26
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
