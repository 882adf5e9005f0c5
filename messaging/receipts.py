"""Receipts from caller pages, gathered for a second and written together:
after a message to thousands, their receipts are a few statements, not
thousands of transactions (the watchdog calls `write`: messaging/apps.py).

They are written WRITE_AT_ONCE callers to a transaction: ten thousand in one
held the database's write lock for 150 ms and more, and a staff member's
message to one caller waited for all of it."""

from channels.db import database_sync_to_async

from .actions import do_record_many_receipts

_waiting = {}  # caller id -> (delivered, seen): the highest numbers heard, not written yet
WRITE_AT_ONCE = 1000


def add(caller_id, delivered, seen):
    old = _waiting.get(caller_id, (0, 0))
    _waiting[caller_id] = (max(old[0], delivered), max(old[1], seen))


async def write(pages=None):
    global _waiting
    if _waiting:
        # Taken on the event loop, where pages add to it; written in the database thread.
        receipts, _waiting = list(_waiting.items()), {}
        for start in range(0, len(receipts), WRITE_AT_ONCE):
            await database_sync_to_async(do_record_many_receipts)(dict(receipts[start : start + WRITE_AT_ONCE]))


def forget_all():
    _waiting.clear()
