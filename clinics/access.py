"""Who may read or change a clinic's things: the one place that answers it
for staff (a visit's own page is answered by waiting/access.py).

HTTP views and websocket consumers both call these. Anything of another
clinic is "not found" (404), never "forbidden": staff of clinic A must not
even learn that clinic B's caller exists.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import Clinic, Membership


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


def clinic_for_callers(slug):
    """The clinic whose link this is, for anybody who has it, or 404."""
    try:
        return Clinic.objects.get(slug=slug)
    except Clinic.DoesNotExist:
        raise Http404
