"""The thread as a caller's page is told it: in its hello, and what it lacks."""

from realtime import events
from waitroom.lookups import among
from waiting.models import Caller

from .actions import thread
from .models import Message


def thread_after(caller_id, seq):
    """The messages of the caller's thread after number `seq`, in order."""
    return [events.message_for_caller(m) for m in thread(Caller(pk=caller_id), after=seq)]


def threads_after(wanted):
    """thread_after for many pages at once: `wanted` holds (caller id, seq)
    pairs; returns {(caller id, seq): the caller's messages after seq}, in
    one query per distinct seq (pages that come back together mostly have
    the same few), not one per page."""
    by_after = {}
    for caller_id, after in wanted:
        by_after.setdefault(after, []).append(caller_id)
    found = {pair: [] for pair in wanted}
    for after, caller_ids in by_after.items():
        for message in Message.objects.filter(among("caller_id", caller_ids), seq__gt=after).order_by("caller_id", "seq"):
            found[message.caller_id, after].append(events.message_for_caller(message))
    return found


def thread_counts(caller_ids):
    """{caller id: number of messages in the thread}."""
    return dict(Caller.objects.filter(among("pk", caller_ids)).values_list("pk", "message_count"))
