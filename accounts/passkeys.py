"""Passkeys as a second kind of second factor (django-otp-webauthn's helpers
behind our own views: docs/accounts.md).

A passkey here is only ever the *second* step: it is asked for after the
right password, and only the passkeys of the account whose password it was
are offered and accepted. Signing in with a passkey alone (passwordless) is
not offered (OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN is off, and none of the
library's own views is routed).

Each ceremony is two requests: the options (a fresh challenge, kept in the
session) and the browser's answer, checked against that challenge once — the
challenge is dropped before the answer is checked, so it cannot be replayed.
"""

import json

from cryptography.exceptions import InvalidSignature
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django_otp_webauthn import exceptions as webauthn_errors
from django_otp_webauthn.models import WebAuthnCredential
from webauthn.helpers import exceptions as pywebauthn_errors

from audit.log import record
from realtime.text import is_encodable, shows_nothing, without_controls
from waitroom.errors import ActionError

REGISTRATION = "accounts_passkey_registration"
AUTHENTICATION = "accounts_passkey_authentication"

# A browser's answer is a few hundred bytes to a few kilobytes (the credential
# id is at most 1023 bytes; we ask for no attestation statement).
CREDENTIAL_MAX_CHARS = 16_000
NAME_MAX_CHARS = 64  # django-otp's Device.name

# What a browser's answer that is not right can raise: py_webauthn's own
# errors, the library's, and plain ones from decoding base64, CBOR and keys of
# a made-up answer (binascii.Error and CBORDecodeError are ValueErrors), or a
# credential id already registered (IntegrityError: "none" attestation lets
# anybody claim any id). None of them is a server fault.
REFUSALS = (
    pywebauthn_errors.WebAuthnException,
    webauthn_errors.OTPWebAuthnApiError,
    IntegrityError,
    InvalidSignature,
    KeyError,
    TypeError,
    ValueError,
    OverflowError,
)


def passkeys_of(user):
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("created_at", "pk")


def has_passkey(user):
    return passkeys_of(user).exists()


def _helper(request):
    return WebAuthnCredential.get_webauthn_helper(request=request)


def parse_credential(text):
    """The browser's answer (PublicKeyCredential as JSON), or ActionError."""
    if not isinstance(text, str) or not text.strip():
        raise ActionError("no_passkey", _("Your browser did not send a passkey. Try again."))
    if len(text) > CREDENTIAL_MAX_CHARS:
        raise ActionError("too_long", _("That answer from your browser is too long to be a passkey."))
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        data = None
    if not isinstance(data, dict):
        raise ActionError("bad_request", _("That answer from your browser is not a passkey."))
    if not is_encodable(data):
        raise ActionError("invalid", _("Text must be valid Unicode."))
    return data


def clean_name(name):
    """The name a person gives their passkey ("Laptop at reception")."""
    if not isinstance(name, str) or not is_encodable(name):
        raise ActionError("invalid", _("Text must be valid Unicode."))
    name = " ".join(without_controls(name).split())
    if shows_nothing(name):
        raise ActionError("name_missing", _("Give the passkey a name, for example the device it is on."))
    if len(name) > NAME_MAX_CHARS:
        raise ActionError("too_long", _("A passkey's name can be at most %(count)d characters.") % {"count": NAME_MAX_CHARS})
    return name


# Adding a passkey (signed in, from the account page).


def registration_options(request):
    """What navigator.credentials.create() needs; the person's passkeys are
    excluded, so the same authenticator is not added twice."""
    options, state = _helper(request).register_begin(user=request.user)
    request.session[REGISTRATION] = state
    return options


def add(request, name, credential_text, *, address=None):
    """The browser's new passkey, checked against the challenge this session
    was given. Returns (passkey, recovery codes to show once, or None)."""
    from . import two_factor  # the one place that says who has two factors

    name = clean_name(name)
    data = parse_credential(credential_text)
    state = request.session.pop(REGISTRATION, None)
    request.session.save()  # the challenge is gone even if what follows fails
    if not state:
        raise ActionError("no_challenge", _("Adding the passkey took too long or was started elsewhere. Try again."))
    try:
        with transaction.atomic():
            codes = two_factor.recovery_codes_for_first_factor(request.user)
            passkey = _helper(request).register_complete(user=request.user, state=state, data=data)
            passkey.name = name
            passkey.save(update_fields=["name"])
            record("account.passkey_added", actor=request.user, passkey=passkey.pk, address=address)
    except REFUSALS:
        raise ActionError("passkey_refused", _("That passkey could not be added. Try again."))
    return passkey, codes


@transaction.atomic
def remove(user, passkey, *, address=None):
    """One passkey of the person goes (every sign-in of theirs ends: apps.py);
    the recovery codes go with the last second factor."""
    from . import two_factor

    pk = passkey.pk
    passkey.delete()
    if not two_factor.has_two_factors(user):
        two_factor.drop_recovery_codes(user)
    record("account.passkey_removed", actor=user, passkey=pk, address=address)


# Signing in: the second step, after the right password.


def sign_in_options(request, user):
    """What navigator.credentials.get() needs: this person's passkeys only."""
    options, state = _helper(request).authenticate_begin(user=user, require_user_verification=False)
    request.session[AUTHENTICATION] = {**state, "user": user.pk}
    return options


def forget_sign_in(request):
    request.session.pop(AUTHENTICATION, None)


def verify(request, user, data):
    """The passkey of `user` that signed this session's challenge, or None
    (another person's passkey, an unknown one, a bad signature, no challenge
    asked for this person). The challenge works once, right or wrong."""
    state = request.session.pop(AUTHENTICATION, None)
    request.session.save()
    if not state or state.get("user") != user.pk:
        return None
    try:
        passkey = _helper(request).authenticate_complete(user=user, state=state, data=data)
    except REFUSALS:
        return None
    if not passkey.confirmed or passkey.user_id != user.pk:
        return None
    return passkey
