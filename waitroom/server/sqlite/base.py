"""SQLite whose writers of one process wait their turn in line, and whose
commits leave copying the write-ahead log back to a thread of its own.

SQLite lets one writer at a time have the database; Waitroom's transactions
take the write lock as they begin (BEGIN IMMEDIATE, waitroom/settings.py). A
second writer that finds it taken is left to SQLite's busy handler, which
sleeps and tries again, up to 100 ms a sleep once it has waited a while:
twenty staff members sending at once while a notification to thousands is
written waited in those sleeps long after the database was free again.

Here the request threads and the page work of one process queue on a lock
before they begin: the next in line starts the moment the one before commits
or rolls back. Writers of other processes (a second server, `manage.py`
jobs) still meet at SQLite's own lock, as before. A writer that waits longer
than the database's timeout gets SQLite's own error, "database is locked".

SQLite copies its write-ahead log back into the database file (a checkpoint)
at the commit that takes the log past 1,000 pages, in the committing thread
and while the next writer waits. A notification to ten thousand callers
writes about 4,000 pages, so every such commit did it: 20 to 30 ms of the
staff member's wait and of the first page's. Here a thread of its own copies
the log back a moment after each write, with the interpreter lock released
while SQLite works; SQLite's own copy at commit is left for a log that grew
past FALLBACK_PAGES (the thread fell behind).

On: the setting WAITROOM_TUNED_SQLITE (default true) makes waitroom/settings.py
name this backend for a SQLite database. Off: Django's own. The names of
Django's backend it overrides are checked by tests/test_upstream_contracts.py.
"""

import logging
import sqlite3
import threading
import time
from contextlib import closing
from pathlib import Path

from django.db import OperationalError
from django.db.backends.sqlite3 import base

log = logging.getLogger(__name__)

_write_turn = threading.Lock()  # one per process

CHECKPOINT_AFTER = 0.25  # seconds after a write: the writes of a busy moment are copied back together
FALLBACK_PAGES = 10_000


class Checkpoints:
    """The thread that copies the log back: it waits for a write, then
    checkpoints each database file written to (PASSIVE: it waits for no
    reader and no writer), with the interpreter lock released as SQLite works."""

    def __init__(self):
        self.paths = set()
        self.written = threading.Event()
        self.lock = threading.Lock()
        self.thread = None

    def watch(self, path):
        with self.lock:
            self.paths.add(Path(path).resolve())
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, name="sqlite-checkpoints", daemon=True)
                self.thread.start()

    def _run(self):
        while True:
            self.written.wait()
            time.sleep(CHECKPOINT_AFTER)
            self.written.clear()
            self.run_once()

    def run_once(self):
        for path in list(self.paths):
            if not path.with_name(path.name + "-wal").exists():
                continue  # (a database removed meanwhile, e.g. a test database: mode=rw never makes one)
            try:
                with closing(sqlite3.connect(f"{path.as_uri()}?mode=rw", uri=True, timeout=0)) as db:
                    db.execute("PRAGMA wal_checkpoint(PASSIVE)")
            except Exception as error:  # the thread goes on: SQLite's own copy at FALLBACK_PAGES is the net
                if path.exists():  # (not removed meanwhile)
                    log.warning("could not copy the write-ahead log back into %s: %s", path, error)


checkpoints = Checkpoints()


def _ends_the_write_turn(method):
    def ending(self):
        try:
            return method(self)
        finally:
            self._end_write_turn()

    return ending


class DatabaseWrapper(base.DatabaseWrapper):
    has_write_turn = False

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        if not self.is_in_memory_db():
            connection.execute(f"PRAGMA wal_autocheckpoint = {FALLBACK_PAGES}")
            checkpoints.watch(str(conn_params["database"]))
        return connection

    def _start_transaction_under_autocommit(self):
        if not _write_turn.acquire(timeout=self.settings_dict["OPTIONS"].get("timeout", 5)):
            raise OperationalError("database is locked")  # as SQLite says it when its own wait runs out
        self.has_write_turn = True
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._end_write_turn()
            raise

    def _end_write_turn(self):
        if self.has_write_turn:
            self.has_write_turn = False
            _write_turn.release()
            checkpoints.written.set()

    # Whichever way a transaction ends, the next writer's turn comes.
    _commit = _ends_the_write_turn(base.DatabaseWrapper._commit)
    _rollback = _ends_the_write_turn(base.DatabaseWrapper._rollback)
    _close = _ends_the_write_turn(base.DatabaseWrapper._close)
