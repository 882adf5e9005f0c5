"""What signing in and out leaves in the audit trail (audit.log.record).

Django sends a signal for each sign-in, sign-out and failed sign-in, whichever
page it came from (/login/, /admin/login/): the receivers here write them.

The trail names an account by its id, and only an account that exists: the
text typed into the email field of a failed sign-in is never kept (it may be a
mistyped address of somebody else, or a password typed into the wrong field).
Passwords never reach a receiver: Django masks them in `credentials`.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from audit.log import record


def account_id_of(username):
    """The id of the account with this username, or None."""
    if not isinstance(username, str) or not username:
        return None
    User = get_user_model()
    return User._default_manager.filter(**{User.USERNAME_FIELD: username}).values_list("pk", flat=True).first()


def address_of(request):
    if request is None:
        return None
    # axes has read it already (the same REMOTE_ADDR; docs/accounts.md).
    return getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR")


@receiver(user_login_failed)
def sign_in_failed(sender, credentials, request=None, **kwargs):
    account = account_id_of(credentials.get(get_user_model().USERNAME_FIELD))
    # axes' receiver ran first (accounts/apps.py). A failure it counted and
    # that reached the limit started a lockout; a try during a lockout is
    # refused before any password is checked and is not counted.
    locked_out = bool(getattr(request, "axes_locked_out", False))
    counted = getattr(request, "axes_failures_since_start", None) is not None
    where = {"account": account, "address": address_of(request), "path": getattr(request, "path", None)}
    record("account.sign_in_failed", refused_while_locked_out=locked_out and not counted, **where)
    if locked_out and counted:
        record("account.locked_out", failures=request.axes_failures_since_start, **where)


SECOND_FACTORS = {"totpdevice": "app", "staticdevice": "recovery_code", "webauthncredential": "passkey"}


@receiver(user_logged_in)
def signed_in(sender, request, user, **kwargs):
    details = {"address": address_of(request), "path": getattr(request, "path", None)}
    device = getattr(user, "otp_device", None)  # set by the code step (accounts/views.py)
    if device is not None:
        details["second_factor"] = SECOND_FACTORS.get(device._meta.model_name, device._meta.model_name)
    record("account.signed_in", actor=user, **details)


@receiver(user_logged_out)
def signed_out(sender, request, user, **kwargs):
    if user is not None:
        record("account.signed_out", actor=user, address=address_of(request))
