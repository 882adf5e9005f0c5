"""Which server process holds which page: each process has an id, says every
few seconds that it is alive, and a process not heard of for SERVER_SILENT_AFTER
is taken for dead (see the watchdog's sweep)."""

import time
import uuid
from datetime import timedelta

from django.utils import timezone

from .models import ServerProcess

SERVER_ID = uuid.uuid4().hex
HEARTBEAT_SECONDS = 5
SERVER_SILENT_AFTER = timedelta(seconds=15)
FORGET_AFTER = timedelta(days=1)


_beat_at = float("-inf")


def heartbeat_due():
    return time.monotonic() - _beat_at >= HEARTBEAT_SECONDS


def server_heartbeat():
    """Say this process is alive (at most every HEARTBEAT_SECONDS)."""
    global _beat_at
    if heartbeat_due():
        _beat_at = time.monotonic()
        ServerProcess.objects.update_or_create(id=SERVER_ID, defaults={"seen_at": timezone.now()})


def silent_servers():
    """Ids of processes not heard of lately (their pages are gone)."""
    now = timezone.now()
    ServerProcess.objects.filter(seen_at__lt=now - FORGET_AFTER).delete()
    return ServerProcess.objects.filter(seen_at__lt=now - SERVER_SILENT_AFTER).values_list("id", flat=True)
