"""Receipts from caller pages, gathered for a second and written together:
after a message to thousands, their receipts are a few statements, not
thousands of transactions (the watchdog calls `write`: messaging/apps.py)."""

from channels.db import database_sync_to_async

from .actions import do_record_many_receipts

_waiting = {}  # caller id -> (delivered, seen): the highest numbers heard, not written yet


def add(caller_id, delivered, seen):
    old = _waiting.get(caller_id, (0, 0))
    _waiting[caller_id] = (max(old[0], delivered), max(old[1], seen))


async def write(pages=None):
    global _waiting
    if _waiting:
        # Taken on the event loop, where pages add to it; written in the database thread.
        receipts, _waiting = _waiting, {}
        await database_sync_to_async(do_record_many_receipts)(receipts)


def forget_all():
    _waiting.clear()
