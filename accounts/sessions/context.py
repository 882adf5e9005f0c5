from django.urls import reverse
from django.utils.translation import gettext as _

from . import limits


def staff_session(request):
    """For every page of a signed-in person (templates/base.html): what the
    idle warning needs (static/accounts/idle.js)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    warning = limits.warning_seconds()
    if warning >= 60:
        title = _("You will be signed out in 1 minute")
    else:
        title = _("You will be signed out in %(seconds)s seconds") % {"seconds": round(warning)}
    return {
        "staff_session": {
            "stay": reverse("stay_signed_in"),
            "seconds_left": limits.seconds_left(request.session),
            "warning_seconds": warning,
            "touch_every": limits.touch_every(),
        },
        "idle_warning_title": title,
    }
