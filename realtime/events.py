"""Group names, event payloads and publishing: the one place they are made.

Action functions call the publish_* functions from `transaction.on_commit`, after
the change is stored. The channel layer is at-most-once: an event only says
"this changed, here is the new state"; pages that miss one catch up from the
database when they reconnect (see docs/realtime.md).

This module is a leaf: it imports no actions and no consumers.
"""

import asyncio
import logging
import threading

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

log = logging.getLogger(__name__)

# Channel-layer event types; a consumer's handler is the type with "." → "_".
CALLERS_CHANGED = "callers.changed"  # to a clinic's dashboards
THREADS_GREW = "threads.grew"  # to a clinic's dashboards: the clinic wrote to callers (badges)
CLINIC_CHANGED = "clinic.changed"  # to a clinic's dashboards and caller pages
THREAD_MESSAGES = "thread.messages"  # to one caller's page
THREAD_BROADCAST = "thread.broadcast"  # one message to many callers' pages
RECEIPTS_CHANGED = "receipts.changed"  # to a clinic's dashboards
VISIT_CHANGED = "visit.changed"  # to one caller's page
PAGE_REPLACED = "page.replaced"  # to the channel of a caller page that a newer one took over
CALL_CHANGED = "call.changed"  # to a call's pages and its caller's page
CALL_SIGNAL = "call.signal"  # WebRTC signalling, to one participant's channel
QUEUE_MOVED = "queue.moved"  # to a clinic's caller pages: a caller left or re-entered its queue
SESSION_ENDED = "session.ended"  # to one person's staff pages: a sign-in of theirs may have ended


def staff_group(clinic_id):
    return f"clinic-{int(clinic_id)}.staff"


def callers_group(clinic_id):
    return f"clinic-{int(clinic_id)}.callers"


def caller_group(caller_id):
    return f"caller-{int(caller_id)}"


def call_group(call_id):
    return f"call-{int(call_id)}"


def staff_person_group(user_id):
    """Every staff page (dashboard, call page) one person has open, on any process."""
    return f"person-{int(user_id)}.staff"


def _iso(value):
    return value.isoformat() if value else None


# Payloads ----------------------------------------------------------------------


# Parts other apps add to every card (calls: who is with the caller). A part
# is a function of the caller that returns a dict; registered from an app's
# ready(), so this module still imports no app.
_card_parts = []


def add_to_caller_card(part):
    _card_parts.append(part)


def caller_card(caller):
    """What a dashboard shows of a caller (only ever sent to the clinic's staff)."""
    card = {
        "id": caller.pk,
        "present": caller.left_at is None,
        "version": caller.version,
        "name": caller.name,
        "status": caller.status,
        "current_status": caller.current_status,
        "arrived_at": _iso(caller.arrived_at),
        "status_changed_at": _iso(caller.status_changed_at),
        "phone": caller.phone,
        "date_of_birth": _iso(caller.date_of_birth),
        "extra_answer": caller.extra_answer,
        "appointment_at": _iso(caller.appointment_at),
        "message_count": caller.message_count,
        "last_message_from": caller.last_message_from,
        "last_message_at": _iso(caller.last_message_at),
        "camera": caller.camera,
        "microphone": caller.microphone,
    }
    for part in _card_parts:
        card |= part(caller)
    return card


def message_for_caller(message):
    return {
        "seq": message.seq,
        "sender": message.sender,
        "body": message.body,
        "created_at": _iso(message.created_at),
    }


def message_for_staff(message):
    return {
        **message_for_caller(message),
        "author": person_name(message.author),
        "delivered_at": _iso(message.delivered_at),
        "seen_at": _iso(message.seen_at),
    }


def visit_state(caller):
    """What a caller's page shows of its own visit."""
    return {
        "clinic_id": caller.clinic_id,
        "status": caller.current_status,
        "present": caller.left_at is None,
        "leave_reason": caller.leave_reason,
        "arrived_at": _iso(caller.arrived_at),
    }


def clinic_for_callers(clinic):
    return {
        "name": clinic.name,
        "slug": clinic.slug,
        "guest_messaging": clinic.guest_messaging_enabled,
        # Every version: one event reaches callers reading either language,
        # and each page shows its own (static/waiting/wait.js, Clinic.text_for).
        "waiting_text": {"en": clinic.waiting_text_en, "de": clinic.waiting_text_de},
        "language": clinic.language,
        # New callers are turned away (the dashboard says so); callers in stay.
        "paused": clinic.paused,
    }


def person_name(user):
    return (user.get_full_name() or user.get_username()) if user else None


def call_state(call, caller, seats):
    """A call as its pages show it: who is in it, who is connected, held or not."""
    return {
        "id": call.pk,
        "open": call.ended_at is None,
        "started_at": _iso(call.started_at),
        "on_hold": caller.current_status == "on_hold",
        "participants": [
            {
                "id": seat.pk,
                "is_caller": seat.is_caller,
                "name": caller.name if seat.is_caller else person_name(seat.user),
                "online": bool(caller.page_channel if seat.is_caller else seat.channel_name),
            }
            for seat in seats
        ],
    }


# Publishing -------------------------------------------------------------------


def _send(group, event):
    try:
        async_to_sync(get_channel_layer().group_send)(group, event)
    except Exception:
        # Stored already; a page that misses this catches up when it reconnects.
        log.warning("could not announce %s to %s", event["type"], group, exc_info=True)


