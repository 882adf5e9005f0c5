from django.conf import settings
from django.db import models
from django.db.models import Q

from realtime.limits import BODY_MAX
from waiting.models import Sender

CLIENT_ID_MAX = 64


class Messages(models.QuerySet):
    def with_client_id(self, client_id):
        """The messages sent with this (non-empty) client_id, found by the
        one_message_per_client_id index: the query repeats the index's
        condition, without which SQLite cannot use it and walked each thread
        whole (80 ms for a notification to 10,000 callers, and growing with
        their threads; 2.5 ms with it)."""
        return self.filter(client_id=client_id).exclude(client_id="").order_by()


class Message(models.Model):
    """One message of a caller's thread, in either direction.

    `seq` numbers the thread 1, 2, 3 … with no gaps: a page that reconnects
    says the last number it has and is sent everything after it.
    """

    # No index of its own: the unique (caller, seq) index below serves every
    # lookup by caller, and one index less is one less to write per message
    # (a notify to 10,000 callers writes 10,000).
    caller = models.ForeignKey("waiting.Caller", on_delete=models.CASCADE, related_name="messages", db_index=False)
    seq = models.PositiveIntegerField()
    sender = models.CharField(max_length=6, choices=Sender.choices)
    # The team member who wrote it. Django keeps the reference (SET_NULL when a
    # user is deleted); PostgreSQL does not check it as well: its check, once
    # per row at commit, was a fifth of a notify to 10,000 callers.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, db_constraint=False
    )
    body = models.TextField(max_length=BODY_MAX)
    # Made by the sending page, so that a send retried after a lost answer is
    # stored once.
    client_id = models.CharField(max_length=CLIENT_ID_MAX, blank=True)
    created_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)
    seen_at = models.DateTimeField(null=True, blank=True)

    objects = Messages.as_manager()

    class Meta:
        ordering = ["caller", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["caller", "seq"], name="one_message_per_seq"),
            # Keyed by client id first: the rows of one notification to thousands
            # go to one place in the index, not one place per caller (each send
            # wrote to every page of it: a third of the rows' insert at 10,000).
            models.UniqueConstraint(
                fields=["client_id", "caller"], condition=~Q(client_id=""), name="one_message_per_client_id"
            ),
        ]
        # Receipts look for what a page has not yet seen: a thread's newest few
        # messages, not all of it (10,000 receipts took 230-660 ms on SQLite
        # walking whole threads; messaging/actions.py).
        indexes = [models.Index(fields=["caller", "seq"], condition=Q(seen_at=None), name="messages_not_yet_seen")]

    def __str__(self):
        return f"#{self.seq} {self.sender}"


TITLE_MAX = 60
# A text as the clinic writes it, before its variables are filled: the check
# that it fits a message once filled is messaging.variables.longest_filled.
TEMPLATE_MAX = BODY_MAX


class QuickReply(models.Model):
    """A clinic's ready-made message, one click away when notifying or replying:
    a short title for the team, the text in English and German (the caller's
    language chooses; an empty one falls back to the other)."""

    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.CASCADE, related_name="quick_replies")
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=TITLE_MAX)
    text_en = models.TextField(max_length=TEMPLATE_MAX, blank=True)
    text_de = models.TextField(max_length=TEMPLATE_MAX, blank=True)

    class Meta:
        ordering = ["clinic", "position", "pk"]

    def __str__(self):
        return self.title

    def texts(self):
        return {"en": self.text_en, "de": self.text_de}


class AutomatedMessages(models.Model):
    """Which messages the clinic's waiting area sends by itself, and their
    texts (English and German, with the quick replies' variables). One row per
    clinic, made when first saved: no row, nothing is sent."""

    clinic = models.OneToOneField("clinics.Clinic", on_delete=models.CASCADE, related_name="automated_messages")

    welcome_on = models.BooleanField(default=False)
    welcome_en = models.TextField(max_length=TEMPLATE_MAX, blank=True)
    welcome_de = models.TextField(max_length=TEMPLATE_MAX, blank=True)

    patience_on = models.BooleanField(default=False)
    patience_minutes = models.PositiveSmallIntegerField(default=15)
    # Sent after N, 2N, … minutes, at most this many times a visit.
    patience_times = models.PositiveSmallIntegerField(default=1)
    patience_en = models.TextField(max_length=TEMPLATE_MAX, blank=True)
    patience_de = models.TextField(max_length=TEMPLATE_MAX, blank=True)

    hold_on = models.BooleanField(default=False)
    hold_en = models.TextField(max_length=TEMPLATE_MAX, blank=True)
    hold_de = models.TextField(max_length=TEMPLATE_MAX, blank=True)

    def texts(self, kind):
        return {"en": getattr(self, f"{kind}_en"), "de": getattr(self, f"{kind}_de")}

    def is_on(self, kind):
        return getattr(self, f"{kind}_on")


class Automated(models.TextChoices):
    WELCOME = "welcome", "welcome"
    PATIENCE = "patience", "patience"
    HOLD = "hold", "hold"


class AutomatedSent(models.Model):
    """That a visit was sent an automated message: the `round`-th of its kind
    (patience: after N, 2N … minutes; hold: each time put on hold). Unique, so
    that two processes checking at once send it once."""

    caller = models.ForeignKey("waiting.Caller", on_delete=models.CASCADE, related_name="+", db_index=False)
    kind = models.CharField(max_length=10, choices=Automated.choices)
    round = models.PositiveSmallIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["caller", "kind", "round"], name="one_automated_message_per_round")
        ]
