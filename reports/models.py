from django.db import models


class VisitSummary(models.Model):
    """The numbers of one ended visit, written when it ends, kept when the
    visit itself is purged: what the reports count.

    Numbers only: no name, no entry field, no message. `visit_id` is the
    Caller's id (the audit trail names a visit by it too); it is not a foreign
    key, because the visit is deleted long before its summary."""

    visit_id = models.BigIntegerField(unique=True)  # once per visit, however often its end is heard
    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()  # of the arrival, in the clinic's time zone (reports/days.py)
    arrived_at = models.DateTimeField()
    # Arrival to the start of the caller's first call; None: never seen.
    waited_seconds = models.PositiveIntegerField(null=True, blank=True)
    calls = models.PositiveSmallIntegerField(default=0)
    call_seconds = models.PositiveIntegerField(default=0)  # all of the visit's calls together
    messages_from_clinic = models.PositiveIntegerField(default=0)
    messages_from_caller = models.PositiveIntegerField(default=0)
    # Of the clinic's messages, those a team member sent (Notify, one caller or many).
    notifications = models.PositiveIntegerField(default=0)
    # The visit ended with the caller's message last: nobody answered it.
    unanswered = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["clinic", "day"])]

    def __str__(self):
        return f"visit {self.visit_id} on {self.day}"

    @property
    def seen(self):
        return self.waited_seconds is not None
