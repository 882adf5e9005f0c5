"""What a call's pages are told: the call as its pages show it, fresh from
the database, for a team member's call page and for the caller's page."""

from realtime import events
from realtime.frames import page_clock
from waiting.models import Caller

from .ice import ice_servers
from .models import Call, Participant

# A card's seen_by is looked up only for these (one query each): a waiting
# caller is in no call. A caller whose page is offline keeps their seats.
_IN_A_CALL = {"being_seen", "on_hold"}


def open_call_of(caller_id):
    return Call.objects.filter(caller_id=caller_id, ended_at=None).first()


def call_snapshot(call):
    """The call, its caller and its present participants, fresh from the database."""
    caller = Caller.objects.get(pk=call.caller_id)
    seats = list(call.participants.filter(left_at=None).select_related("user"))
    return call, caller, seats


def open_calls_of(caller_ids):
    """{caller id: open call} of those callers who have one."""
    return {call.caller_id: call for call in Call.objects.filter(caller_id__in=caller_ids, ended_at=None)}


NOT_READ = object()


def call_for_caller(caller, call=NOT_READ):
    """The caller page's part of its hello: its open call, if any, and its seat in it
    (`call`: the open call or None, when read already with open_calls_of)."""
    if call is NOT_READ:
        call = open_call_of(caller.pk)
    state = events.call_state(*call_snapshot(call)) if call else None
    return {"call": state, "me": caller_seat(state), "ice_servers": ice_servers()}


def caller_seat(state):
    """The caller's participant id in a call as its pages show it (None: no open call)."""
    if not state or not state["open"]:
        return None
    return next((p["id"] for p in state["participants"] if p["is_caller"]), None)


def staff_call_hello(call, seat):
    """A team member's call page's first frame."""
    return {
        "type": "hello",
        "me": seat.pk,
        "call": events.call_state(*call_snapshot(call)),
        "ice_servers": ice_servers(),
        **page_clock(),
    }


def seen_by(caller):
    """A card's part (events.add_to_caller_card): the team members in the
    caller's open call and since when — "Being seen by Dr Lee · 4 min"."""
    if caller.current_status not in _IN_A_CALL or caller.left_at is not None:
        return {"seen_by": []}
    seats = Participant.objects.filter(
        call__caller_id=caller.pk, call__ended_at=None, is_caller=False, left_at=None
    ).select_related("user")
    return {
        "seen_by": [
            {"id": seat.user_id, "name": events.person_name(seat.user), "since": seat.joined_at.isoformat()}
            for seat in seats
        ]
    }
