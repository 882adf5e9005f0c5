"""SQLite writers of one process wait their turn in line (waitroom/server/sqlite/):
the next begins once the one before commits or rolls back, even with SQLite's
own busy wait switched off, and a turn is never kept by a transaction that
ended (committed, rolled back, failed to begin, or closed)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import OperationalError, connection, transaction

from waitroom.server.sqlite import base
from waiting.models import Caller

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite backend's own tuning"),
]


def without_sqlite_s_busy_wait():
    connection.ensure_connection()
    connection.connection.execute("PRAGMA busy_timeout = 0")  # SQLite's own wait: none


def test_a_second_writer_waits_for_the_first_instead_of_failing(clinic):
    first_writing, first_may_commit = threading.Event(), threading.Event()

    def first():
        without_sqlite_s_busy_wait()
        with transaction.atomic():
            Caller.objects.filter(clinic=clinic).update(name="first")
            first_writing.set()
            first_may_commit.wait(5)
        connection.close()

    def second():
        first_writing.wait(5)
        without_sqlite_s_busy_wait()
        with transaction.atomic():  # without the line, SQLite says "database is locked" at once
            Caller.objects.filter(clinic=clinic).update(name="second")
        connection.close()

    Caller.objects.create(clinic=clinic, name="Sue")
    with ThreadPoolExecutor(2) as pool:
        done = [pool.submit(first), pool.submit(second)]
        first_writing.wait(5)
        first_may_commit.set()
        for future in done:
            future.result(10)
    assert list(Caller.objects.values_list("name", flat=True)) == ["second"]


def test_the_turn_passes_on_after_a_rollback_and_after_a_failed_begin(clinic, monkeypatch):
    with pytest.raises(ZeroDivisionError):
        with transaction.atomic():
            Caller.objects.create(clinic=clinic, name="Sue")
            1 / 0
    assert not base._write_turn.locked()

    def failing_begin(self):
        raise OperationalError("disk I/O error")

    monkeypatch.setattr("django.db.backends.sqlite3.base.DatabaseWrapper._start_transaction_under_autocommit", failing_begin)
    with pytest.raises(OperationalError):
        with transaction.atomic():
            pass
    assert not base._write_turn.locked()
    monkeypatch.undo()
    with transaction.atomic():
        Caller.objects.create(clinic=clinic, name="Ann")
    assert not base._write_turn.locked()
    assert list(Caller.objects.values_list("name", flat=True)) == ["Ann"]


def test_a_writer_that_waits_longer_than_the_timeout_hears_sqlite_s_own_error(clinic, settings):
    connection.settings_dict["OPTIONS"]["timeout"] = 0.1
    try:
        assert base._write_turn.acquire(timeout=1)  # another writer of this process has the turn
        try:
            with pytest.raises(OperationalError, match="database is locked"):
                with transaction.atomic():
                    pass
        finally:
            base._write_turn.release()
    finally:
        connection.settings_dict["OPTIONS"]["timeout"] = 20
