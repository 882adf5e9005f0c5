"""The sign-in lockout (django-axes does the counting; docs/accounts.md):
the page a locked-out sign-in gets, and ending a member's lockout early."""

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.db.models import Sum
from django.shortcuts import render
from django.utils import timezone


def lockout_page(request, original_response=None, credentials=None):
    """The sign-in page again, saying why signing in is refused for now (429).

    axes calls this (AXES_LOCKOUT_CALLABLE) for /login/ and /admin/login/
    alike. The same words for an account that exists and one that does not,
    and for a lockout of the account and one of the address: the page must not
    tell which. (axes' async middleware hands `credentials` in as the second
    argument; neither is needed here.)"""
    minutes = max(1, round(get_cool_off(request).total_seconds() / 60))
    context = {
        "form": AuthenticationForm(request),
        "locked_out": True,
        "cool_off_minutes": minutes,
        "next": request.POST.get("next", "") or request.GET.get("next", ""),
    }
    return render(request, "registration/login.html", context, status=429)


def _credentials(user):
    return {get_user_model().USERNAME_FIELD: user.get_username()}


def is_locked_out(request, user):
    """Is signing in as this user, from this request's address, refused now?"""
    return AxesProxyHandler.is_locked(request, _credentials(user))


def count_failure(request, user):
    """A wrong password or code typed outside authenticate() (the code step of
    signing in, the password asked again by a signed-in page): counted and
    audited as a failed sign-in, so guessing there meets the same limit."""
    user_login_failed.send(sender=__name__, credentials=_credentials(user), request=request)
    return getattr(request, "axes_locked_out", False)


def unlock(user):
    """Forget the failed sign-ins with this account's name, from any address.
    Returns how many addresses' records were dropped."""
    return reset(username=user.get_username())


def locked_out_accounts(users):
    """Which of these accounts are locked out by their name now (the team
    page's "Locked out"): axes' count for the name, summed over addresses,
    within the cool-off, as axes itself counts it."""
    names = {user.get_username(): user.pk for user in users}
    counts = (
        AccessAttempt.objects.filter(username__in=names, attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME)
        .values("username")
        .annotate(failures=Sum("failures_since_start"))
    )
    return {names[row["username"]] for row in counts if row["failures"] >= settings.AXES_FAILURE_LIMIT}
