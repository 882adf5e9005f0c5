"""Whose visit is this: a clinic's caller for its staff (with clinics/access.py's
membership check), and a browser session's own visit for the caller's pages.

Both HTTP views and websocket consumers call these; anything of another
clinic is "not found" (404).
"""

from django.db.models import F
from django.http import Http404

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
    # A new visit gets a new session id: a cookie seen before entry is worth nothing after.
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
