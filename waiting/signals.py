"""What other apps may hear of a visit without waiting importing them."""

from django.dispatch import Signal

# A visit ended (left, removed, expired in a call, the call ended it). Sent
# inside the action's transaction with the caller's row locked:
# sender=Caller, caller=<the locked caller>, actor=<the user, or None>.
# calls/apps.py ends the caller's open call on it.
visit_ended = Signal()
