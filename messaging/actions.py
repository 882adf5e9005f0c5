"""Everything that writes a caller's thread: notifications from the clinic,
messages from callers, and receipts."""

from collections import defaultdict
from datetime import timedelta
from typing import NamedTuple

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import DateTimeField, F, IntegerField, Max, Q, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.log import record
from realtime import events
from realtime.limits import BODY_MAX, SharedTokenBucket
from realtime.text import is_encodable, shows_nothing, without_controls
from waitroom.errors import ActionError
from waitroom.lookups import among, rows_of
from waiting import queue
from waiting.actions import lock_caller
from waiting.models import Caller, Sender, Status

from . import variables
from .models import CLIENT_ID_MAX, TEMPLATE_MAX, TITLE_MAX, Automated, AutomatedMessages, AutomatedSent, Message, QuickReply
from .signals import caller_message_received

# Statuses in which a caller may write (when the clinic allows guest messaging):
# in a call too, where the thread is a panel of the call screen (docs/calls.md).
CALLER_MAY_WRITE = {Status.WAITING, Status.ON_HOLD, Status.BEING_SEEN}

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


def _append_to_many(recipients, *, body, author, client_id, now, bodies=None):
    """Add the clinic's message to each recipient's thread: recipients are
    locked (caller_id, message_count, version) rows. The database copies the rows
    itself (INSERT ... SELECT from the callers, seq = message_count + 1), then
    one UPDATE: no model instance and no parameter per recipient — for ten
    thousand, those were most of the time before any caller was told.

    `bodies` ({caller_id: text}, a template filled for each): the rows are
    written by one executemany instead, still one statement's work."""
    ids = [caller_id for caller_id, _, _ in recipients]
    table = connection.ops.quote_name(Message._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in MESSAGE_COLUMNS)
    if bodies is None:
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
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {table} ({columns}) {select}", params)
    else:
        author_id = author.pk if author is not None else None
        at = DateTimeField().get_db_prep_value(now, connection)
        values = [
            (caller_id, count + 1, Sender.CLINIC, author_id, bodies[caller_id], client_id, at)
            for caller_id, count, _ in recipients
        ]
        marks = ", ".join(["%s"] * len(MESSAGE_COLUMNS))
        with connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", values)
    # The rows are locked, so +1 here is the count read above +1.
    Caller.objects.filter(among("pk", ids)).update(
        message_count=F("message_count") + 1,
        last_message_from=Sender.CLINIC,
        last_message_at=now,
        version=F("version") + 1,
    )
    return [Sent(caller_id, count + 1) for caller_id, count, _ in recipients]


def language_of(caller_language, clinic):
    """The language the clinic's texts reach a caller in: their pages', else the clinic's."""
    return caller_language or clinic.language or settings.LANGUAGE_CODE


def text_in(texts, language):
    """The text in that language, or else in the other (a clinic may write only one)."""
    return texts.get(language) or next((t for t in texts.values() if t), "")


def fill_for(clinic, texts, caller_ids, *, now):
    """A template's texts filled for each caller: (one text for all, None) when
    it has no variables and one language, else (None, {caller_id: text})."""
    written = {language: text for language, text in texts.items() if text}
    used = set().union(*(variables.names_in(t) for t in written.values())) if written else set()
    if not used and len(set(written.values())) <= 1:
        return variables.fill(next(iter(written.values()), ""), {}), None
    rows = Caller.objects.filter(among("pk", caller_ids)).values_list("pk", "name", "arrived_at", "language")
    places = {}
    if "position" in used:
        if len(caller_ids) == 1:
            caller = Caller.objects.get(pk=next(iter(caller_ids)))
            places = {caller.pk: queue.position_of(caller)}
        else:
            places = queue.positions(clinic.pk)
    bodies = {}
    for pk, name, arrived_at, language in rows:
        text = text_in(texts, language_of(language, clinic))
        if not used:
            bodies[pk] = variables.fill(text, {})
            continue
        values = variables.values_for(FilledFor(name, arrived_at), clinic, position=places.get(pk), now=now)
        bodies[pk] = variables.fill(text, values)[:BODY_MAX]
    return None, bodies


