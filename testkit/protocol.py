"""The page side of docs/realtime.md, for every Python page (no Django, no I/O).

The server side of the same knowledge is waitroom/routing.py (paths) and
realtime/ (frames, codes); testkit/tests/test_protocol.py holds the two
together.
"""

import json
import random
import re

# Sockets --------------------------------------------------------------------


def caller_path(slug, after=None):
    """A caller's page: the visit comes from the session, the clinic from the slug."""
    return f"/ws/w/{slug}/" + after_query(after)


def dashboard_path(slug):
    return f"/ws/clinics/{slug}/"


LOGOUT_PATH = "/logout/"


def call_path(slug, call_id):
    return f"/ws/clinics/{slug}/calls/{call_id}/"


def after_query(last_seq):
    """The resume rule: a caller page that reconnects names the last seq it
    has and its hello brings every message after it, in order. None names
    nothing (the server then sends the whole thread, as for ?after=0)."""
    return "" if last_seq is None else f"?after={last_seq}"


# The handshake --------------------------------------------------------------

SESSION_COOKIE = "sessionid"  # Django's SESSION_COOKIE_NAME: the socket's only credential
CSRF_COOKIE = "csrftoken"


def cookie_header(session_key, csrf_token=None):
    """The Cookie header a browser sends: the session, and for staff's POSTs the CSRF secret."""
    cookie = f"{SESSION_COOKIE}={session_key}"
    return cookie + (f"; {CSRF_COOKIE}={csrf_token}" if csrf_token else "")


# Every socket checks the Origin header against ALLOWED_HOSTS
# (AllowedHostsOriginValidator): a page sends the address it was served from.
def origin_of(base_url):
    return base_url.rstrip("/")


# Frames a page sends --------------------------------------------------------

HEARTBEAT = '{"type":"heartbeat"}'
DEFAULT_HEARTBEAT_SECONDS = 5  # until the first frame names the server's


def heartbeat():
    return HEARTBEAT


def send(client_id, body):
    """A caller's message; a retried send with the same client_id is stored once."""
    return json.dumps({"type": "send", "client_id": client_id, "body": body})


def receipt(delivered, seen):
    """What a visible caller page answers each message with (seen = delivered)."""
    return '{"type":"receipt","delivered":%d,"seen":%d}' % (delivered, seen)


# What the server says first -------------------------------------------------

# A caller page and a call page are greeted with `hello`, a dashboard with a
# `snapshot` (it was subscribed before the snapshot was read: nothing falls
# between them). Both name heartbeat_seconds.
FIRST_FRAME = {"caller": "hello", "dashboard": "snapshot", "call": "hello"}


def page_kind(path):
    """Which page a socket path is: caller, dashboard or call."""
    if path.startswith("/ws/w/"):
        return "caller"
    return "call" if "/calls/" in path else "dashboard"


def expect_first(frame, kind):
    """The socket's first frame, checked to be what `kind` of page is greeted with."""
    want = FIRST_FRAME[kind]
    if frame.get("type") != want:
        raise AssertionError(f"a {kind} page's first frame is {want!r}, not {frame.get('type')!r}: {frame}")
    return frame


def heartbeat_seconds(frame):
    return frame.get("heartbeat_seconds") or DEFAULT_HEARTBEAT_SECONDS


def missed(hello, last_seq):
    """The messages a caller's hello brings that the page does not have yet."""
    return [m for m in hello.get("messages") or () if m["seq"] > last_seq]


# Closing and coming back ----------------------------------------------------

# The server's "no": not signed in, no such visit / not a member, replaced by a
# newer tab. A page stops for good on these (static/waitroom/socket.js).
STOP_CODES = frozenset({4401, 4404, 4409})
# The server is busy opening other pages: "try again in N s" (realtime/consumers.py).
TRY_LATER = 4503


def backoff(attempt, first=0.5, most=15.0, rng=random):
    """Seconds to wait before reconnect number `attempt` (0, 1, ...): full jitter
    under a ceiling that doubles from `first` to `most`, as socket.js does, so
    a thousand pages cut off together do not all come back together."""
    return rng.random() * min(most, first * 2**attempt)


def reconnect_delay(code, reason, attempt, rng=random):
    """Seconds before reconnecting after a close with this code and reason, as
    socket.js's reconnectDelay: N s and up to half as long again after "try
    again in N s", else `backoff`."""
    if code == TRY_LATER:
        found = re.search(r"(\d+)", reason or "")
        seconds = int(found.group(1)) if found and int(found.group(1)) else 5
        return seconds * (1 + rng.random() / 2)
    return backoff(attempt, rng=rng)


# Staff's actions (HTTP) -----------------------------------------------------


def notify_path(slug):
    return f"/clinics/{slug}/notify/"


def notify_body(caller_ids, body, client_id=""):
    return json.dumps({"caller_ids": list(caller_ids), "body": body, "client_id": client_id}).encode()


def staff_headers(session_key, csrf_token, origin=None):
    """A signed-in team member's JSON POST: session and CSRF cookie, the token
    as header, and the Origin a same-site page sends."""
    headers = {
        "Content-Type": "application/json",
        "Cookie": cookie_header(session_key, csrf_token),
        "X-CSRFToken": csrf_token,
    }
    if origin:
        headers["Origin"] = origin
    return headers
