"""A commit does not copy SQLite's write-ahead log back into the database file
(waitroom/server/sqlite/): the checkpoint thread does, a moment after."""

import time
from pathlib import Path

import pytest
from django.db import connection, transaction

from waitroom.server.sqlite import base

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite backend's own tuning"),
]

PAGE = 4096


@pytest.fixture
def probe():
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE checkpoint_probe (data BLOB)")
    yield
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE checkpoint_probe")


def test_commits_leave_the_log_to_the_checkpoint_thread():
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        # SQLite's own default is 1,000 pages: a notification to thousands copied it back at every commit.
        assert cursor.fetchone()[0] == base.FALLBACK_PAGES


def test_what_a_commit_wrote_reaches_the_database_file_by_itself(probe):
    database = Path(connection.settings_dict["NAME"])
    base.checkpoints.run_once()  # what earlier tests wrote
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA freelist_count")
        pages = cursor.fetchone()[0] + 2000  # more than the file's free pages can take
    before = database.stat().st_size

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %s) "
            "INSERT INTO checkpoint_probe SELECT randomblob(%s) FROM n",
            [pages, PAGE - 200],
        )

    deadline = time.monotonic() + 10
    while database.stat().st_size - before < 1000 * PAGE and time.monotonic() < deadline:
        time.sleep(0.05)
    assert database.stat().st_size - before >= 1000 * PAGE, "the log was not copied back by the thread"
