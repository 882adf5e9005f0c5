from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from waitroom.http import json_error

from . import limits


@require_POST
def stay_signed_in(request):
    """The page's "Stay signed in" (and its touch after the person clicked or
    typed): the idle clock starts again. CSRF-protected like every POST;
    a browser that is not signed in (a caller's, or a session already
    ended) is told so and touches nothing."""
    if not request.user.is_authenticated:
        return json_error("not_signed_in", _("You are signed out."), status=401)
    limits.touch(request.session)
    return JsonResponse({"seconds_left": limits.seconds_left(request.session)})
