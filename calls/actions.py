"""Everything that changes a call: join, hold, resume, leave, end, disconnect.

A call is always between the caller and at least one team member: when the last
team member leaves, the call ends, and the caller goes where the team member
said — on hold, back to waiting, or out (End call). Nobody is left alone in a
call without knowing it.
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.log import record
from realtime import events, presence
from waitroom.errors import ActionError
from waitroom.validation import is_id
from waiting.actions import apply_transition, do_touch_card, end_visit, lock_caller
from waiting.models import LeaveReason, Status

from .models import MAX_PARTICIPANTS, Call, Participant
from .signals import call_ended, call_started
from .snapshots import call_snapshot

# What happens to the caller when the last team member leaves.
THEN_HOLD = "hold"
THEN_WAIT = "wait"
THEN_END = "end"
AFTER_LAST_LEAVES = (THEN_HOLD, THEN_WAIT, THEN_END)
# A team member's call page may be away this long (a refresh, a network blip)
# before the call counts as abandoned and the caller is put on hold.
ABANDONED_AFTER = timedelta(seconds=30)


def _locked_call(call_id):
    """The open call and its caller, both locked (the caller first, as every
    action that touches a caller locks it first)."""
    call = Call.objects.filter(pk=call_id).first()
    if call is None:
        raise ActionError("no_call", _("This call does not exist."))
    caller = lock_caller(call.caller_id)
    call = Call.objects.select_for_update().get(pk=call_id)
    if call.ended_at is not None:
        raise ActionError("call_ended", _("This call has ended."))
    return call, caller


def _seat_of(call, user):
    seat = call.participants.filter(user=user, left_at=None, is_caller=False).first()
    if seat is None:
        raise ActionError("not_in_call", _("You are not in this call."))
    return seat


def _announce(call):
    transaction.on_commit(lambda: events.publish_call_changed(*call_snapshot(call)))


def do_join_call(caller_id, *, actor):
    """A team member joins the caller: starts the call, or takes a seat in the
    open one. Returns the call and the team member's seat."""
    with transaction.atomic():
        caller = lock_caller(caller_id)
        if caller.left_at is not None:
            raise ActionError("visit_ended", _("This caller has left the waiting area."))
        if caller.status == Status.OFFLINE:
            raise ActionError("caller_offline", _("This caller's page is offline: they cannot take a call now."))
        now = timezone.now()
        call = Call.objects.select_for_update().filter(caller=caller, ended_at=None).first()
        if call is None:
            call = Call.objects.create(clinic=caller.clinic, caller=caller, started_at=now, started_by=actor)
            Participant.objects.create(call=call, is_caller=True, joined_at=now)
            apply_transition(caller, "see", actor)
            call_started.send(sender=Call, call=call, actor=actor)  # e.g. a webhook event
        else:
            seat = call.participants.filter(user=actor, left_at=None).first()
            if seat is not None:
                return call, seat
            if call.participants.filter(left_at=None).count() >= MAX_PARTICIPANTS:
                raise ActionError("call_full", _("A call has at most %(n)s participants.") % {"n": MAX_PARTICIPANTS})
            do_touch_card(caller)  # the card names who is with the caller
        seat = Participant.objects.create(call=call, user=actor, joined_at=now, away_since=now)
        record("call.joined", clinic=caller.clinic, actor=actor, caller=caller, call=call.pk)
        _announce(call)
    return call, seat


def do_hold(call_id, *, actor):
    """The Call Manager's Hold: the caller waits, media paused both ways."""
    with transaction.atomic():
        call, caller = _locked_call(call_id)
        _seat_of(call, actor)
        apply_transition(caller, "hold", actor)
        _announce(call)
    return call


def do_resume(call_id, *, actor):
    with transaction.atomic():
        call, caller = _locked_call(call_id)
        _seat_of(call, actor)
        if caller.current_status != Status.ON_HOLD:
            raise ActionError("wrong_status", _("The caller is not on hold."))
        apply_transition(caller, "see", actor)
        _announce(call)
    return call


def _end(call, caller, actor, then):
    if caller.left_at is not None:
        # The caller left during the call (their Leave button, removed, Offline
        # too long): the visit is over already and keeps why it ended.
        then = None
    now = timezone.now()
    call.ended_at = now
    call.save(update_fields=["ended_at"])
    call.participants.filter(left_at=None).update(left_at=now, channel_name="")
    record("call.ended", clinic=caller.clinic, actor=actor, caller=caller, call=call.pk, then=then)
    call_ended.send(sender=Call, call=call, actor=actor)  # e.g. a webhook event
    if then == THEN_HOLD and caller.current_status != Status.ON_HOLD:
        apply_transition(caller, "hold", actor)
    elif then == THEN_WAIT:
        apply_transition(caller, "return_to_waiting", actor)
    elif then == THEN_END:
        end_visit(caller, LeaveReason.ENDED, actor)
    _announce(call)


def end_call_of_ended_visit(sender, *, caller, actor, **kwargs):
    """The caller's visit ended during a call (Leave, removed, Offline too
    long): the call ends too, and the team members' call pages say so.
    (waiting's visit_ended signal: calls/apps.py connects it.)"""
    call = Call.objects.select_for_update().filter(caller=caller, ended_at=None).first()
    if call is not None:
        _end(call, caller, actor, None)


