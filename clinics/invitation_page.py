"""The page an invitation's link opens (/invitation/<token>/), in the
invitee's language (their browser's).

- Nobody has an account with the invited address: the invitee chooses their
  name and a password, and is signed in, on the clinic's dashboard (where the
  clinic requires two factors, ClinicRequiresTwoFactorsMiddleware leads them
  to set them up first).
- The address is an account's: they sign in as that account, then join.
- Somebody else is signed in: refused; they sign out first. An invitation is
  never taken by another account.
- An unknown, expired, revoked or used link: a page that says so.
The rules are in clinics/team.py."""

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from waitroom.errors import ActionError

from . import team
from .forms import AcceptInvitationForm

# The new account signs in with the password it has just chosen: Django's own
# backend, as a password sign-in ends (axes checks only the password step).
BACKEND = "django.contrib.auth.backends.ModelBackend"

CLOSED_STATUS = {"unknown": 404, "expired": 410, "revoked": 410, "accepted": 410}


@never_cache
@require_http_methods(["GET", "POST"])
def invitation_page(request, token):
    invitation = team.invitation_for_token(token)
    state = invitation.state(timezone.now()) if invitation is not None else "unknown"
    if state != "open":
        return _closed(request, state)
    account = team.account_with_email(invitation.email)
    user = request.user
    context = {"invitation": invitation, "clinic": invitation.clinic}
    if user.is_authenticated and (account is None or account.pk != user.pk):
        return render(request, "clinics/invitation.html", {**context, "step": "other_account"}, status=403)
    try:
        if account is None:
            return _new_account(request, invitation, context)
        if not user.is_authenticated:
            return render(request, "clinics/invitation.html", {**context, "step": "sign_in"})
        if request.method == "POST":
            team.do_accept_invitation(invitation, user=user)
            messages.success(request, _("Welcome to the team of %(clinic)s.") % {"clinic": invitation.clinic.name})
            return redirect("waiting:dashboard", slug=invitation.clinic.slug)
        return render(request, "clinics/invitation.html", {**context, "step": "join"})
    except ActionError as error:
        if error.code == "invitation_closed":
            invitation.refresh_from_db()
            return _closed(request, invitation.state(timezone.now()))
        if error.code == "account_exists":  # made a moment ago, by another tab: sign in as it
            return render(request, "clinics/invitation.html", {**context, "step": "sign_in"}, status=409)
        return render(request, "clinics/invitation.html", {**context, "step": "other_account"}, status=403)


def _new_account(request, invitation, context):
    form = AcceptInvitationForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        membership = team.do_accept_invitation(
            invitation,
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
            password=form.cleaned_data["password1"],
        )
        login(request, membership.user, backend=BACKEND)
        messages.success(request, _("Welcome to the team of %(clinic)s.") % {"clinic": invitation.clinic.name})
        return redirect("waiting:dashboard", slug=invitation.clinic.slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "clinics/invitation.html", {**context, "step": "new_account", "form": form}, status=status)


def _closed(request, state):
    return render(request, "clinics/invitation.html", {"step": "closed", "reason": state}, status=CLOSED_STATUS[state])
