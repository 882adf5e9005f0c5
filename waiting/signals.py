"""What other apps may hear of a visit without waiting importing them."""

from django.dispatch import Signal

# A visit ended (left, removed, expired in a call, the call ended it). Sent
# inside the action's transaction with the caller's row locked:
# sender=Caller, caller=<the locked caller>, actor=<the user, or None>.
# calls/apps.py ends the caller's open call on it.
visit_ended = Signal()

# A visit started (the caller entered). Sent inside the action's transaction:
# sender=Caller, caller=<the new caller>. messaging/apps.py sends the welcome on it.
visit_started = Signal()

# A caller's status changed (see, hold, return to waiting). Sent inside the
# action's transaction with the caller's row locked: sender=Caller,
# caller=<the locked caller>, status=<the new Status>, actor=<the user, or None>.
# messaging/apps.py sends the on-hold message on it.
status_changed = Signal()
