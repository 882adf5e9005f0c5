"""Whose visit is this: a clinic's caller for its staff (with clinics/access.py's
membership check), and a browser session's own visit for the caller's pages.

Both HTTP views and websocket consumers call these; anything of another
clinic is "not found" (404).
"""

from django.db.models import F
from django.http import Http404

from waitroom.lookups import among

from .models import Caller

VISITS_KEY = "waitroom.visits"  # session: {id of the clinic entered: caller id}


def caller_of_clinic(clinic, caller_id):
    """A caller of this clinic (present or not), or 404."""
    try:
        return Caller.objects.get(clinic=clinic, pk=int(caller_id))
    except (Caller.DoesNotExist, ValueError, TypeError):
        raise Http404


def remember_visit(session, caller):
    visits = dict(session.get(VISITS_KEY, {}))
    visits[str(caller.clinic_id)] = caller.pk
    session[VISITS_KEY] = visits
    # A new visit gets a new session id: a cookie seen before entry is worth
    # nothing after. A session not stored yet gets its first id when it is
    # saved, with the answer: cycling it would store it twice more.
    if session.session_key:
        session.cycle_key()


def forget_visit(session, caller):
    visits = dict(session.get(VISITS_KEY, {}))
    kept = {clinic_id: caller_id for clinic_id, caller_id in visits.items() if caller_id != caller.pk}
    if kept != visits:
        session[VISITS_KEY] = kept


def visit_of_session(session, clinic):
    """The caller whose visit to this clinic this browser session holds, or None.
    Includes a visit that has ended, so its page can say so. A visit entered at
    another clinic and transferred here counts too."""
    caller_ids = list(session.get(VISITS_KEY, {}).values())
    if not caller_ids:
        return None
    return (
        Caller.objects.filter(pk__in=caller_ids, clinic=clinic)
        .select_related("clinic")
        .order_by(F("left_at").desc(nulls_first=True), "-arrived_at")
        .first()
    )


def visits_of_sessions(asked):
    """visit_of_session for many pages at once (a reconnect storm brings
    thousands): `asked` is [(session, clinic or None)]; returns the caller of
    each, or None, by the same rule, reading every session and every caller
    in one query each."""
    sessions = load_sessions([session for session, _ in asked])
    wanted = {
        caller_id
        for (session, clinic), data in zip(asked, sessions)
        if clinic is not None
        for caller_id in data.get(VISITS_KEY, {}).values()
    }
    callers = Caller.objects.filter(among("pk", wanted)) if wanted else []
    by_id = {caller.pk: caller for caller in callers}
    found = []
    for (session, clinic), data in zip(asked, sessions):
        own = [by_id[i] for i in data.get(VISITS_KEY, {}).values() if clinic is not None and i in by_id]
        own = [caller for caller in own if caller.clinic_id == clinic.pk]
        for caller in own:
            caller.clinic = clinic  # the clinic asked about, read once for all its pages
        # As visit_of_session orders them: a visit still going first, then the latest.
        own.sort(key=lambda c: (c.left_at is not None, -(c.left_at.timestamp() if c.left_at else 0),
                                -c.arrived_at.timestamp()))
        found.append(own[0] if own else None)
    return found


def load_sessions(stores):
    """The data of each (lazy) session store, as `store.load()` would give it,
    in one query for the database backends; other backends load each."""
    from django.contrib.sessions.backends.db import SessionStore as DatabaseStore
    from django.utils import timezone

    if not stores or not all(type(s) is DatabaseStore for s in stores):
        return [dict(s.items()) for s in stores]
    keys = {s.session_key for s in stores if s.session_key}
    model = DatabaseStore.get_model_class()
    rows = dict(
        model.objects.filter(session_key__in=keys, expire_date__gt=timezone.now()).values_list(
            "session_key", "session_data"
        )
    ) if keys else {}
    loaded = []
    for store in stores:
        data = store.decode(rows[store.session_key]) if store.session_key in rows else {}
        store._session_cache = data  # as load() would keep it: read once
        loaded.append(data)
    return loaded
