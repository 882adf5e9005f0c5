from django.conf import settings
from django.db import models
from django.db.models import Q

# A mesh: every participant sends to every other. Four people is six
# connections, which a laptop carries; beyond that a media server (an SFU)
# would replace the mesh (docs/calls.md).
MAX_PARTICIPANTS = 4


class Call(models.Model):
    """A video call between a caller and one or more team members."""

    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.CASCADE, related_name="calls")
    caller = models.ForeignKey("waiting.Caller", on_delete=models.CASCADE, related_name="calls")
    started_at = models.DateTimeField()
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["caller"], condition=Q(ended_at=None), name="one_open_call_per_caller")
        ]

    def __str__(self):
        return f"call {self.pk} with {self.caller}"

    @property
    def is_open(self):
        return self.ended_at is None


class Participant(models.Model):
    """Someone in a call: the caller (user is None) or a team member."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    is_caller = models.BooleanField(default=False)
    joined_at = models.DateTimeField()
    left_at = models.DateTimeField(null=True, blank=True)
    # The socket that carries this participant's signalling now ("" while their
    # page is away). The caller's is the caller page's channel.
    channel_name = models.CharField(max_length=200, blank=True)
    page_server = models.CharField(max_length=32, blank=True)  # the process that holds that page
    # Since when a team member's call page has been away (None while connected).
    away_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["joined_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["call", "user"], condition=Q(left_at=None, is_caller=False), name="one_seat_per_team_member"
            ),
            models.UniqueConstraint(fields=["call"], condition=Q(is_caller=True), name="one_caller_per_call"),
        ]

    def __str__(self):
        return f"participant {self.pk} of call {self.call_id}"

    @property
    def is_present(self):
        return self.left_at is None