class FilledFor(NamedTuple):
    name: str
    arrived_at: object


def quick_reply_of(clinic, quick_reply_id):
    """The clinic's quick reply, or a refusal: another clinic's is not found."""
    if not is_whole_id(quick_reply_id):
        raise ActionError("invalid", _("quick_reply is the number of one of the clinic's quick replies."))
    reply = QuickReply.objects.filter(clinic=clinic, pk=quick_reply_id).first()
    if reply is None:
        raise ActionError("no_quick_reply", _("This quick reply does not exist (any more)."), status=404)
    return reply


def is_whole_id(value):
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**53


def do_notify(clinic, *, actor, caller_ids, body=None, client_id="", quick_reply_id=None, api_key_id=None):
    """The clinic sends one message to one or many of its present callers:
    the text typed (`body`), or a quick reply filled in for each caller, in
    their language (`quick_reply_id`; the server fills it, never the page).

    `actor` is the team member who sends it; a practice system sends it with
    an API key (integrations/api.py): no person (actor None), and the trail
    names the key (`api_key_id`).

    Callers who are not the clinic's or have left are skipped; a retried send
    (same client_id) adds nothing to threads that have it. Returns what was
    sent: (caller_id, seq) of each new message.
    """
    if quick_reply_id is not None:
        if body not in (None, ""):
            raise ActionError("invalid", _("Send either a text or a quick reply, not both."))
        texts = quick_reply_of(clinic, quick_reply_id).texts()
    else:
        body = clean_body(body)
    client_id = clean_client_id(client_id)
    try:
        ids = sorted({int(i) for i in caller_ids})
    except (TypeError, ValueError):
        raise ActionError("invalid", _("caller_ids are numbers."))
    with transaction.atomic():
        recipients = rows_of(
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
                Message.objects.with_client_id(client_id).filter(among("caller_id", ids)).values_list("caller_id", flat=True)
            )
            recipients = [r for r in recipients if r[0] not in done]
            if not recipients:
                return []
        now = timezone.now()
        bodies = None
        if quick_reply_id is not None:
            body, bodies = fill_for(clinic, texts, [r[0] for r in recipients], now=now)
        sent = _append_to_many(recipients, body=body, author=actor, client_id=client_id, now=now, bodies=bodies)
        record(
            "message.notify",
            clinic=clinic,
            actor=actor,
            caller=Caller(pk=sent[0].caller_id) if len(sent) == 1 else None,
            recipients=len(sent),
            **({"quick_reply": quick_reply_id} if quick_reply_id is not None else {}),
            **({"api_key": api_key_id} if api_key_id is not None else {}),
        )
        _announce_sent(clinic, recipients, sent, body=body, bodies=bodies, author=actor, client_id=client_id, now=now)
    return sent


def _announce_sent(clinic, recipients, sent, *, body, bodies, author, client_id, now):
    """On commit: the message to the pages of its callers, and the badges to the clinic's."""
    # What the pages are told: the message once, and each caller's number.
    message = Message(sender=Sender.CLINIC, author=author, body=body, client_id=client_id, created_at=now)
    message.caller_id, message.seq = sent[0]
    if bodies is not None:
        message.body = bodies[message.caller_id]
    badges = [[caller_id, version + 1, count + 1] for caller_id, count, version in recipients]

    def announce():
        if len(sent) == 1:
            events.publish_thread_messages(message.caller_id, [message])
        else:
            events.publish_broadcast(clinic.pk, message, sent, bodies=bodies)
        events.publish_threads_grew(clinic.pk, badges, sender=Sender.CLINIC, at=now)

    if len(sent) == 1:
        transaction.on_commit(announce)
    else:  # to many: staff hear "sent" first, then the pages are told (realtime/events.py)
        transaction.on_commit(lambda: events.behind_the_response(announce))


