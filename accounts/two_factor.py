"""Two factors: a code from an authenticator app (TOTP, django-otp),
passkeys (WebAuthn: accounts/passkeys.py) and one-time recovery codes for
when the phone or the passkey is gone (docs/accounts.md).

A person has two factors once their authenticator app is confirmed or they
have a passkey: then signing in asks for one of them after the password
(accounts/views.py).
"""

from base64 import b32encode

import segno
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.log import record
from clinics.models import Membership
from .passkeys import has_passkey, passkeys_of
from .sessions.ending import end_sessions_of

RECOVERY_CODES = 10


def has_app(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def has_two_factors(user):
    """The one answer to "does signing in ask this person for a second factor?"."""
    return has_app(user) or has_passkey(user)


def signed_in_with_two_factors(session):
    """Whether this session's sign-in used a second factor (or the person set
    their first one up in it): django-otp's `otp_device_id` (`django_otp.login`),
    the one thing the session keeps of it."""
    return bool(session.get(DEVICE_ID_SESSION_KEY))


def clinic_requires_two_factors(user):
    """Whether a clinic of the person asks everyone for two factors."""
    return Membership.objects.filter(user=user, clinic__require_two_factors=True).exists()


def operator_lacks_two_factors(user):
    """An operator (the Django admin's user) without two factors, where
    REQUIRE_2FA_FOR_OPERATORS says they must have them."""
    return settings.REQUIRE_2FA_FOR_OPERATORS and user.is_active and user.is_staff and not has_two_factors(user)


def end_sign_ins_when_removed(sender, instance, **kwargs):
    """A confirmed app or passkey removed — by its owner, or reset by an
    operator in the admin (a lost phone): every sign-in of the person ends,
    everywhere, the one that removed it too (its pages close within seconds)."""
    if instance.confirmed:
        end_sessions_of(get_user_model()(pk=instance.user_id))


def app_being_set_up(user):
    """The authenticator app the person is setting up: the same secret on
    every visit of the page until it is confirmed (a reload must not change
    the code their app already shows)."""
    being_set_up = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk")
    if not being_set_up.exists():
        TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    # Two pages opened at once may both have made one: both show the oldest.
    return being_set_up.first()


def qr_code(device):
    """The otpauth:// link as a QR code, an SVG data URI made here (no
    third party sees the secret; the CSP allows data: images)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


def secret_for_typing(device):
    """The secret in groups of four, for an app that cannot scan."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@transaction.atomic
def confirm_app(user, device, code, *, address=None):
    """The code the app shows confirms it: two factors are on. Returns the
    new recovery codes (to show once), or None if the code is wrong."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
    if not device.verify_token(code):
        return None
    codes = recovery_codes_for_first_factor(user)
    device.confirmed = True
    device.save()
    # One app at a time: another, older one stops working.
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    record("account.two_factor_enabled", actor=user, address=address)
    return codes


def recovery_codes_for_first_factor(user):
    """Called as a second factor is being added, before it counts: the first
    one of any kind brings new recovery codes (returned, to show once). A
    person who has a factor already, or codes left, keeps theirs: [] then."""
    if has_two_factors(user) or StaticToken.objects.filter(device__user=user).exists():
        return []
    return _new_recovery_codes(user)


@transaction.atomic
def new_recovery_codes(user, *, address=None):
    codes = _new_recovery_codes(user)
    record("account.recovery_codes_renewed", actor=user, address=address)
    return codes


def _new_recovery_codes(user):
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def recovery_codes_left(user):
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def drop_recovery_codes(user):
    StaticDevice.objects.filter(user=user).delete()


@transaction.atomic
def turn_off(user, *, address=None):
    """Every second factor goes: the app, the passkeys, the recovery codes."""
    TOTPDevice.objects.filter(user=user).delete()
    passkeys_of(user).delete()
    drop_recovery_codes(user)
    record("account.two_factor_disabled", actor=user, address=address)


def check_code(user, code, *, recovery):
    """The device that accepts this code, or None. A recovery code is used up
    by accepting it; an app's code cannot be used twice either (django-otp
    keeps the last time step). django-otp also slows down guessing per device."""
    code = "".join(code.split()).lower()
    devices = StaticDevice if recovery else TOTPDevice
    with transaction.atomic():
        for device in devices.objects.filter(user=user, confirmed=True).select_for_update():
            if device.verify_token(code):
                return device
    return None
