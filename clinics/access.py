"""Who may read or change what: the one place that answers it.

HTTP views and websocket consumers both call these. Anything of another
clinic is "not found" (404), never "forbidden": staff of clinic A must not
even learn that clinic B's caller exists.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import Http404

from waiting.models import Caller

from .models import Clinic, Membership

VISITS_KEY = "waitroom.visits"  # session: {id of the clinic entered: caller id}


def membership_for(user, slug):
    """The user's membership of the clinic, or 404."""
    if not user.is_authenticated:
        raise Http404
    try:
        return Membership.objects.select_related("clinic").get(user=user, clinic__slug=slug)
    except Membership.DoesNotExist:
        raise Http404


def require_admin(membership):
    if not membership.is_admin:
        raise PermissionDenied


def caller_of_clinic(clinic, caller_id):
    """A caller of this clinic (present or not), or 404."""
    try:
        return Caller.objects.get(clinic=clinic, pk=int(caller_id))
    except (Caller.DoesNotExist, ValueError, TypeError):
        raise Http404


def clinic_for_callers(slug):
    try:
        return Clinic.objects.get(slug=slug)
    except Clinic.DoesNotExist:
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
