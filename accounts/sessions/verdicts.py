"""Does each open staff page's sign-in still hold? Asked by the watchdog
every few seconds for all staff pages of the process, and by a page when an
announcement says its person changed (realtime/staff.py). Two queries for
any number of pages: their sessions, and their people with their clinics.
Sessions are read as rows of Django's database session store (the default,
which waitroom/settings.py keeps)."""

from importlib import import_module

from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.models import Session
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from realtime.consumers import CLOSE_NO_VISIT, CLOSE_NOT_SIGNED_IN

from ..two_factor import signed_in_with_two_factors
from . import limits

CHECK_SECONDS = 2  # with the watchdog's 1 s pass: a page closes within about 3 s, announced or not


def verdicts(sign_ins):
    """For each realtime.staff.SignIn: None if it holds, else the close code
    (4401 the sign-in ended, 4404 no longer a member of the page's clinic)."""
    at = timezone.now()
    sessions = dict(
        Session.objects.filter(session_key__in={s.session_key for s in sign_ins}, expire_date__gt=at).values_list(
            "session_key", "session_data"
        )
    )
    people = {}  # user id -> (is_active, password hash, clinic ids, clinic ids requiring two factors)
    rows = get_user_model().objects.filter(pk__in={s.user_id for s in sign_ins}).values_list(
        "pk", "is_active", "password", "memberships__clinic_id", "memberships__clinic__require_two_factors"
    )
    for user_id, is_active, password, clinic_id, requires_two_factors in rows:
        person = people.setdefault(user_id, (is_active, password, set(), set()))
        person[2].add(clinic_id)
        if requires_two_factors:
            person[3].add(clinic_id)
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    decoded = {key: store.decode(data) for key, data in sessions.items()}
    return [_verdict(s, decoded.get(s.session_key), people.get(s.user_id), at.timestamp()) for s in sign_ins]


def _verdict(sign_in, session, person, at):
    if session is None or person is None:
        return CLOSE_NOT_SIGNED_IN  # signed out, expired, idle, or the person deleted
    is_active, password, clinics, requiring_two_factors = person
    if session.get(SESSION_KEY) != str(sign_in.user_id) or not is_active:
        return CLOSE_NOT_SIGNED_IN
    if not _hash_holds(password, session.get(HASH_SESSION_KEY)):
        return CLOSE_NOT_SIGNED_IN  # the password changed since (in another session)
    if limits.seconds_left(session, at) <= 0:
        return CLOSE_NOT_SIGNED_IN
    if requiring_two_factors and not signed_in_with_two_factors(session):
        return CLOSE_NOT_SIGNED_IN  # a clinic of theirs requires two factors (accounts/middleware.py)
    if sign_in.clinic_id not in clinics:
        return CLOSE_NO_VISIT
    return None


def _hash_holds(password, session_hash):
    """Django's session verification (django.contrib.auth.get_user), from the
    password hash alone: the current secret key or one of its fallbacks."""
    if not session_hash:
        return False
    user = get_user_model()(password=password)
    return constant_time_compare(session_hash, user.get_session_auth_hash()) or any(
        constant_time_compare(session_hash, fallback) for fallback in user.get_session_auth_fallback_hash()
    )
