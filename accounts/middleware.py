from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from waitroom.http import json_error

from . import two_factor

# What a person whose clinic requires two factors may still open before their
# sign-in has them: their account (where they set them up), signing in and
# out, their password, and the callers' public pages (/w/). Nothing of a clinic.
OPEN_WITHOUT_TWO_FACTORS = ("/account/", "/login/", "/logout/", "/password-change/", "/password-reset/", "/w/")


class ClinicRequiresTwoFactorsMiddleware:
    """A clinic admin can require two factors for everyone of the clinic
    (Clinic.require_two_factors). A member whose sign-in was made without them
    is led to set them up before any page of a clinic; one who has them (set
    up in another browser since) signs in again with them. Their open pages
    close by the same rule (accounts/sessions/verdicts.py). After
    AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not request.path_info.startswith(OPEN_WITHOUT_TWO_FACTORS)
            and not two_factor.signed_in_with_two_factors(request.session)
            and two_factor.clinic_requires_two_factors(user)
        ):
            return self.lead_to_two_factors(request)
        return self.get_response(request)

    def lead_to_two_factors(self, request):
        if request.method != "GET" or request.content_type == "application/json":
            return json_error(
                "two_factors_required",
                _("Your clinic requires two-factor authentication. Set it up on your account page."),
                status=403,
            )
        if two_factor.has_two_factors(request.user):
            logout(request)
            messages.info(request, _("Your clinic requires two-factor authentication: sign in with your code."))
            return redirect_to_login(request.get_full_path())
        messages.info(request, _("Your clinic requires two-factor authentication. Set it up to go on."))
        return redirect("two_factor_setup")
