"""Appointment invitations on the web (docs/invitations.md); the rules are in
integrations/invitations.py.

- /clinics/<slug>/appointments/: the clinic's team lists the invitations
  (upcoming, used, over), makes one (the link is shown once, to copy into the
  practice's own message: Waitroom sends no SMS or mail) and cancels one.
  Every member of the team may: booking appointments is front-desk work.
  Another clinic's staff get 404.
- /i/<token>/: the patient's link, in the patient's language. It shows a
  page with one button, and the button lets them in: link previews and mail
  scanners open links by GET, and must not use up a single-use link.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from audit.log import record
from clinics import access as clinic_access
from clinics.models import FieldMode
from waiting import access, hours, strings
from waiting.models import NAME_MAX
from waitroom.errors import ActionError
from waitroom.validation import is_id

from . import invitations
from .invitations import EXTRA_MAX, PHONE_MAX, Refused

NEW_LINK_KEY = "integrations.new_invitation"  # session: the link just made, shown once


class InvitationForm(forms.Form):
    """What a team member fills in; times in the clinic's time zone."""

    name = forms.CharField(label=gettext_lazy("Patient's name"), max_length=NAME_MAX)
    appointment_at = forms.DateTimeField(
        label=gettext_lazy("Appointment"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    valid_from = forms.DateTimeField(
        label=gettext_lazy("Link works from"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=gettext_lazy("Empty: 30 minutes before the appointment."),
    )
    valid_until = forms.DateTimeField(
        label=gettext_lazy("Link works until"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=gettext_lazy("Empty: 2 hours after the appointment."),
    )
    single_use = forms.BooleanField(
        label=gettext_lazy("The link works once"),
        required=False,
        initial=True,
        help_text=gettext_lazy("Untick it for a link the patient may use again (each use is a new visit)."),
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language of the patient's pages"),
        required=False,
        choices=[("", gettext_lazy("The patient's browser language"))] + list(settings.LANGUAGES),
    )

    def __init__(self, clinic, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs.update(autocomplete="off")
        extra = {}
        if clinic.phone_field != FieldMode.OFF:
            extra["phone"] = forms.CharField(
                label=_("Phone number"),
                max_length=PHONE_MAX,
                required=clinic.phone_field == FieldMode.REQUIRED,
                widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
            )
        if clinic.date_of_birth_field != FieldMode.OFF:
            extra["date_of_birth"] = forms.DateField(
                label=_("Date of birth"),
                required=clinic.date_of_birth_field == FieldMode.REQUIRED,
                widget=forms.DateInput(attrs={"type": "date"}),
            )
        if clinic.extra_field_label and clinic.extra_field != FieldMode.OFF:
            extra["extra_answer"] = forms.CharField(
                label=clinic.extra_field_label,
                max_length=EXTRA_MAX,
                required=clinic.extra_field == FieldMode.REQUIRED,
            )
        # The patient's fields after the name, then the appointment.
        order = ["name", *extra, "appointment_at", "valid_from", "valid_until", "single_use", "language"]
        self.fields.update(extra)
        self.order_fields(order)


def _membership(request, slug):
    return clinic_access.membership_for(request.user, slug)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def appointments_page(request, slug):
    membership = _membership(request, slug)
    clinic = membership.clinic
    zone = hours.zone(clinic)
    form = InvitationForm(clinic, request.POST or None)
    status = 200
    if request.method == "POST":
        with timezone.override(zone):  # the times typed are the clinic's wall clock
            valid = form.is_valid()
        if valid:
            data = {k: v for k, v in form.cleaned_data.items() if v not in ("", None) or k == "single_use"}
            try:
                invitation, link = invitations.do_create_invitation(
                    clinic, actor=request.user, site=request.build_absolute_uri("/"), **data
                )
            except ActionError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                request.session[NEW_LINK_KEY] = {"id": invitation.pk, "link": link, "clinic": clinic.pk}
                return redirect("integrations:appointments", slug=slug)
        status = 400
    new = request.session.pop(NEW_LINK_KEY, None) if request.method == "GET" else None
    if new and new.get("clinic") != clinic.pk:
        new = None
    with transaction.atomic():  # what was read and the record that it was
        lists = invitations.invitations_of(clinic)
        record("invitations.read", clinic=clinic, actor=request.user, invitations=sum(map(len, lists.values())))
    context = {
        "clinic": clinic,
        "membership": membership,
        "form": form,
        "lists": [
            ("upcoming", _("Upcoming"), lists["upcoming"]),
            ("used", _("Used"), lists["used"]),
            ("over", _("Expired or cancelled"), lists["over"]),
        ],
        "new": new,
        "zone": zone,
        "time_zone": clinic.time_zone,
    }
    return render(request, "integrations/appointments.html", context, status=status)


@login_required
@require_POST
def cancel(request, slug, invitation_id):
    membership = _membership(request, slug)
    if not is_id(invitation_id):
        raise Http404
    try:
        invitations.do_cancel_invitation(membership.clinic, invitation_id, actor=request.user)
    except ActionError as error:
        if error.status == 404:
            raise Http404
        raise
    messages.success(request, _("The invitation is cancelled: its link no longer works."))
    return redirect("integrations:appointments", slug=slug)


# The patient's link ------------------------------------------------------------

# The page's status for each state of the link.
REFUSED_STATUS = {"unknown": 404, "cancelled": 410, "used": 410, "expired": 410, "not_yet": 200}


def _speak_patients_language(invitation):
    language = invitation.language or invitation.clinic.language
    if language:
        translation.activate(language)


def when(clinic, moment):
    """"3 December, 10:30" in the clinic's time zone and the page's language."""
    local = moment.astimezone(hours.zone(clinic))
    return _("%(date)s, %(time)s") % {"date": dateformat.format(local, _("j F")), "time": dateformat.format(local, "G:i")}


def _refused(request, invitation, state):
    status = REFUSED_STATUS[state]
    if state == "not_yet" and request.method == "POST":
        status = 403
    context = {"state": state, "invitation": invitation, "clinic": invitation.clinic if invitation else None}
    if invitation is not None:
        local = invitation.valid_from.astimezone(hours.zone(invitation.clinic))
        context.update(
            opens=_("This link opens at %(time)s on %(date)s.")
            % {"time": dateformat.format(local, "G:i"), "date": dateformat.format(local, _("j F"))},
            appointment=when(invitation.clinic, invitation.appointment_at),
            time_zone=_("Times in the time zone %(zone)s.") % {"zone": invitation.clinic.time_zone},
        )
    return render(request, "integrations/invitation.html", context, status=status)


def _closed(request, clinic, refusal):
    context = {"clinic": clinic, "closed": strings.closed_page(clinic, refusal), "reason": refusal.reason}
    return render(request, "waiting/closed.html", context, status=403 if request.method == "POST" else 200)


@never_cache
@require_http_methods(["GET", "POST"])
def invitation_page(request, token):
    invitation = invitations.invitation_for_token(token)
    if invitation is None:
        return _refused(request, None, "unknown")
    clinic = invitation.clinic
    _speak_patients_language(invitation)
    visit = access.visit_of_session(request.session, clinic)
    if visit is not None and visit.is_present:
        return redirect("waiting:wait", slug=clinic.slug)  # this browser is in already
    state = invitation.state()
    if state != "open":
        return _refused(request, invitation, state)
    refusal = hours.entry_refusal(clinic, invitation=invitation)
    if refusal is not None:  # paused: the invited wait for the team too
        return _closed(request, clinic, refusal)
    context = {"state": "open", "invitation": invitation, "clinic": clinic, "appointment": when(clinic, invitation.appointment_at)}
    if request.method == "GET":
        return render(request, "integrations/invitation.html", context)
    try:
        caller = invitations.do_use_invitation(
            invitation, address=request.META.get("REMOTE_ADDR", ""), language=translation.get_language()
        )
    except Refused as refused:
        return _refused(request, refused.invitation, refused.state)
    except ActionError as error:
        if error.code in ("closed", "paused"):  # paused a moment ago
            return _closed(request, clinic, hours.entry_refusal(clinic, invitation=invitation) or hours.Refusal(error.code))
        if error.status == 429:
            response = render(request, "waiting/busy.html", {"clinic": clinic, "message": error.message}, status=429)
            response["Retry-After"] = str(60 * settings.WAITROOM_ENTRIES_MINUTES)
            return response
        return render(request, "integrations/invitation.html", {**context, "error": error.message}, status=error.status)
    access.remember_visit(request.session, caller)
    return redirect("waiting:wait", slug=clinic.slug)
