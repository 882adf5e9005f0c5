"""Signing in (password, then a code if the person has two factors), the
account page, two factors' set-up, password reset and change: Django's own
views where it has them, with what they do written to the audit trail."""

import time

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.crypto import salted_hmac
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.http import require_POST
from django.views.generic import FormView
from django_otp import login as otp_login

from audit.log import record
from realtime import events
from realtime.limits import address_key, count_within
from clinics import access
from clinics.models import Membership
from waitroom.errors import ActionError
from waitroom.headers import may_use_passkeys
from waitroom.http import json_body, json_view

from . import passkeys, two_factor
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
        # A person with a passkey is offered it first; the app's code and a
        # recovery code are the other ways (links on each step's page).
        step = "sign_in_passkey" if passkeys.has_passkey(user) else "sign_in_code"
        return redirect(reverse(step) + (f"?{urlencode({'next': next_url})}" if next_url else ""))


class CodeForm(forms.Form):
    code = forms.CharField(max_length=20, strip=True)


class PendingSignIn(auth_views.RedirectURLMixin):
    """The second step of signing in: only for the session that gave the
    right password in the last five minutes, for that password's account."""

    next_page = settings.LOGIN_REDIRECT_URL

    def dispatch(self, request, *args, **kwargs):
        pending = request.session.get(PENDING)
        if pending and time.time() - pending["since"] < PENDING_SECONDS:
            self.user = get_user_model()._default_manager.filter(pk=pending["user"], is_active=True).first()
        else:
            self.user = None
        if self.user is None:
            request.session.pop(PENDING, None)
            return self.sign_in_again()
        self.backend = pending["backend"]
        return super().dispatch(request, *args, **kwargs)

    def sign_in_again(self):
        messages.info(self.request, _("Please sign in again."))
        return redirect_to_login(self.get_redirect_url() or settings.LOGIN_REDIRECT_URL)

    def other_ways(self):
        """The links to the other second factors this person has."""
        return {
            "next": self.get_redirect_url(),
            "has_app": two_factor.has_app(self.user),
            "has_passkey": passkeys.has_passkey(self.user),
            "has_recovery_codes": two_factor.recovery_codes_left(self.user) > 0,
        }

    def locked_out(self):
        if is_locked_out(self.request, self.user):
            self.end_step()
            return lockout_page(self.request)
        return None

    def failed(self):
        """A wrong second factor: counted as a failed sign-in (axes), audited."""
        if count_failure(self.request, self.user):
            self.end_step()  # axes' middleware answers with the lockout page

    def end_step(self):
        self.request.session.pop(PENDING, None)
        passkeys.forget_sign_in(self.request)

    def sign_in(self, device):
        self.end_step()
        self.user.otp_device = device  # django-otp keeps it in the session; the audit trail names it
        login(self.request, self.user, self.backend)
        return redirect(self.get_success_url())


class SignInCodeView(PendingSignIn, FormView):
    """The second step of signing in: the authenticator app's code, or one of
    the recovery codes. A wrong code counts as a failed sign-in (axes: the
    same limit and lockout as a wrong password) and is audited as one."""

    form_class = CodeForm
    template_name = "registration/sign_in_code.html"
    recovery = False

    def get_context_data(self, **kwargs):
        return super().get_context_data(recovery=self.recovery, **self.other_ways(), **kwargs)

    def form_valid(self, form):
        if refused := self.locked_out():
            return refused
        device = two_factor.check_code(self.user, form.cleaned_data["code"], recovery=self.recovery)
        if device is None:
            self.failed()
            form.add_error("code", _("This code is not right. Try the newest code your app shows."))
            return self.form_invalid(form)
        return self.sign_in(device)


class SignInPasskeyView(PendingSignIn, View):
    """The second step of signing in with a passkey: the page's script asks
    for this account's passkey options (POST options/), the browser signs the
    challenge, and the form sends the answer here. A passkey that does not
    verify counts as a failed sign-in, like a wrong code."""

    template_name = "registration/sign_in_passkey.html"

    def render(self, error=None, status=200):
        page = {"options": reverse("sign_in_passkey_options"), "strings": passkey_strings()}
        context = {"error": error, "page": page, **self.other_ways()}
        return may_use_passkeys(render(self.request, self.template_name, context, status=status))

    def get(self, request, *args, **kwargs):
        return self.render()

    def post(self, request, *args, **kwargs):
        if refused := self.locked_out():
            return refused
        try:
            data = passkeys.parse_credential(request.POST.get("credential"))
        except ActionError as e:
            return self.render(e.message, status=400)
        passkey = passkeys.verify(request, self.user, data)
        if passkey is None:
            self.failed()
            return self.render(_("That passkey did not sign you in. Use a passkey of this account, or another way below."))
        return self.sign_in(passkey)


@method_decorator(json_view, name="dispatch")
class SignInPasskeyOptionsView(PendingSignIn, View):
    """What the browser needs to ask for this account's passkeys."""

    def sign_in_again(self):
        raise ActionError("sign_in_again", _("Please sign in again."), status=403)

    def post(self, request, *args, **kwargs):
        json_body(request)
        if is_locked_out(request, self.user):
            raise ActionError("locked_out", _("Too many failed sign-ins."), status=429)
        if not passkeys.has_passkey(self.user):
            # Options naming no passkey would let the browser offer any of its
            # own for this site: somebody else's, on a shared computer.
            raise ActionError("no_passkey", _("This account has no passkey. Use another way below."))
        return JsonResponse(passkeys.sign_in_options(request, self.user))


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