def do_send_caller_message(caller_id, *, body, client_id=""):
    """A caller writes to the clinic. Returns (message, created)."""
    body = clean_body(body)
    client_id = clean_client_id(client_id)
    with transaction.atomic():
        caller = lock_caller(caller_id)
        if client_id:
            existing = Message.objects.with_client_id(client_id).filter(caller=caller, sender=Sender.CALLER).first()
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
        caller_message_received.send(sender=Message, message=message, caller=caller)  # e.g. a webhook event

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
            for caller_id, clinic_id in rows_of(Caller.objects.filter(among("pk", receipts)).values_list("pk", "clinic_id")):
                delivered, seen = receipts[caller_id]
                by_clinic[clinic_id].append({"caller_id": caller_id, "delivered_seq": delivered, "seen_seq": seen})
            transaction.on_commit(lambda: [events.publish_receipts(c, r) for c, r in by_clinic.items()])
    return tuple(counts)


def thread(caller, *, after=0):
    return Message.objects.filter(caller=caller, seq__gt=after).select_related("author").order_by("seq")


# Quick replies and automated messages: the clinic's texts ---------------------

QUICK_REPLIES_MAX = 50  # per clinic: a list to pick from, not an archive


def clean_title(title):
    if not isinstance(title, str) or not is_encodable(title):
        raise ActionError("invalid", _("A title is text."), field="title")
    title = " ".join(without_controls(title).split())
    if shows_nothing(title):
        raise ActionError("empty", _("Give the quick reply a title."), field="title")
    if len(title) > TITLE_MAX:
        raise ActionError("too_long", _("A title has at most %(n)s characters.") % {"n": TITLE_MAX}, field="title")
    return title


def clean_template(text, *, field):
    """A text as the clinic writes it, variables and all: refused (with the
    field named) when it is not text, names an unknown variable, has a lone
    brace, or would not fit a message once filled in."""
    if text is None:
        text = ""
    if not isinstance(text, str) or not is_encodable(text):
        raise ActionError("invalid", _("A message is text."), field=field)
    text = without_controls(text).strip()
    if shows_nothing(text):
        return ""
    if len(text) > TEMPLATE_MAX:
        raise ActionError("too_long", _("A message has at most %(n)s characters.") % {"n": TEMPLATE_MAX}, field=field)
    try:
        longest = variables.longest_filled(text)
    except variables.BadVariables as e:
        raise ActionError("unknown_variable", str(e), field=field)
    if longest > BODY_MAX:
        raise ActionError(
            "too_long",
            _("Filled in, this text could be longer than a message (%(n)s characters): shorten it.") % {"n": BODY_MAX},
            field=field,
        )
    return text


def _clean_texts(fields, names):
    cleaned = {name: clean_template(fields.get(name, ""), field=name) for name in names}
    if not any(cleaned.values()):
        raise ActionError("empty", _("Write the text in English, in German, or in both."), field=names[0])
    return cleaned


def do_add_quick_reply(clinic, *, actor, title, text_en="", text_de=""):
    fields = {"title": clean_title(title), **_clean_texts({"text_en": text_en, "text_de": text_de}, ["text_en", "text_de"])}
    with transaction.atomic():
        replies = QuickReply.objects.select_for_update().filter(clinic=clinic)
        positions = list(replies.values_list("position", flat=True))
        if len(positions) >= QUICK_REPLIES_MAX:
            raise ActionError("too_many", _("A clinic keeps at most %(n)s quick replies.") % {"n": QUICK_REPLIES_MAX})
        reply = QuickReply.objects.create(clinic=clinic, position=max(positions, default=0) + 1, **fields)
        record("clinic.quick_reply_added", clinic=clinic, actor=actor, quick_reply=reply.pk, title=reply.title)
    return reply


def _lock_quick_reply(clinic, reply_id):
    reply = QuickReply.objects.select_for_update().filter(clinic=clinic, pk=reply_id).first()
    if reply is None:
        raise ActionError("no_quick_reply", _("This quick reply does not exist (any more)."), status=404)
    return reply


def do_change_quick_reply(clinic, reply_id, *, actor, title, text_en="", text_de=""):
    fields = {"title": clean_title(title), **_clean_texts({"text_en": text_en, "text_de": text_de}, ["text_en", "text_de"])}
    with transaction.atomic():
        reply = _lock_quick_reply(clinic, reply_id)
        changes = {f: [getattr(reply, f), v] for f, v in fields.items() if getattr(reply, f) != v}
        if changes:
            for f, (_old, new) in changes.items():
                setattr(reply, f, new)
            reply.save(update_fields=list(changes))
            record("clinic.quick_reply_changed", clinic=clinic, actor=actor, quick_reply=reply.pk, title=reply.title, changes=changes)
    return reply, changes


