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


class DeviceState(models.TextChoices):
    """What the caller's page found of a camera or microphone (the device
    check, or the call's media): the clinic sees it on the caller's card."""

    UNKNOWN = "unknown", _("Not checked")
    READY = "ready", _("Ready")
    BLOCKED = "blocked", _("Blocked")
    MISSING = "missing", _("Missing")
    IN_USE = "in_use", _("In use by another app")


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
    # The appointment of a caller who came in through a personal invitation
    # (integrations/invitations.py): the dashboard's card shows it.
    appointment_at = models.DateTimeField(null=True, blank=True)

    status = models.CharField(max_length=12, choices=Status.choices, default=Status.WAITING)
    # While Offline, the status to return to when the page reconnects.
    status_before_offline = models.CharField(max_length=12, choices=Status.choices, blank=True)
    arrived_at = models.DateTimeField(default=timezone.now)
    status_changed_at = models.DateTimeField(default=timezone.now)
    offline_since = models.DateTimeField(null=True, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)
    # For the expected wait (waiting/queue.py): when the caller was first Being
    # seen, and their place in the queue when they came (kept only while the
    # clinic shows the queue position).
    first_seen_at = models.DateTimeField(null=True, blank=True)
    place_on_arrival = models.PositiveIntegerField(null=True, blank=True)
    leave_reason = models.CharField(max_length=10, choices=LeaveReason.choices, blank=True)
    # What the caller's page last found of their camera and microphone
    # (waiting.actions.do_report_devices): "is the patient ready for a call?"
    camera = models.CharField(max_length=8, choices=DeviceState.choices, default=DeviceState.UNKNOWN)
    microphone = models.CharField(max_length=8, choices=DeviceState.choices, default=DeviceState.UNKNOWN)

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
        indexes = [
            models.Index(fields=["clinic", "left_at", "arrived_at"]),
            models.Index(fields=["clinic", "first_seen_at"], name="waiting_cal_seen_idx"),  # the expected wait
        ]

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


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class OpeningPeriod(models.Model):
    """One stretch of a weekday when the waiting area takes new callers, in
    the clinic's time zone (wall-clock times). Several a day leave breaks
    between them; one that closes at or before it opens runs past midnight
    and belongs to the day it opens. 00:00–00:00 is the whole day.
    A clinic with none is open at all times (except on its closed dates).
    Written only by waiting.actions.do_change_opening_hours; read by waiting/hours.py."""

    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.CASCADE, related_name="opening_periods")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["weekday", "opens"]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class ClosedDay(models.Model):
    """Dates (one, or a range) on which the waiting area stays closed, such as
    a public holiday; `note` says why, for the team ("Christmas")."""

    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.CASCADE, related_name="closed_days")
    first_day = models.DateField()
    last_day = models.DateField()
    note = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["first_day", "last_day", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(last_day__gte=models.F("first_day")), name="closed_days_in_order")
        ]

    def __str__(self):
        return f"{self.first_day}–{self.last_day} {self.note}".strip()
