"""Personal invitations for an appointment ("appointment invitations" in the
clinic's words; the team's invitations of colleagues are clinics/team.py's).
Every rule in one place (docs/invitations.md). The staff page, and later the
REST API, call these.

- A team member (or the practice system) invites a patient for an
  appointment: their name and the clinic's entry fields filled in advance, a
  window in which the link works (by default from 30 minutes before the
  appointment to 2 hours after it), single use or not.
- The link (/i/<token>/) carries a token of 256 bits, unguessable; the
  database keeps only its SHA-256, so the link can be shown once, when it is
  made. It never names the visit.
- Using it lets the patient in without the entry form, also outside the
  opening hours (waiting/hours.py: entry_refusal), never while the waiting
  area is paused; the entry limits per address apply as on the entry form.
- A single-use invitation is claimed with one conditional UPDATE in the
  transaction that makes the visit: two opens at the same moment make one
  visit. A multi-use one makes a visit each time, within its window.
- Invitations are deleted with the clinic's finished visits: once their
  window closed longer ago than the clinic keeps visits (the names in them
  are patient data). The audit trail names them by id only.
"""

import hashlib
import secrets
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.log import record
from clinics.models import FieldMode
from realtime.text import is_encodable, shows_nothing, without_controls
from waiting.actions import do_enter_waiting_area
from waiting.forms import PHONE
from waiting.models import NAME_MAX
from waitroom.errors import ActionError

from .signals import invitation_used

TOKEN_BYTES = 32
EARLY = timedelta(minutes=30)  # the link opens this long before the appointment
LATE = timedelta(hours=2)  # and works this long after it
WINDOW_MAX = timedelta(days=31)
AHEAD_MAX = timedelta(days=366)  # an appointment at most this far ahead
PHONE_MAX = 30
EXTRA_MAX = 200


