"""The conditions of a run: the machine, the versions, the database's connections."""

import os
import platform
from importlib import metadata


def postgres_connections(url):
    """How many connections the servers hold to the benchmark's database (the URL's)."""
    try:
        import psycopg

        admin, name = url.rsplit("/", 1)
        with psycopg.connect(admin + "/postgres") as conn:
            return conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [name]).fetchone()[0]
    except Exception as e:  # noqa: BLE001 - reported, not fatal
        return f"unknown ({e.__class__.__name__})"


def machine():
    info = {}
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    info["cores"] = os.cpu_count()
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                info["ram_gib"] = int(line.split()[1]) / 1024 / 1024
    info["kernel"] = platform.release()
    info["loadavg"] = os.getloadavg()
    return info


def versions(args):
    v = {"Python": platform.python_version()}
    for name in ("Django", "channels", "channels-redis", "uvicorn", "websockets", "uvloop", "httptools",
                 "redis", "psycopg"):
        try:
            v[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            v[name] = "–"
    import sqlite3

    v["SQLite"] = sqlite3.sqlite_version
    try:
        import redis

        v["Redis server"] = redis.Redis.from_url(args.redis).info("server")["redis_version"]
    except Exception as e:  # noqa: BLE001 - reported, not fatal
        v["Redis server"] = f"unreachable ({e.__class__.__name__})"
    try:
        import psycopg

        with psycopg.connect(args.postgres.rsplit("/", 1)[0] + "/postgres") as conn:
            v["PostgreSQL"] = conn.execute("SHOW server_version").fetchone()[0]
    except Exception as e:  # noqa: BLE001
        v["PostgreSQL"] = f"unreachable ({e.__class__.__name__})"
    return v