class ResetFormMailingAfterTheAnswer(PasswordResetForm):
    """Django's form, with its mail sent once the answer has gone (or at
    once outside a request): a mail server's seconds would otherwise tell
    whoever asks whether the address is an account's."""

    def send_mail(self, *args, **kwargs):
        send, language = super().send_mail, translation.get_language()  # (it renders the mail too)

        def send_in_the_page_s_language():
            with translation.override(language):
                send(*args, **kwargs)

        events.after_response(send_in_the_page_s_language)


class PasswordResetView(auth_views.PasswordResetView):
    form_class = ResetFormMailingAfterTheAnswer
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


def passkey_strings():
    """What the passkey scripts may have to tell the person."""
    return {
        "cancelled": _("The passkey was not used: the browser's request was cancelled or took too long. Try again."),
        "unsupported": _("This browser cannot use passkeys."),
        "already": _("This passkey is added already."),
        "name_missing": _("Give the passkey a name, for example the device it is on."),
    }


def account_page(request, *, passkey_error=None, passkey_name="", status=200):
    memberships = request.user.memberships.select_related("clinic").order_by("clinic__name")
    context = {
        "memberships": memberships,
        "two_factors": two_factor.has_two_factors(request.user),
        "has_app": two_factor.has_app(request.user),
        "passkeys": passkeys.passkeys_of(request.user),
        "passkey_error": passkey_error,
        "passkey_name": passkey_name,
        "page": {"options": reverse("passkey_options"), "strings": passkey_strings()},
        "recovery_codes_left": two_factor.recovery_codes_left(request.user),
    }
    return may_use_passkeys(render(request, "accounts/account.html", context, status=status))


@login_required
def account(request):
    return account_page(request)


def may_add_second_factor(request):
    """A person who has two factors adds another only from a session signed in
    with one (a session signed in before their first must not add its own)."""
    return not two_factor.has_two_factors(request.user) or two_factor.signed_in_with_two_factors(request.session)


def with_first_factor(request, device, codes):
    """A new second factor: its recovery codes shown once if it is the first;
    this session counts as signed in with it if it had none (the clinic's
    "require two factors" reads django-otp's `otp_device_id`)."""
    if not two_factor.signed_in_with_two_factors(request.session):
        otp_login(request, device)
    if codes:
        return render(request, "accounts/recovery_codes.html", {"codes": codes, "first_time": True})
    return None


@login_required
def two_factor_setup(request):
    """Scan the QR code (or type the secret), then type the code the app shows."""
    if two_factor.has_app(request.user) or not may_add_second_factor(request):
        return redirect("account")
    device = two_factor.app_being_set_up(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = two_factor.confirm_app(request.user, device, form.cleaned_data["code"], address=address_of(request))
        if codes is not None:
            device.refresh_from_db()
            if shown := with_first_factor(request, device, codes):
                return shown
            messages.success(request, _("Your authenticator app is set up."))
            return redirect("account")
        form.add_error("code", _("This code is not right. Try the newest code your app shows."))
    context = {
        "form": form,
        "qr_code": two_factor.qr_code(device),
        "secret": two_factor.secret_for_typing(device),
    }
    return render(request, "accounts/two_factor_setup.html", context)


@require_POST
@json_view
def passkey_options(request):
    """What the browser needs to make a new passkey for the signed-in person."""
    if not request.user.is_authenticated:
        raise ActionError("not_signed_in", _("You are signed out."), status=401)
    json_body(request)
    if not may_add_second_factor(request):
        raise ActionError("sign_in_with_two_factors", _("Sign in again with your second factor to add a passkey."), status=403)
    return JsonResponse(passkeys.registration_options(request))


@require_POST
@login_required
def passkey_add(request):
    """The account page's form, with the browser's new passkey in it."""
    name = request.POST.get("name", "")
    if not may_add_second_factor(request):
        return account_page(request, passkey_error=_("Sign in again with your second factor to add a passkey."), status=403)
    try:
        passkey, codes = passkeys.add(request, name, request.POST.get("credential"), address=address_of(request))
    except ActionError as e:
        return account_page(request, passkey_error=e.message, passkey_name=name[: passkeys.NAME_MAX_CHARS], status=400)
    if shown := with_first_factor(request, passkey, codes):
        return shown
    messages.success(request, _("The passkey is added."))
    return redirect("account")


@login_required
def passkey_remove(request, passkey_id):
    """Removing a passkey asks for the password, as turning two factors off
    does; it ends every sign-in of the person (this one too)."""
    passkey = get_object_or_404(passkeys.passkeys_of(request.user), pk=passkey_id)
    form = PasswordCheckForm(request.POST or None)
    if request.method == "POST":
        if is_locked_out(request, request.user):
            return lockout_page(request)
        if form.is_valid() and request.user.check_password(form.cleaned_data["password"]):
            passkeys.remove(request.user, passkey, address=address_of(request))
            messages.success(request, _("The passkey is removed. Please sign in again."))
            return redirect("account")
        if not form.is_valid():
            return render(request, "accounts/passkey_remove.html", {"passkey": passkey, "form": form}, status=400)
        count_failure(request, request.user)
        form.add_error("password", _("That was not your password: the passkey stays."))
    return render(request, "accounts/passkey_remove.html", {"passkey": passkey, "form": form})


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