def do_leave_call(call_id, *, actor, then=None):
    """Hang up → Leave call. The others stay; if the actor is the last team
    member, `then` says what becomes of the caller. Without it, a caller on
    hold stays on hold (the seed's way); any other caller is not left alone:
    the action is refused so the page can ask."""
    if then is not None and then not in AFTER_LAST_LEAVES:
        raise ActionError("invalid", _("then is one of %(choices)s.") % {"choices": ", ".join(AFTER_LAST_LEAVES)})
    with transaction.atomic():
        call, caller = _locked_call(call_id)
        seat = _seat_of(call, actor)
        others = call.participants.filter(left_at=None, is_caller=False).exclude(pk=seat.pk)
        if others.exists():
            seat.left_at = timezone.now()
            seat.channel_name = ""
            seat.save(update_fields=["left_at", "channel_name"])
            record("call.left", clinic=caller.clinic, actor=actor, caller=caller, call=call.pk)
            do_touch_card(caller)
            _announce(call)
            return call
        if then is None and caller.left_at is None:
            if caller.current_status != Status.ON_HOLD:
                raise ActionError(
                    "caller_alone",
                    _("You are the last team member in this call: say what happens to the caller."),
                    status=409,  # the page asks, then sends `then`
                )
            then = THEN_HOLD
        record("call.left", clinic=caller.clinic, actor=actor, caller=caller, call=call.pk)
        _end(call, caller, actor, then)
    return call


def do_end_call(call_id, *, actor):
    """Hang up → End call: for everyone; the caller's visit ends."""
    with transaction.atomic():
        call, caller = _locked_call(call_id)
        _seat_of(call, actor)
        _end(call, caller, actor, THEN_END)
    return call


def do_disconnect(call_id, participant_id, *, actor):
    """The Call Manager's Disconnect: a team member is taken out of the call;
    the caller is taken out and returns to the waiting area (the call ends)."""
    if not is_id(participant_id):
        # It comes from the page's JSON: "abc" or [1] must be refused, not crash the lookup.
        raise ActionError("not_in_call", _("That participant is not in this call."))
    with transaction.atomic():
        call, caller = _locked_call(call_id)
        seat = _seat_of(call, actor)
        target = call.participants.filter(pk=participant_id, left_at=None).first()
        if target is None:
            raise ActionError("not_in_call", _("That participant is not in this call."))
        if target.pk == seat.pk:
            raise ActionError("invalid", _("To leave the call yourself, hang up."))
        if target.is_caller:
            _end(call, caller, actor, THEN_WAIT)
            return call
        target.left_at = timezone.now()
        target.channel_name = ""
        target.save(update_fields=["left_at", "channel_name"])
        record("call.disconnected", clinic=caller.clinic, actor=actor, caller=caller, call=call.pk,
               participant=target.user_id)
        do_touch_card(caller)
        _announce(call)
    return call


def do_staff_page_connected(call_id, *, actor, channel_name):
    """A team member's call page connected: it carries their signalling now."""
    with transaction.atomic():
        call, caller = _locked_call(call_id)
        seat = _seat_of(call, actor)
        presence.server_heartbeat()
        seat.channel_name = channel_name
        seat.page_server = presence.SERVER_ID
        seat.away_since = None
        seat.save(update_fields=["channel_name", "page_server", "away_since"])
        _announce(call)
    return call, seat


def do_staff_page_disconnected(participant_id, channel_name):
    with transaction.atomic():
        away = Participant.objects.filter(pk=participant_id, channel_name=channel_name)
        if away.update(channel_name="", away_since=timezone.now()):
            call = Participant.objects.get(pk=participant_id).call
            if call.is_open:
                _announce(call)


def do_sweep_calls():
    """The watchdog's sweep of calls (every few seconds, in every process)."""
    do_mark_seats_of_silent_servers_away()
    do_release_abandoned_calls()


def do_mark_seats_of_silent_servers_away():
    """Team members whose call page was held by a process that died are away."""
    dead = list(presence.silent_servers())
    if dead:
        Participant.objects.filter(left_at=None, page_server__in=dead).exclude(channel_name="").update(
            channel_name="", away_since=timezone.now()
        )


def do_release_abandoned_calls():
    """Calls whose team members' pages have all been away too long (closed tab,
    crashed browser) end with the caller on hold, where they see that they wait
    and can write to the clinic."""
    cutoff = timezone.now() - ABANDONED_AFTER
    released = []
    attended = Participant.objects.filter(call=OuterRef("pk"), left_at=None, is_caller=False).filter(
        Q(away_since=None) | Q(away_since__gt=cutoff)
    )
    for call in Call.objects.filter(ended_at=None).exclude(Exists(attended)):
        with transaction.atomic():
            try:
                call, caller = _locked_call(call.pk)
            except ActionError:
                continue
            seats = call.participants.filter(left_at=None, is_caller=False)
            if all(s.away_since is not None and s.away_since <= cutoff for s in seats):
                record("call.abandoned", clinic=caller.clinic, caller=caller, call=call.pk)
                _end(call, caller, None, THEN_HOLD)
                released.append(call)
    return released