def do_move_quick_reply(clinic, reply_id, *, actor, up):
    """Move a quick reply one place up or down the list the team picks from."""
    with transaction.atomic():
        replies = list(QuickReply.objects.select_for_update().filter(clinic=clinic).order_by("position", "pk"))
        index = next((i for i, r in enumerate(replies) if r.pk == reply_id), None)
        if index is None:
            raise ActionError("no_quick_reply", _("This quick reply does not exist (any more)."), status=404)
        other = index - 1 if up else index + 1
        if not 0 <= other < len(replies):
            return replies[index]
        replies[index], replies[other] = replies[other], replies[index]
        for position, r in enumerate(replies, start=1):
            if r.position != position:
                r.position = position
                r.save(update_fields=["position"])
        moved = replies[other]
        record("clinic.quick_reply_changed", clinic=clinic, actor=actor, quick_reply=moved.pk, title=moved.title, moved="up" if up else "down")
    return moved


def do_remove_quick_reply(clinic, reply_id, *, actor):
    with transaction.atomic():
        reply = _lock_quick_reply(clinic, reply_id)
        record("clinic.quick_reply_removed", clinic=clinic, actor=actor, quick_reply=reply.pk, title=reply.title)
        reply.delete()


def quick_replies(clinic):
    return QuickReply.objects.filter(clinic=clinic).order_by("position", "pk")


def preview(clinic, quick_reply_id, caller):
    """A quick reply as it would be sent to this caller now: filled, in their language."""
    texts = quick_reply_of(clinic, quick_reply_id).texts()
    body, bodies = fill_for(clinic, texts, [caller.pk], now=timezone.now())
    return body if bodies is None else bodies[caller.pk]


# The automated messages' settings: which are on, when, and their texts.
PATIENCE_MINUTES = (1, 240)
PATIENCE_TIMES = (1, 10)
AUTOMATED_TEXTS = {kind: [f"{kind}_en", f"{kind}_de"] for kind in Automated.values}


def do_change_automated_messages(clinic, *, actor, **changes):
    """A clinic admin changes the automated messages. A message switched on
    needs a text; records who changed what from what."""
    fields = {f.name for f in AutomatedMessages._meta.get_fields()} - {"id", "clinic"}
    unknown = set(changes) - fields
    if unknown:
        raise ValueError(f"not automated-message settings: {sorted(unknown)}")
    with transaction.atomic():
        settings_row, _created = AutomatedMessages.objects.select_for_update().get_or_create(clinic=clinic)
        wanted = {f: getattr(settings_row, f) for f in fields} | changes
        for kind, names in AUTOMATED_TEXTS.items():
            for name in names:
                wanted[name] = clean_template(wanted[name], field=name)
            if wanted[f"{kind}_on"] and not any(wanted[n] for n in names):
                raise ActionError("empty", _("Write the text in English, in German, or in both."), field=names[0])
        for name, (low, high) in (("patience_minutes", PATIENCE_MINUTES), ("patience_times", PATIENCE_TIMES)):
            if not is_whole_id(wanted[name]) or not low <= wanted[name] <= high:
                raise ActionError("invalid", _("Choose a number from %(low)s to %(high)s.") % {"low": low, "high": high}, field=name)
        changed = {f: [getattr(settings_row, f), v] for f, v in wanted.items() if getattr(settings_row, f) != v}
        if changed:
            for f, (_old, new) in changed.items():
                setattr(settings_row, f, new)
            settings_row.save(update_fields=list(changed))
            record("clinic.automated_messages_changed", clinic=clinic, actor=actor, changes=changed)
    return settings_row, changed


# Automated messages: written here and nowhere else ---------------------------

IN_STATUS = {
    Automated.WELCOME: Q(),
    Automated.PATIENCE: queue.IN_QUEUE,
    Automated.HOLD: Q(status=Status.ON_HOLD) | Q(status=Status.OFFLINE, status_before_offline=Status.ON_HOLD),
}


