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


_serving = threading.local()  # .loop: where this thread's announcements go; .held: kept to go behind a response


def hand_over_to(loop):
    """Announcements from this thread go to `loop` without waiting for it.

    A request thread of the tuned HTTP server (waitroom/server/http.py) says
    so: its announcements are handed to the server's event loop, which takes
    them first come, first served (so in order), and the thread goes on with
    its answer instead of waiting for a loop that is busy telling ten
    thousand pages. Elsewhere an announcement waits until the loop has taken
    it (async_to_sync): a thread of Django's own handler, a worker, a test."""
    _serving.loop = loop


def _send(group, event):
    held = getattr(_serving, "held", None)
    if held is not None:
        held.append((group, event))
        return
    loop = getattr(_serving, "loop", None)
    if loop is not None:
        loop.call_soon_threadsafe(_send_on_loop, group, event)
        return
    try:
        async_to_sync(get_channel_layer().group_send)(group, event)
    except Exception:
        # Stored already; a page that misses this catches up when it reconnects.
        log.warning("could not announce %s to %s", event["type"], group, exc_info=True)


_on_their_way = set()  # announcements the loop is still sending (asyncio keeps tasks only weakly)


def send_held(held):
    """On the event loop: the announcements response_made() held, in order."""
    for group, event in held:
        _send_on_loop(group, event)


def _send_on_loop(group, event):
    task = asyncio.ensure_future(get_channel_layer().group_send(group, event))
    _on_their_way.add(task)
    task.add_done_callback(_sent)
    task.event = (event["type"], group)


def _sent(task):
    _on_their_way.discard(task)
    if not task.cancelled() and task.exception() is not None:
        log.warning("could not announce %s to %s", *task.event, exc_info=task.exception())


_deferred = threading.local()  # .behind: announcements for right behind the response; .after: work for after it


def behind_the_response(announce):
    """Run `announce` so that what it announces reaches the event loop right
    behind the HTTP response this thread is making (now outside a request).
    For a notification to ten thousand callers: the staff member hears "sent"
    when it is stored, not after the process has handed the message to every
    page (in one process, the pages and the response share the event loop)."""
    _later("behind", announce)


def after_response(work):
    """Run `work` once the HTTP response this thread is making has been sent
    (now outside a request): e.g. a mail whose sending must not show in the
    response's timing."""
    _later("after", work)


def _later(which, work):
    waiting = getattr(_deferred, which, None)
    if waiting is None:
        work()
    else:
        waiting.append(work)


def request_started(**kwargs):
    _deferred.behind, _deferred.after = [], []


def response_made():
    """The tuned HTTP server (waitroom/server/http.py) has made the response:
    what was to go right behind it runs now, in this thread, and the
    announcements it makes are returned instead of sent, for the server to
    hand to the event loop with the response (send_held). Under Django's own
    handler, request_finished runs it once the response is sent."""
    behind, _deferred.behind = getattr(_deferred, "behind", None), []
    _serving.held = []
    try:
        _run_all(behind)
    finally:
        held, _serving.held = _serving.held, None
    return held


def waits_for_the_response():
    """Is there work for after the response is sent (after_response)?"""
    return bool(getattr(_deferred, "after", None))


def request_finished(**kwargs):
    """The response is sent (Django closes it after): what waited for it goes now."""
    behind, after = getattr(_deferred, "behind", None), getattr(_deferred, "after", None)
    _deferred.behind = _deferred.after = None
    _run_all(behind)
    _run_all(after)


def _run_all(waiting):
    for work in waiting or ():
        try:
            work()
        except Exception:
            log.warning("could not run what waited for a response", exc_info=True)


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
