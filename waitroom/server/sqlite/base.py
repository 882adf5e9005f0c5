"""SQLite whose writers of one process wait their turn in line.

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

On: the setting WAITROOM_TUNED_SQLITE (default true) makes waitroom/settings.py
name this backend for a SQLite database. Off: Django's own. The names of
Django's backend it overrides are checked by tests/test_upstream_contracts.py.
"""

import threading

from django.db import OperationalError
from django.db.backends.sqlite3 import base

_write_turn = threading.Lock()  # one per process


def _ends_the_write_turn(method):
    def ending(self):
        try:
            return method(self)
        finally:
            self._end_write_turn()

    return ending


class DatabaseWrapper(base.DatabaseWrapper):
    has_write_turn = False

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

    # Whichever way a transaction ends, the next writer's turn comes.
    _commit = _ends_the_write_turn(base.DatabaseWrapper._commit)
    _rollback = _ends_the_write_turn(base.DatabaseWrapper._rollback)
    _close = _ends_the_write_turn(base.DatabaseWrapper._close)
