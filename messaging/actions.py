"""Everything that writes a caller's thread: notifications from the clinic,
messages from callers, and receipts."""

from collections import defaultdict
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import DateTimeField, F, IntegerField, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.log import record
from realtime import events
from realtime.limits import BODY_MAX, SharedTokenBucket
from realtime.text import is_encodable, shows_nothing, without_controls
from waitroom.errors import ActionError
from waitroom.lookups import among
from waiting.actions import lock_caller
from waiting.models import Caller, Sender, Status

from .models import CLIENT_ID_MAX, Message

# Statuses in which a caller may write (when the clinic allows guest messaging).
CALLER_MAY_WRITE = {Status.WAITING, Status.ON_HOLD}

# How much a caller may write: 3 messages at once, then one a second. Each
# alerts the clinic's team, so the allowance is the visit's, whatever page or
# process it comes through (a reconnect does not refill it).
CALLER_SENDS_PER_SECOND = 1
CALLER_SENDS_BURST = 3


def caller_sends(caller_id):
    return SharedTokenBucket(f"sends:{caller_id}", rate=CALLER_SENDS_PER_SECOND, burst=CALLER_SENDS_BURST)


def clean_body(body):
    """A message as it is stored: text, without characters that turn the text
    around them, and not one that shows nothing."""
    if not isinstance(body, str) or not is_encodable(body):
        raise ActionError("invalid", _("A message is text."))
    body = without_controls(body).strip()
    if shows_nothing(body):
        raise ActionError("empty", _("The message is empty."))
    if len(body) > BODY_MAX:
        raise ActionError("too_long", _("A message has at most %(n)s characters.") % {"n": BODY_MAX})
    return body


def clean_client_id(client_id):
    if client_id is None:
        return ""
    if not isinstance(client_id, str) or len(client_id) > CLIENT_ID_MAX or not is_encodable(client_id):
        raise ActionError("invalid", _("client_id is text of at most %(n)s characters.") % {"n": CLIENT_ID_MAX})
    return client_id


def _append(caller, *, sender, body, author, client_id, now):
    """Add one message to a (locked) caller's thread."""
    caller.message_count += 1
    caller.last_message_from = sender
    caller.last_message_at = now
    caller.version += 1
    message = Message.objects.create(
        caller=caller, seq=caller.message_count, sender=sender, author=author, body=body, client_id=client_id,
        created_at=now,
    )
    Caller.objects.filter(pk=caller.pk).update(
        message_count=F("message_count") + 1, last_message_from=sender, last_message_at=now, version=F("version") + 1
    )
    return message


class Sent(NamedTuple):
    """A message the clinic added to one caller's thread."""

    caller_id: int
    seq: int


MESSAGE_COLUMNS = ["caller_id", "seq", "sender", "author_id", "body", "client_id", "created_at"]


