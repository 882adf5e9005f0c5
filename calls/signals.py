"""What other apps may hear of calls without calls importing them."""

from django.dispatch import Signal

# A call started (the first team member joined the caller). Sent inside the
# action's transaction with the caller's row locked: sender=Call, call=<the
# new call>, actor=<the team member>.
call_started = Signal()

# A call ended (hung up, the last team member left, the visit ended, left
# unattended). Sent inside the action's transaction: sender=Call, call=<the
# call, ended_at set>, actor=<the user, or None>.
call_ended = Signal()
