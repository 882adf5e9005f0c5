"""How long a staff sign-in lasts: the rules, in one place.

A sign-in ends after WAITROOM_STAFF_IDLE_MINUTES without the person doing
anything (a request, or the page's "Stay signed in" and its user-activity
touch), and WAITROOM_STAFF_SESSION_HOURS after signing in whatever they do.
Both deadlines are kept in the session and as its expiry date in the
database, so an idle session is gone for every reader — HTTP, a socket that
reconnects, the watchdog's check — without anybody having to end it.
Socket heartbeats never write the session: an open dashboard on an
unattended screen times out.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

SIGNED_IN_AT = "staff_signed_in_at"  # epoch seconds, in the session
ACTIVE_AT = "staff_active_at"
WARNING_SECONDS = 60  # the page warns this long before the idle deadline (less if the idle time is short)


def idle_seconds():
    return settings.WAITROOM_STAFF_IDLE_SECONDS


def session_seconds():
    return settings.WAITROOM_STAFF_SESSION_SECONDS


def warning_seconds():
    return min(WARNING_SECONDS, idle_seconds() / 2)


def touch_every():
    """Activity is written at most this often (a write per request would be
    a database write per click): the idle time counts from the last write,
    so a session may end up to this much earlier than idle_seconds after
    the very last click."""
    return min(60, idle_seconds() / 10)


def now():
    return timezone.now().timestamp()


def seconds_left(session, at=None):
    """Seconds until the sign-in in `session` (a session or its decoded data) ends."""
    at = now() if at is None else at
    signed_in = session.get(SIGNED_IN_AT, at)
    active = session.get(ACTIVE_AT, signed_in)
    return min(active + idle_seconds(), signed_in + session_seconds()) - at


def start(session):
    """A sign-in begins (login): both clocks start now."""
    session[SIGNED_IN_AT] = now()
    touch(session)


def touch(session):
    """The person did something: the idle clock starts again, and the
    session's expiry date follows the nearer deadline."""
    at = now()
    session.setdefault(SIGNED_IN_AT, at)  # signed in before these rules existed: counts from now
    session[ACTIVE_AT] = at
    session.set_expiry(timezone.now() + timedelta(seconds=max(0, seconds_left(session, at))))


def touch_due(session):
    return now() - session.get(ACTIVE_AT, 0) >= touch_every()
