"""Signing in (password, then a code if the person has two factors), the
account page, two factors' set-up, password reset and change: Django's own
views where it has them, with what they do written to the audit trail."""

import time

import django_otp
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.crypto import salted_hmac
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import FormView

from audit.log import record
from realtime.limits import address_key, count_within
from clinics import access
from clinics.models import Membership

from . import two_factor
from .actions import do_unlock_member
from .audit_trail import address_of
from .lockout import count_failure, is_locked_out, lockout_page, unlock

# Between a right password and the code: whose, and since when. Not signed in
# yet: nothing of the clinic is open to this session.
PENDING = "accounts_pending_sign_in"
PENDING_SECONDS = 5 * 60


class SignInView(auth_views.LoginView):
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if not two_factor.has_two_factors(user):
            return super().form_valid(form)
        self.request.session[PENDING] = {"user": user.pk, "backend": user.backend, "since": time.time()}
        next_url = self.get_redirect_url()
        return redirect(reverse("sign_in_code") + (f"?{urlencode({'next': next_url})}" if next_url else ""))


class CodeForm(forms.Form):
    code = forms.CharField(max_length=20, strip=True)


class SignInCodeView(auth_views.RedirectURLMixin, FormView):
    """The second step of signing in: the authenticator app's code, or one of
    the recovery codes. A wrong code counts as a failed sign-in (axes: the
    same limit and lockout as a wrong password) and is audited as one."""

    form_class = CodeForm
    template_name = "registration/sign_in_code.html"
    next_page = settings.LOGIN_REDIRECT_URL
    recovery = False

    def dispatch(self, request, *args, **kwargs):
        pending = request.session.get(PENDING)
        if pending and time.time() - pending["since"] < PENDING_SECONDS:
            self.user = get_user_model()._default_manager.filter(pk=pending["user"], is_active=True).first()
        else:
            self.user = None
        if self.user is None:
            request.session.pop(PENDING, None)
            messages.info(request, _("Please sign in again."))
            return redirect_to_login(self.get_redirect_url() or settings.LOGIN_REDIRECT_URL)
        self.backend = pending["backend"]
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(recovery=self.recovery, next=self.get_redirect_url(), **kwargs)

    def form_valid(self, form):
        if is_locked_out(self.request, self.user):
            self.request.session.pop(PENDING, None)
            return lockout_page(self.request)
        device = two_factor.check_code(self.user, form.cleaned_data["code"], recovery=self.recovery)
        if device is None:
            if count_failure(self.request, self.user):
                self.request.session.pop(PENDING, None)  # axes' middleware answers with the lockout page
            form.add_error("code", _("This code is not right. Try the newest code your app shows."))
            return self.form_invalid(form)
        self.request.session.pop(PENDING, None)
        self.user.otp_device = device  # django-otp keeps it in the session; the audit trail names it
        login(self.request, self.user, self.backend)
        return redirect(self.get_success_url())


def admin_sign_in(request, extra_context=None):
    """The admin's sign-in is /login/: one page with the lockout and two factors
    (the admin's own form would ask for the password only)."""
    if request.user.is_authenticated:
        if two_factor.operator_lacks_two_factors(request.user):
            messages.info(request, _("Operators need two-factor authentication: set it up to open the admin."))
            return redirect("two_factor_setup")
        raise PermissionDenied  # signed in, but not an operator
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"))


def operators_with_two_factors(has_permission):
    """The admin's permission check, refusing an operator without two factors
    when REQUIRE_2FA_FOR_OPERATORS is on (they are led to set them up)."""

    def check(request):
        return has_permission(request) and not two_factor.operator_lacks_two_factors(request.user)

    return check


class PasswordResetView(auth_views.PasswordResetView):
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def form_valid(self, form):
        # The same answer whether or not the address is an account's (Django's
        # "done" page); the trail keeps which accounts were sent a link, never
        # the address typed.
        accounts = [user.pk for user in form.get_users(form.cleaned_data["email"])]
        if not reset_mail_allowed(form.cleaned_data["email"], address_of(self.request)):
            record("account.password_reset_limited", accounts=accounts, address=address_of(self.request))
            return redirect(self.get_success_url())  # the same answer; no mail
        record("account.password_reset_requested", accounts=accounts, address=address_of(self.request))
        return super().form_valid(form)


def reset_mail_allowed(email, address):
    """Within the hour's allowance of reset mails for this mailbox and of
    requests from this address (the cache holds keyed hashes, not either)."""
    mailbox = salted_hmac("waitroom.reset_mailbox", email.strip().casefold(), algorithm="sha256").hexdigest()[:32]
    return count_within(
        f"reset:address:{address_key(address or '')}", settings.WAITROOM_RESET_REQUESTS_PER_ADDRESS, 3600
    ) and count_within(f"reset:mailbox:{mailbox}", settings.WAITROOM_RESET_MAILS_PER_MAILBOX, 3600)


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

    # The old password is checked here, not by authenticate(): without these
    # two, a stolen session could guess the password unthrottled.
    def post(self, request, *args, **kwargs):
        if is_locked_out(request, request.user):
            return lockout_page(request)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        if form.has_error("old_password", "password_incorrect"):
            count_failure(self.request, self.request.user)
        return super().form_invalid(form)

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            record("account.password_changed", actor=self.request.user, address=address_of(self.request))
        messages.success(self.request, _("Your password is changed. Every other session of your account is signed out."))
        return response


@login_required
def account(request):
    memberships = request.user.memberships.select_related("clinic").order_by("clinic__name")
    context = {
        "memberships": memberships,
        "two_factors": two_factor.has_two_factors(request.user),
        "recovery_codes_left": two_factor.recovery_codes_left(request.user),
    }
    return render(request, "accounts/account.html", context)


@login_required
def two_factor_setup(request):
    """Scan the QR code (or type the secret), then type the code the app shows."""
    if two_factor.has_two_factors(request.user):
        return redirect("account")
    device = two_factor.app_being_set_up(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = two_factor.confirm_app(request.user, device, form.cleaned_data["code"], address=address_of(request))
        if codes is not None:
            django_otp.login(request, device)  # this sign-in now has two factors (a clinic may require them)
            return render(request, "accounts/recovery_codes.html", {"codes": codes, "first_time": True})
        form.add_error("code", _("This code is not right. Try the newest code your app shows."))
    context = {
        "form": form,
        "qr_code": two_factor.qr_code(device),
        "secret": two_factor.secret_for_typing(device),
    }
    return render(request, "accounts/two_factor_setup.html", context)


@require_POST
@login_required
def recovery_codes(request):
    """New recovery codes, shown once; the old ones stop working."""
    if not two_factor.has_two_factors(request.user):
        return redirect("account")
    codes = two_factor.new_recovery_codes(request.user, address=address_of(request))
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "first_time": False})


class PasswordCheckForm(forms.Form):
    password = forms.CharField(label=gettext_lazy("Your password"), strip=False, widget=forms.PasswordInput)


@require_POST
@login_required
def two_factor_off(request):
    """Turning two factors off asks for the password once more (counted like
    a sign-in: a stolen session must not guess it unthrottled)."""
    if is_locked_out(request, request.user):
        return lockout_page(request)
    form = PasswordCheckForm(request.POST)
    if form.is_valid() and request.user.check_password(form.cleaned_data["password"]):
        two_factor.turn_off(request.user, address=address_of(request))
        messages.success(request, _("Two-factor authentication is off."))
    else:
        count_failure(request, request.user)
        messages.error(request, _("That was not your password: two-factor authentication stays on."))
    return redirect("account")


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
