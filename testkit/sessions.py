"""The cookies a page opens its socket with, made directly (needs Django set up).

A caller's browser gets its session at the entry form; a test or benchmark
that needs many makes the same session here instead. Tests of the entry form
itself go through it (testkit/sockets.py `enter`) and read the visit
back with `caller_id_in`.
"""

from django.contrib.sessions.backends.db import SessionStore
from django.test import Client

from waiting.access import VISITS_KEY

from .protocol import SESSION_COOKIE


def visit_session_data(clinic_id, caller_id):
    """What the entry form leaves in the caller's session: this clinic's visit."""
    return {VISITS_KEY: {str(clinic_id): caller_id}}


def caller_id_in(session, clinic_id):
    """The visit a caller's session holds at this clinic (None: none)."""
    return session.get(VISITS_KEY, {}).get(str(clinic_id))


def caller_session(clinic_id, caller_id):
    """A new session key holding the visit, as the entry form would leave it."""
    session = SessionStore()
    session.update(visit_session_data(clinic_id, caller_id))
    session.create()
    return session.session_key


def caller_cookie(caller):
    """The session key of a Caller row's browser."""
    return caller_session(caller.clinic_id, caller.pk)


def staff_cookie(user):
    """The session key of a signed-in team member (as login() writes it)."""
    client = Client()
    client.force_login(user)
    return client.cookies[SESSION_COOKIE].value
