"""What other apps may hear of a caller's thread without messaging importing them."""

from django.dispatch import Signal

# A caller wrote to the clinic. Sent inside the action's transaction with the
# caller's row locked: sender=Message, message=<the new message>, caller=<the
# locked caller>. integrations/apps.py writes the webhook event on it.
caller_message_received = Signal()
