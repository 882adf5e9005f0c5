"""The SQLite file holds every patient's name and messages: it and its WAL
are readable by the server's user only (0600), whatever the umask — SQLite
would make them 0644 under the usual 022."""

import os
import stat
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db.utils import ConnectionHandler

@pytest.fixture(autouse=True)
def own_database_files(django_db_blocker):
    # These tests open files of their own, not the test database.
    with django_db_blocker.unblock():
        yield


@pytest.fixture
def usual_umask():
    # A shell's usual umask: without the rule, every file below would be 0644.
    old = os.umask(0o022)
    yield
    os.umask(old)


def open_database(path):
    """A connection to an SQLite file, as the app's settings open one (WAL),
    made in a thread of its own (an event loop may be left running in this
    one by an earlier async test), and closed."""
    with ThreadPoolExecutor(max_workers=1) as thread:
        thread.submit(_open_and_write, path).result()


def _open_and_write(path):
    handler = ConnectionHandler(
        {
            "default": {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": str(path),
                "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL;"},
            }
        }
    )
    connection = handler["default"]
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS visit (name TEXT)")
        cursor.execute("INSERT INTO visit VALUES ('Ada Lovelace')")
        # Read while the connection is open: the WAL and its index exist now.
        modes[str(path)] = {suffix: mode(f"{path}{suffix}") for suffix in ("", "-wal", "-shm")}
    connection.close()


modes = {}


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_new_database_and_its_wal_are_private(tmp_path, usual_umask):
    path = tmp_path / "waitroom.sqlite3"

    open_database(path)

    assert modes[str(path)] == {"": 0o600, "-wal": 0o600, "-shm": 0o600}


def test_an_existing_readable_database_is_made_private(tmp_path, usual_umask):
    path = tmp_path / "waitroom.sqlite3"
    open_database(path)
    os.chmod(path, 0o644)  # made before this rule, or copied in by hand

    open_database(path)

    assert mode(path) == 0o600


@pytest.mark.django_db
def test_the_test_database_is_private_too():
    from django.db import connection

    if connection.vendor != "sqlite" or connection.is_in_memory_db():
        pytest.skip("not an SQLite file")
    connection.ensure_connection()
    assert mode(connection.settings_dict["NAME"]) == 0o600
