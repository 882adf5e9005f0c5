"""What other parts of integrations (webhooks) may hear of, without the
feature that sends it importing them."""

from django.dispatch import Signal

# A patient came in through a personal invitation (integrations/invitations.py,
# do_use_invitation). Sent inside the action's transaction, after the visit
# was stored: sender=PatientInvitation, invitation=<the invitation>,
# caller=<the new visit>.
invitation_used = Signal()