class PatientInvitation(models.Model):
    """A patient's personal link for an appointment (integrations/invitations.py)."""

    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.CASCADE, related_name="patient_invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=NAME_MAX)
    phone = models.CharField(max_length=40, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    extra_answer = models.CharField(max_length=EXTRA_MAX, blank=True)
    # The patient's pages speak it (empty: the clinic's, or their browser's).
    language = models.CharField(max_length=5, blank=True)
    appointment_at = models.DateTimeField()
    valid_from = models.DateTimeField()
    valid_until = models.DateTimeField(db_index=True)
    single_use = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    first_used_at = models.DateTimeField(null=True, blank=True)
    uses = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["appointment_at", "id"]
        indexes = [models.Index(fields=["clinic", "appointment_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(valid_until__gt=F("valid_from")), name="invitation_window_in_order")
        ]

    def __str__(self):
        return f"Appointment invitation #{self.pk} ({self.clinic})"

    def state(self, now=None):
        """cancelled, used (single use, used once), expired, not_yet or open."""
        now = now or timezone.now()
        if self.cancelled_at is not None:
            return "cancelled"
        if self.single_use and self.first_used_at is not None:
            return "used"
        if now >= self.valid_until:
            return "expired"
        if now < self.valid_from:
            return "not_yet"
        return "open"

    def get_state_display(self):
        return STATES[self.state()]


STATES = {
    "open": gettext_lazy("Link works"),
    "not_yet": gettext_lazy("Upcoming"),
    "used": gettext_lazy("Used"),
    "expired": gettext_lazy("Expired"),
    "cancelled": gettext_lazy("Cancelled"),
}


def hash_of(token):
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def path_of(token):
    return reverse("integrations:invitation", args=[token])


def link_of(token, site=None):
    """The address the patient opens; `site` is scheme and host (SITE_URL by default)."""
    return (site or settings.SITE_URL).rstrip("/") + path_of(token)


def invitation_for_token(token):
    """The invitation of this link, whatever its state, or None."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100 or not is_encodable(token):
        return None
    return PatientInvitation.objects.select_related("clinic").filter(token_hash=hash_of(token)).first()


def default_window(appointment_at):
    return appointment_at - EARLY, appointment_at + LATE


# Creating -------------------------------------------------------------------


def _text(value, maximum, code, message):
    if not isinstance(value, str):
        raise ActionError("invalid", _("Send text."))
    value = " ".join(without_controls(value).split())
    if len(value) > maximum:
        raise ActionError(code, message, field=code.removesuffix("_too_long"))
    return value


def clean_fields(clinic, *, name, phone="", date_of_birth=None, extra_answer=""):
    """The patient's name and entry fields as the entry form and the visit take
    them (waiting/forms.py, waiting.actions.do_enter_waiting_area): controls
    and bidi overrides removed, a name that shows nothing refused, the fields
    the clinic requires required and those it does not ask refused."""
    if not is_encodable([name, phone, extra_answer]):
        raise ActionError("invalid", _("Text must be valid Unicode."))
    name = _text(name, NAME_MAX, "name_too_long", _("A name has at most %(n)s characters.") % {"n": NAME_MAX})
    if shows_nothing(name):
        raise ActionError("name_required", _("Please enter the patient's name."), field="name")
    phone = _text(phone or "", PHONE_MAX, "phone_too_long", _("A phone number has at most %(n)s characters.") % {"n": PHONE_MAX})
    if phone and not PHONE.match(phone):
        raise ActionError(
            "invalid_phone", _("Please enter a phone number with digits only (and + - / ( ) if needed)."), field="phone"
        )
    extra_answer = _text(
        extra_answer or "", EXTRA_MAX, "extra_answer_too_long", _("An answer has at most %(n)s characters.") % {"n": EXTRA_MAX}
    )
    if date_of_birth is not None and not (isinstance(date_of_birth, date) and not isinstance(date_of_birth, datetime)):
        raise ActionError("invalid", _("Give the date of birth as a date."), field="date_of_birth")
    if date_of_birth is not None and not date(1900, 1, 1) <= date_of_birth <= timezone.localdate():
        raise ActionError("invalid_date_of_birth", _("Please enter a date of birth in the past."), field="date_of_birth")
    extra_asked = clinic.extra_field if clinic.extra_field_label else FieldMode.OFF
    fields = {"phone": phone, "date_of_birth": date_of_birth, "extra_answer": extra_answer}
    for field, mode in (("phone", clinic.phone_field), ("date_of_birth", clinic.date_of_birth_field), ("extra_answer", extra_asked)):
        given = fields[field] not in ("", None)
        if mode == FieldMode.OFF and given:
            raise ActionError("field_not_asked", _("This clinic does not ask for this."), field=field)
        if mode == FieldMode.REQUIRED and not given:
            raise ActionError("field_required", _("This clinic asks every caller for this."), field=field)
    return {"name": name, **fields}


def _check_window(appointment_at, valid_from, valid_until, now):
    for moment in (appointment_at, valid_from, valid_until):
        if not isinstance(moment, datetime) or timezone.is_naive(moment):
            raise ActionError("invalid", _("Give times with their time zone."))
    if valid_until <= valid_from:
        raise ActionError("window_in_order", _("The link must stop working after it starts."), field="valid_until")
    if valid_until - valid_from > WINDOW_MAX:
        raise ActionError(
            "window_too_long", _("A link works at most %(n)s days.") % {"n": WINDOW_MAX.days}, field="valid_until"
        )
    if valid_until <= now:
        raise ActionError("window_past", _("This link would have stopped working already."), field="valid_until")
    if appointment_at - now > AHEAD_MAX:
        raise ActionError("too_far_ahead", _("An appointment at most a year ahead."), field="appointment_at")


def do_create_invitation(
    clinic,
    *,
    actor,
    name,
    appointment_at,
    phone="",
    date_of_birth=None,
    extra_answer="",
    valid_from=None,
    valid_until=None,
    single_use=True,
    language="",
    site=None,
):
    """Invite a patient for an appointment at `appointment_at` (aware). The
    window defaults to 30 minutes before it to 2 hours after it. `actor`: the
    team member (None: the practice system, whose key the API records).
    Returns (invitation, link): the link is known only now."""
    fields = clean_fields(clinic, name=name, phone=phone, date_of_birth=date_of_birth, extra_answer=extra_answer)
    default_from, default_until = default_window(appointment_at) if isinstance(appointment_at, datetime) else (None, None)
    valid_from = valid_from or default_from
    valid_until = valid_until or default_until
    now = timezone.now()
    _check_window(appointment_at, valid_from, valid_until, now)
    if not isinstance(single_use, bool):
        raise ActionError("invalid", _("Say whether the link works once."))
    if language not in ("", *dict(settings.LANGUAGES)):
        raise ActionError("invalid_language", _("Choose a language of the list."), field="language")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with transaction.atomic():
        invitation = PatientInvitation.objects.create(
            clinic=clinic,
            token_hash=hash_of(token),
            **fields,
            language=language,
            appointment_at=appointment_at,
            valid_from=valid_from,
            valid_until=valid_until,
            single_use=single_use,
            created_at=now,
            created_by=actor,
        )
        record("invitation.created", clinic=clinic, actor=actor, invitation=invitation.pk, single_use=single_use)
    return invitation, link_of(token, site)


def do_cancel_invitation(clinic, invitation_id, *, actor):
    """The link stops working (a visit it made stays)."""
    with transaction.atomic():
        invitation = PatientInvitation.objects.select_for_update().filter(clinic=clinic, pk=invitation_id).first()
        if invitation is None:
            raise ActionError("not_found", _("This invitation does not exist."), status=404)
        if invitation.cancelled_at is None:
            invitation.cancelled_at = timezone.now()
            invitation.save(update_fields=["cancelled_at"])
            record("invitation.cancelled", clinic=clinic, actor=actor, invitation=invitation.pk)
    return invitation


# Using -----------------------------------------------------------------------


class Refused(ActionError):
    """The link does not let anybody in now: `state` is the invitation's
    (cancelled, used, expired, not_yet)."""

    MESSAGES = {
        "cancelled": gettext_lazy("The clinic cancelled this invitation."),
        "used": gettext_lazy("This link has been used already."),
        "expired": gettext_lazy("This link has expired."),
        "not_yet": gettext_lazy("This link does not work yet."),
    }

    def __init__(self, invitation, state):
        status = 403 if state == "not_yet" else 410
        super().__init__(f"invitation_{state}", str(self.MESSAGES.get(state, "")), status=status)
        self.invitation = invitation
        self.state = state


def do_use_invitation(invitation, *, address=None, language=""):
    """The patient comes in with their link: a new visit of the clinic with
    the name and fields of the invitation. Raises Refused when the link does
    not work now, and the waiting area's refusals (paused, too many entries)."""
    with transaction.atomic():
        now = timezone.now()
        current = PatientInvitation.objects.select_related("clinic").get(pk=invitation.pk)
        state = current.state(now)
        if state != "open":
            raise Refused(current, state)
        claimed = PatientInvitation.objects.filter(pk=current.pk, cancelled_at=None, valid_until__gt=now)
        if current.single_use:
            claimed = claimed.filter(first_used_at=None)
        # One conditional UPDATE: of two uses at the same moment, one claims a single-use link.
        if not claimed.update(uses=F("uses") + 1, first_used_at=Coalesce(F("first_used_at"), now)):
            current.refresh_from_db()
            raise Refused(current, current.state(now))
        caller = do_enter_waiting_area(
            current.clinic,
            name=current.name,
            phone=current.phone,
            date_of_birth=current.date_of_birth,
            extra_answer=current.extra_answer,
            address=address,
            invitation=current,
            appointment_at=current.appointment_at,
            language=current.language or language,
        )
        record("invitation.used", clinic=current.clinic, caller=caller, invitation=current.pk)
        invitation_used.send(sender=PatientInvitation, invitation=current, caller=caller)
    return caller


# Listing and purging ---------------------------------------------------------


def invitations_of(clinic, now=None):
    """The clinic's invitations in three lists: upcoming (the link works now
    or will), used (single use, used) and over (expired or cancelled)."""
    now = now or timezone.now()
    lists = {"upcoming": [], "used": [], "over": []}
    for invitation in PatientInvitation.objects.filter(clinic=clinic).order_by("appointment_at", "id"):
        state = invitation.state(now)
        key = {"open": "upcoming", "not_yet": "upcoming", "used": "used"}.get(state, "over")
        lists[key].append(invitation)
    lists["over"].reverse()  # the latest first
    lists["used"].reverse()
    return lists


def purge_old_invitations(sender, clinic, cutoff, **kwargs):
    """On the retention purge (waiting.signals.purging): invitations whose
    window closed before `cutoff` are deleted; their names are patient data."""
    old = PatientInvitation.objects.filter(clinic=clinic, valid_until__lt=cutoff)
    count = old.count()
    if count:
        old.delete()
        record("invitations.purged", clinic=clinic, invitations=count)