def do_send_automated_message(clinic, kind, rounds):
    """The waiting area writes an automated message of `kind` (welcome,
    patience, hold) to callers of the clinic: `rounds` is {caller_id: round}
    (patience: the how-manieth; hold: each time put on hold).

    Like any message of the clinic's (numbered, delivered with the alert,
    counted in its badge), filled in for each caller in their language. Each
    (caller, kind, round) is sent once however many processes ask at once:
    the callers' rows are locked and what was sent is looked up under the lock;
    the unique AutomatedSent row stops anything that slips past. Returns what
    was sent."""
    config = AutomatedMessages.objects.filter(clinic=clinic).first()
    if config is None or not config.is_on(kind) or not rounds:
        return []
    with transaction.atomic():
        recipients = list(
            Caller.objects.present()
            .select_for_update(of=("self",))
            .filter(IN_STATUS[kind], among("pk", rounds), clinic=clinic)
            .order_by("pk")
            .values_list("id", "message_count", "version")
        )
        done = set(
            AutomatedSent.objects.filter(among("caller_id", rounds), kind=kind).values_list("caller_id", "round")
        )
        recipients = [r for r in recipients if (r[0], rounds[r[0]]) not in done]
        if not recipients:
            return []
        AutomatedSent.objects.bulk_create(
            [AutomatedSent(caller_id=caller_id, kind=kind, round=rounds[caller_id]) for caller_id, _, _ in recipients]
        )
        now = timezone.now()
        body, bodies = fill_for(clinic, config.texts(kind), [r[0] for r in recipients], now=now)
        sent = _append_to_many(recipients, body=body, author=None, client_id="", now=now, bodies=bodies)
        record(
            "message.automated",
            clinic=clinic,
            caller=Caller(pk=sent[0].caller_id) if len(sent) == 1 else None,
            kind=kind,
            recipients=len(sent),
        )
        _announce_sent(clinic, recipients, sent, body=body, bodies=bodies, author=None, client_id="", now=now)
    return sent


def _send_to_one(caller, kind, round):
    """An automated message to one caller inside the action that locked them
    (entry, hold): their row in memory, which that action announces, is
    brought up to date with the message."""
    if do_send_automated_message(caller.clinic, kind, {caller.pk: round}):
        caller.refresh_from_db(fields=["message_count", "last_message_from", "last_message_at", "version"])


def on_visit_started(sender, caller, **kwargs):
    _send_to_one(caller, Automated.WELCOME, 1)


def on_status_changed(sender, caller, status, **kwargs):
    if status == Status.ON_HOLD:
        held_before = AutomatedSent.objects.filter(caller=caller, kind=Automated.HOLD).count()
        _send_to_one(caller, Automated.HOLD, held_before + 1)


def do_send_patience_messages(now=None):
    """The watchdog's check (every few seconds, in every process): callers
    who have waited N, 2N … minutes are thanked for their patience, at most
    the clinic's number of times a visit. A caller who waited long before the
    message was switched on gets one now, not all the rounds they missed."""
    now = now or timezone.now()
    sent = []
    for config in AutomatedMessages.objects.filter(patience_on=True).select_related("clinic"):
        clinic, every = config.clinic, timedelta(minutes=config.patience_minutes)
        waiting = dict(queue.in_order(clinic.pk).filter(arrived_at__lte=now - every).values_list("pk", "arrived_at"))
        if not waiting:
            continue
        last = dict(
            AutomatedSent.objects.filter(among("caller_id", waiting), kind=Automated.PATIENCE)
            .values("caller_id")
            .annotate(last=Max("round"))
            .values_list("caller_id", "last")
        )
        rounds = {}
        for pk, arrived_at in waiting.items():
            due = min(config.patience_times, int((now - arrived_at) / every))
            if due > last.get(pk, 0):
                rounds[pk] = due
        if rounds:
            try:
                sent += do_send_automated_message(clinic, Automated.PATIENCE, rounds)
            except IntegrityError:
                pass  # another process sent them this moment: nothing is sent twice
    return sent
