"""The shape of a WebRTC signal a page may pass to another participant. The
server reads nothing in it but checks its form and size: anything else is
refused, so a page cannot use the call to send other participants arbitrary data."""

from waitroom.errors import ActionError

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
        if index is not None and (not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < 64):
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
