"""What other apps may hear of integrations without importing them."""

from django.dispatch import Signal

# A personal invitation was used (a caller entered with it). Sent inside the
# action's transaction: sender=PatientInvitation, invitation=<the invitation>,
# caller=<the new caller>. integrations/apps.py writes the webhook event on it.
invitation_used = Signal()
