"""The SQLite file holds every patient's name and messages: only the server's
own user may read it. SQLite creates it with the process's umask (commonly
0644, readable by every user of the machine) and creates its WAL and
shared-memory files with the database file's mode, so the file is made 0600
when a connection opens it, with whatever companions exist by then."""

import logging
import os

log = logging.getLogger(__name__)

COMPANIONS = ("", "-wal", "-shm", "-journal")


def keep_sqlite_private(sender, connection, **kwargs):
    if connection.vendor != "sqlite":
        return
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or "mode=memory" in name:
        return
    for path in (name + suffix for suffix in COMPANIONS):
        try:
            if os.stat(path).st_mode & 0o077:
                os.chmod(path, 0o600)
        except FileNotFoundError:
            pass
        except PermissionError:  # another user's file (an operator's shell): say so, do not fail
            log.warning("cannot make %s readable by its owner only", path)
