from django.conf import settings
from django.db import models
from django.db.models import Q

from realtime.limits import BODY_MAX
from waiting.models import Sender

CLIENT_ID_MAX = 64


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

    class Meta:
        ordering = ["caller", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["caller", "seq"], name="one_message_per_seq"),
            models.UniqueConstraint(
                fields=["caller", "client_id"], condition=~Q(client_id=""), name="one_message_per_client_id"
            ),
        ]
        # Receipts look for what a page has not yet seen: a thread's newest few
        # messages, not all of it (10,000 receipts took 230-660 ms on SQLite
        # walking whole threads; messaging/actions.py).
        indexes = [models.Index(fields=["caller", "seq"], condition=Q(seen_at=None), name="messages_not_yet_seen")]

    def __str__(self):
        return f"#{self.seq} {self.sender}"
