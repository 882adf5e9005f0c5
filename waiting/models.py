from datetime import timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

NAME_MAX = 100
# A caller Waiting longer than this stands out on the dashboard.
LONG_WAIT_MINUTES = 30


class Status(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    BEING_SEEN = "being_seen", _("Being seen")
    ON_HOLD = "on_hold", _("On hold")
    OFFLINE = "offline", _("Offline")


class LeaveReason(models.TextChoices):
    LEFT = "left", _("Left the waiting area")
    REMOVED = "removed", _("Removed by the clinic")
    EXPIRED = "expired", _("Offline longer than the grace period")
    ENDED = "ended", _("Call ended")


class Sender(models.TextChoices):
    CLINIC = "clinic", _("Clinic")
    CALLER = "caller", _("Caller")


# Which status a transition may start from, and where it leads. Offline is not
# here: it is the page's connection, layered over the status the caller had.
TRANSITIONS = {
    "see": ({Status.WAITING, Status.ON_HOLD, Status.BEING_SEEN}, Status.BEING_SEEN),
    "hold": ({Status.BEING_SEEN}, Status.ON_HOLD),
    "return_to_waiting": ({Status.BEING_SEEN, Status.ON_HOLD}, Status.WAITING),
}


class PresentCallers(models.QuerySet):
    def present(self):
        return self.filter(left_at__isnull=True)


class Caller(models.Model):
    """One visit of a caller to a clinic's waiting area, from entry to leaving.

    A Caller is a visit, not a person: the clinic's screens (PRODUCT.md) call
    the person in the waiting area a caller, and that is all the product knows
    of them. The same patient who comes back tomorrow is a new Caller with a
    thread of its own; nothing links two visits. "caller_id" everywhere is the
    id of a visit."""

    # Its own index stays, though (clinic, left_at, arrived_at) starts with it:
    # SQLite finds "these callers of this clinic" through it by id, and scanned
    # every present caller of the clinic through the other.
    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.CASCADE, related_name="callers")
    name = models.CharField(max_length=NAME_MAX)
    phone = models.CharField(max_length=40, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    extra_answer = models.CharField(max_length=200, blank=True)
    # The language the caller's pages spoke when they came in (the clinic's,
    # or their browser's): what the clinic sends them by template is in it.
    language = models.CharField(max_length=5, blank=True)

    status = models.CharField(max_length=12, choices=Status.choices, default=Status.WAITING)
    # While Offline, the status to return to when the page reconnects.
    status_before_offline = models.CharField(max_length=12, choices=Status.choices, blank=True)
    arrived_at = models.DateTimeField(default=timezone.now)
    status_changed_at = models.DateTimeField(default=timezone.now)
    offline_since = models.DateTimeField(null=True, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)
    leave_reason = models.CharField(max_length=10, choices=LeaveReason.choices, blank=True)

    # The channel of the one page that holds this visit now; a newer page (a
    # refresh, a second tab) takes it over, so only its loss makes the caller Offline.
    page_channel = models.CharField(max_length=200, blank=True)
    page_server = models.CharField(max_length=32, blank=True)  # the process that holds that page

    # The thread's counter, kept with the caller so a dashboard of a thousand
    # callers is one query. Written only by messaging.actions.
    message_count = models.PositiveIntegerField(default=0)
    last_message_from = models.CharField(max_length=6, choices=Sender.choices, blank=True)
    last_message_at = models.DateTimeField(null=True, blank=True)

    # Raised by every change a dashboard shows: a dashboard keeps the newest.
    version = models.PositiveIntegerField(default=1)

    objects = PresentCallers.as_manager()

    class Meta:
        ordering = ["arrived_at", "id"]
        indexes = [models.Index(fields=["clinic", "left_at", "arrived_at"])]

    def __str__(self):
        return self.name

    @property
    def is_present(self):
        return self.left_at is None

    @property
    def awaiting_reply(self):
        return self.last_message_from == Sender.CALLER

    @property
    def current_status(self):
        """The status the caller has apart from their connection."""
        return self.status_before_offline if self.status == Status.OFFLINE else self.status

    def offline_expires_at(self):
        if self.status != Status.OFFLINE or self.offline_since is None:
            return None
        return self.offline_since + timedelta(minutes=self.clinic.offline_grace_minutes)