def _append_to_many(recipients, *, body, author, client_id, now):
    """Add the clinic's message to each recipient's thread: recipients are
    locked (caller_id, message_count, version) rows. The database copies the rows
    itself (INSERT ... SELECT from the callers, seq = message_count + 1), then
    one UPDATE: no model instance and no parameter per recipient — for ten
    thousand, those were most of the time before any caller was told."""
    ids = [caller_id for caller_id, _, _ in recipients]
    rows = Caller.objects.filter(among("pk", ids)).values_list(
        "pk",
        F("message_count") + 1,
        Value(Sender.CLINIC),
        Value(author.pk if author is not None else None, output_field=IntegerField()),
        Value(body),
        Value(client_id),
        Value(now, output_field=DateTimeField()),
    )
    select, params = rows.query.sql_with_params()
    table = connection.ops.quote_name(Message._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in MESSAGE_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({columns}) {select}", params)
    # The rows are locked, so +1 here is the count read above +1.
    Caller.objects.filter(among("pk", ids)).update(
        message_count=F("message_count") + 1,
        last_message_from=Sender.CLINIC,
        last_message_at=now,
        version=F("version") + 1,
    )
    return [Sent(caller_id, count + 1) for caller_id, count, _ in recipients]


def do_notify(clinic, *, actor, caller_ids, body, client_id=""):
    """The clinic sends one message to one or many of its present callers.

    Callers who are not the clinic's or have left are skipped; a retried send
    (same client_id) adds nothing to threads that have it. Returns what was
    sent: (caller_id, seq) of each new message.
    """
    body = clean_body(body)
    client_id = clean_client_id(client_id)
    try:
        ids = sorted({int(i) for i in caller_ids})
    except (TypeError, ValueError):
        raise ActionError("invalid", _("caller_ids are numbers."))
    with transaction.atomic():
        recipients = list(
            Caller.objects.present()
            .select_for_update(of=("self",))
            .filter(among("pk", ids), clinic=clinic)
            .order_by("pk")
            .values_list("id", "message_count", "version")  # all a notification changes
        )
        if not recipients:
            raise ActionError("no_callers", _("None of these callers is in the waiting area."))
        if client_id:
            done = set(
                Message.objects.filter(among("caller_id", ids), client_id=client_id).values_list("caller_id", flat=True)
            )
            recipients = [r for r in recipients if r[0] not in done]
            if not recipients:
                return []
        now = timezone.now()
        sent = _append_to_many(recipients, body=body, author=actor, client_id=client_id, now=now)
        record(
            "message.notify",
            clinic=clinic,
            actor=actor,
            caller=Caller(pk=sent[0].caller_id) if len(sent) == 1 else None,
            recipients=len(sent),
        )
        # What the pages are told: the message once, and each caller's number.
        message = Message(sender=Sender.CLINIC, author=actor, body=body, client_id=client_id, created_at=now)
        message.caller_id, message.seq = sent[0]
        badges = [[caller_id, version + 1, count + 1] for caller_id, count, version in recipients]

        def announce():
            if len(sent) == 1:
                events.publish_thread_messages(message.caller_id, [message])
            else:
                events.publish_broadcast(clinic.pk, message, sent)
            events.publish_threads_grew(clinic.pk, badges, sender=Sender.CLINIC, at=now)

        transaction.on_commit(announce)
    return sent


def do_send_caller_message(caller_id, *, body, client_id=""):
    """A caller writes to the clinic. Returns (message, created)."""
    body = clean_body(body)
    client_id = clean_client_id(client_id)
    with transaction.atomic():
        caller = lock_caller(caller_id)
        if client_id:
            existing = Message.objects.filter(caller=caller, sender=Sender.CALLER, client_id=client_id).first()
            if existing is not None:
                return existing, False
        if caller.left_at is not None:
            raise ActionError("visit_ended", _("Your visit has ended."))
        if not caller.clinic.guest_messaging_enabled:
            raise ActionError("messaging_disabled", _("The clinic does not take messages here."))
        if caller.current_status not in CALLER_MAY_WRITE:
            raise ActionError("wrong_status", _("Messages can be sent while waiting or on hold."))
        if not caller_sends(caller.pk).take():  # the caller's row lock orders the takers
            raise ActionError("rate_limited", _("Too many messages; wait a moment."), status=429)
        message = _append(caller, sender=Sender.CALLER, body=body, author=None, client_id=client_id, now=timezone.now())
        record("message.from_caller", clinic=caller.clinic, caller=caller)

        def announce():
            events.publish_thread_messages(caller.pk, [message])
            events.publish_callers_changed(caller.clinic_id, [caller])

        transaction.on_commit(announce)
    return message, True


def do_record_receipts(caller_id, *, delivered_seq=0, seen_seq=0):
    """The caller's page has received (and shown) the clinic's messages up to
    these numbers."""
    return do_record_many_receipts({caller_id: (delivered_seq, seen_seq)})


def do_record_many_receipts(receipts):
    """Receipts of many pages at once, {caller_id: (delivered_seq, seen_seq)}:
    after a message to thousands, their receipts are a few statements, not
    thousands of transactions (the watchdog gathers them for a second)."""
    now = timezone.now()
    # A message seen is a message delivered: so a seen message never lacks its
    # delivery time, and both statements find their rows among the unseen ones
    # (the messages_not_yet_seen index) instead of walking whole threads.
    receipts = {caller_id: (max(delivered, seen), seen) for caller_id, (delivered, seen) in receipts.items()}
    counts = []
    with transaction.atomic():
        for field, index in (("delivered_at", 0), ("seen_at", 1)):
            callers_by_seq = defaultdict(list)
            for caller_id, numbers in receipts.items():
                if numbers[index] > 0:
                    callers_by_seq[numbers[index]].append(caller_id)
            changed = 0
            for seq, caller_ids in callers_by_seq.items():
                changed += Message.objects.filter(
                    among("caller_id", caller_ids),
                    sender=Sender.CLINIC,
                    seq__lte=seq,
                    **{"seen_at__isnull": True, f"{field}__isnull": True},
                ).update(**{field: now})
            counts.append(changed)
        if any(counts):
            by_clinic = defaultdict(list)
            for caller_id, clinic_id in Caller.objects.filter(among("pk", receipts)).values_list("pk", "clinic_id"):
                delivered, seen = receipts[caller_id]
                by_clinic[clinic_id].append({"caller_id": caller_id, "delivered_seq": delivered, "seen_seq": seen})
            transaction.on_commit(lambda: [events.publish_receipts(c, r) for c, r in by_clinic.items()])
    return tuple(counts)


def thread(caller, *, after=0):
    return Message.objects.filter(caller=caller, seq__gt=after).select_related("author").order_by("seq")
