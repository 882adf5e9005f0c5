from django.apps import AppConfig
from django.db.backends.signals import connection_created


class WaitroomConfig(AppConfig):
    """The project's own plumbing that needs Django ready: the database file's
    permissions (waitroom/database.py)."""

    name = "waitroom"

    def ready(self):
        from .database import keep_sqlite_private

        connection_created.connect(keep_sqlite_private, dispatch_uid="waitroom.keep_sqlite_private")
