"""The clinic's poster: its caller link and the link's QR code, printable on
one A4 page for the practice's door and letters. For every member.

The link is the public address (SITE_URL, "used in printed links"), not the
one the page was opened by: staff may print from an internal address. The QR
code is made here (segno), so no third party learns the clinic's link."""

import segno
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from . import access


def caller_link(clinic):
    return settings.SITE_URL + reverse("waiting:enter", args=[clinic.slug])


def qr_code(link):
    """The link as a QR code: an SVG data URI (the CSP allows data: images)."""
    return segno.make(link, error="m").svg_data_uri(scale=8, border=4)


def instructions(clinic):
    """What patients read, in the clinic's language, or in every language the
    site speaks when each caller's browser chooses."""
    languages = [clinic.language] if clinic.language else [code for code, _name in settings.LANGUAGES]
    texts = []
    for language in languages:
        with translation.override(language):
            texts.append(
                {
                    "language": language,
                    "title": _("Your video appointment with %(clinic)s") % {"clinic": clinic.name},
                    "steps": [
                        _("Open this address on your phone, tablet or computer, or scan the code with your phone's camera."),
                        _("Tell us your name and press “Enter the waiting area”."),
                        _("Keep the page open: a member of our team will join you there with video."),
                    ],
                    "tip": _("Please have your camera and microphone ready, and find a quiet place."),
                }
            )
    return texts


@login_required
@require_GET
def poster(request, slug):
    membership = access.membership_for(request.user, slug)
    clinic = membership.clinic
    link = caller_link(clinic)
    return render(
        request,
        "clinics/poster.html",
        {
            "clinic": clinic,
            "membership": membership,
            "link": link,
            "qr_code": qr_code(link),
            "instructions": instructions(clinic),
        },
    )
