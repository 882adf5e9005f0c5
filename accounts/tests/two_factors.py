"""Helpers for the two-factor tests: an app's code, computed as the app does."""

import time

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor


def app_code(device, steps_ahead=0):
    """The code the person's app shows (steps_ahead=1: the next one, which
    django-otp accepts too; a code once used is not accepted again)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def turn_on(user):
    """Two factors on, as the set-up page does it. Returns (app device, recovery codes)."""
    device = two_factor.app_being_set_up(user)
    codes = two_factor.confirm_app(user, device, app_code(device))
    assert codes is not None
    return TOTPDevice.objects.get(pk=device.pk), codes
