"""Signing in, the account page, password reset and change: Django's own
views, with what they do written to the audit trail."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.log import record
from clinics import access
from clinics.models import Membership

from .actions import do_unlock_member
from .audit_trail import address_of
from .lockout import unlock


class SignInView(auth_views.LoginView):
    redirect_authenticated_user = True


class PasswordResetView(auth_views.PasswordResetView):
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def form_valid(self, form):
        # The same answer whether or not the address is an account's (Django's
        # "done" page); the trail keeps which accounts were sent a link, never
        # the address typed.
        accounts = [user.pk for user in form.get_users(form.cleaned_data["email"])]
        record("account.password_reset_requested", accounts=accounts, address=address_of(self.request))
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            record("account.password_reset", actor=form.user, address=address_of(self.request))
        # The link in the mail proves the mailbox: a lockout of the account
        # should not keep its owner out after they chose a new password.
        unlock(form.user)
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """Changing the password keeps this session (Django's
    update_session_auth_hash) and ends every other: their stored hash of the
    old password no longer matches."""

    success_url = reverse_lazy("account")

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            record("account.password_changed", actor=self.request.user, address=address_of(self.request))
        messages.success(self.request, _("Your password is changed. Every other session of your account is signed out."))
        return response


@login_required
def account(request):
    memberships = request.user.memberships.select_related("clinic").order_by("clinic__name")
    return render(request, "accounts/account.html", {"memberships": memberships})


@require_POST
@login_required
def unlock_member(request, slug, user_id):
    """A clinic admin ends the sign-in lockout of a member of their clinic.
    Anybody of another clinic gets 404, as for everything of a clinic."""
    membership = access.membership_for(request.user, slug)
    access.require_admin(membership)
    member = get_object_or_404(Membership.objects.select_related("user", "clinic"), clinic=membership.clinic, user_id=user_id)
    do_unlock_member(member, actor=request.user)
    name = member.user.get_full_name() or member.user.get_username()
    messages.success(request, _("%(name)s can sign in again.") % {"name": name})
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(next_url)
    return redirect("clinics:home")
