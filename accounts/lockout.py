"""The sign-in lockout (django-axes does the counting; docs/accounts.md):
the page a locked-out sign-in gets, and ending a member's lockout early."""

from axes.helpers import get_cool_off
from axes.utils import reset
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import render


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


def unlock(user):
    """Forget the failed sign-ins with this account's name, from any address.
    Returns how many addresses' records were dropped."""
    return reset(username=user.get_username())