_deferred = threading.local()


def after_response(announce):
    """Run `announce` once the HTTP response this thread is making has been
    sent, or now outside a request. For a notification to ten thousand
    callers: the staff member hears "sent" when it is stored, not after the
    process has handed the message to every page (in one process, the pages
    and the response share the event loop)."""
    pending = getattr(_deferred, "pending", None)
    if pending is None:
        announce()
    else:
        pending.append(announce)


def request_started(**kwargs):
    _deferred.pending = []


def request_finished(**kwargs):
    """The response is sent (Django closes it after): what waited for it goes now."""
    pending, _deferred.pending = getattr(_deferred, "pending", None), None
    for announce in pending or ():
        try:
            announce()
        except Exception:
            log.warning("could not announce after a response", exc_info=True)


def publish_callers_changed(clinic_id, callers):
    if callers:
        _send(staff_group(clinic_id), {"type": CALLERS_CHANGED, "cards": [caller_card(c) for c in callers]})


def publish_threads_grew(clinic_id, badges, *, sender, at):
    """The badges of callers the clinic wrote to, [caller_id, version,
    message_count] each: what changed on their cards and nothing else — for a
    notification to ten thousand callers, a tenth of their whole cards."""
    _send(staff_group(clinic_id), {"type": THREADS_GREW, "sender": sender, "at": _iso(at), "counts": badges})


def publish_callers_gone(clinic_id, caller):
    """The caller left this clinic's list without leaving the waiting area (a transfer)."""
    _send(staff_group(clinic_id), {"type": CALLERS_CHANGED, "cards": [caller_card(caller) | {"present": False}]})


def publish_thread_messages(caller_id, messages):
    _send(caller_group(caller_id), {"type": THREAD_MESSAGES, "messages": [message_for_caller(m) for m in messages]})


def publish_broadcast(clinic_id, message, sent, *, bodies=None):
    """One message to many callers: one event for the clinic's caller pages,
    each of which picks its own number out of `seqs` (`sent`: (caller_id, seq) pairs)
    and, for a quick reply filled in for each caller, its own text out of `bodies`."""
    event = {
        "type": THREAD_BROADCAST,
        "message": message_for_caller(message) | {"seq": None},
        "seqs": {str(caller_id): seq for caller_id, seq in sent},
    }
    if bodies is not None:
        event["bodies"] = {str(caller_id): bodies[caller_id] for caller_id, _seq in sent}
    _send(callers_group(clinic_id), event)


def publish_receipts(clinic_id, receipts):
    """receipts: [{caller_id, delivered_seq, seen_seq}] of the clinic's callers."""
    _send(staff_group(clinic_id), {"type": RECEIPTS_CHANGED, "receipts": receipts})


def publish_visit_changed(caller):
    _send(caller_group(caller.pk), {"type": VISIT_CHANGED, "visit": visit_state(caller)})


def publish_queue_moved(clinic_id, ticket, step):
    """A caller left the clinic's queue (step -1) or entered it ahead of
    others (+1): each page of a caller behind `ticket` moves by `step`. Tiny,
    and the same for every page; the consumers keep it (the pages are sent
    only their own new place)."""
    _send(callers_group(clinic_id), {"type": QUEUE_MOVED, "ticket": ticket, "step": step})


def publish_clinic_changed(clinic):
    event = {"type": CLINIC_CHANGED, "clinic": clinic_for_callers(clinic)}
    _send(callers_group(clinic.pk), event)
    _send(staff_group(clinic.pk), event)


def tell_pages_replaced(channel_names):
    """Tell each of these caller pages that a newer one took its visit over,
    in one trip from this thread to the event loop for all of them: after a
    process dies or restarts, every page that comes back replaces its dead
    predecessor, thousands at once."""

    async def tell(layer):
        failed = 0
        for start in range(0, len(channel_names), TELL_TOGETHER):
            sent = await asyncio.gather(
                *(layer.send(name, {"type": PAGE_REPLACED}) for name in channel_names[start:start + TELL_TOGETHER]),
                return_exceptions=True,
            )
            failed += sum(isinstance(result, Exception) for result in sent)
        if failed:
            log.warning("could not tell %d replaced caller pages", failed)

    if not channel_names:
        return
    try:
        async_to_sync(tell)(get_channel_layer())
    except Exception:
        log.warning("could not tell replaced caller pages", exc_info=True)


TELL_TOGETHER = 100  # sends in flight at once (with Redis: one connection each from the pool)


def publish_call_changed(call, caller, seats):
    event = {"type": CALL_CHANGED, "call": call_state(call, caller, seats)}
    _send(call_group(call.pk), event)
    _send(caller_group(caller.pk), event)


def publish_session_ended(user_id, session_key=None):
    """A sign-in of this person ended or may have. With `session_key` (signed
    out): the pages of that session close at once. Without (password changed,
    deactivated, removed from a clinic, sessions ended by an admin): each of
    the person's pages checks its session against the database and closes if
    it no longer holds (realtime/staff.py)."""
    _send(staff_person_group(user_id), {"type": SESSION_ENDED, "session_key": session_key})


async def relay_signal(channel_name, from_participant, signal):
    """Pass one checked WebRTC signal to one participant's page."""
    await get_channel_layer().send(channel_name, {"type": CALL_SIGNAL, "from": from_participant, "signal": signal})
