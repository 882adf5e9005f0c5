"""The thread as a caller's page is told it: in its hello, and what it lacks."""

from realtime import events
from waitroom.lookups import among
from waiting.models import Caller

from .actions import thread


def thread_after(caller_id, seq):
    """The messages of the caller's thread after number `seq`, in order."""
    return [events.message_for_caller(m) for m in thread(Caller(pk=caller_id), after=seq)]


def thread_counts(caller_ids):
    """{caller id: number of messages in the thread}."""
    return dict(Caller.objects.filter(among("pk", caller_ids)).values_list("pk", "message_count"))
