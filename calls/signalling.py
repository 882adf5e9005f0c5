"""WebRTC signalling: the offers, answers and ICE candidates that the pages
of a call pass to each other through the server.

The server reads nothing in a signal but checks its form and size: anything
else is refused, so a page cannot use the call to send other participants
arbitrary data. It passes a signal only between two participants present in
the same open call."""

from django.utils.translation import gettext as _

from waitroom.errors import ActionError
from waitroom.validation import is_id, is_whole_number

from .models import Participant

SDP_MAX = 20_000  # an audio+video offer is 3–8 KB
CANDIDATE_MAX = 1_000
SESSION_MAX = 32  # the page load's id, so a peer can tell a reloaded page from the old one


def _text(value, limit, name, optional=False):
    if value is None and optional:
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise ActionError("bad_signal", f"{name} is text of at most {limit} characters.")
    return value


def clean_signal(data):
    if not isinstance(data, dict):
        raise ActionError("bad_signal", "A signal is an object.")
    kind = data.get("kind")
    session = _text(data.get("session"), SESSION_MAX, "session")
    if kind in ("offer", "answer"):
        return {"kind": kind, "session": session, "sdp": _text(data.get("sdp"), SDP_MAX, "sdp")}
    if kind == "candidate":
        candidate = data.get("candidate")
        if candidate is None:  # the end of the candidates
            return {"kind": kind, "session": session, "candidate": None}
        if not isinstance(candidate, dict):
            raise ActionError("bad_signal", "candidate is an object or null.")
        index = candidate.get("sdpMLineIndex")
        if index is not None and not is_whole_number(index, 0, 63):
            raise ActionError("bad_signal", "sdpMLineIndex is a small number.")
        return {
            "kind": kind,
            "session": session,
            "candidate": {
                "candidate": _text(candidate.get("candidate"), CANDIDATE_MAX, "candidate"),
                "sdpMid": _text(candidate.get("sdpMid"), 64, "sdpMid", optional=True),
                "sdpMLineIndex": index,
                "usernameFragment": _text(candidate.get("usernameFragment"), 256, "usernameFragment", optional=True),
            },
        }
    raise ActionError("bad_signal", "kind is offer, answer or candidate.")


def signal_target(from_seat, to_seat):
    """The channel of the participant a signal is for — both must be present in
    the same open call — or "" if their page is away."""
    if not is_id(to_seat) or to_seat == from_seat:
        raise ActionError("bad_signal", _("to names another participant of your call."))
    seats = {
        s.pk: s
        for s in Participant.objects.filter(
            pk__in=[from_seat, to_seat], left_at=None, call__ended_at=None
        ).select_related("call__caller")
    }
    if len(seats) != 2 or seats[from_seat].call_id != seats[to_seat].call_id:
        raise ActionError("not_in_call", _("That participant is not in your call."))
    target = seats[to_seat]
    return target.call.caller.page_channel if target.is_caller else target.channel_name
