import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class FieldMode(models.TextChoices):
    OFF = "off", _("Not asked")
    OPTIONAL = "optional", _("Optional")
    REQUIRED = "required", _("Required")


def validate_time_zone(value):
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(_("Choose a time zone from the list, such as Europe/Berlin."), code="invalid")


def default_time_zone():
    return settings.TIME_ZONE


TEXT_MAX = 2000


class Clinic(models.Model):
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("link name"), max_length=50, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # General configuration (clinic admins only; changed through
    # clinics.actions.do_change_configuration so every change is audited).
    guest_messaging_enabled = models.BooleanField(
        _("Enable guest messaging"),
        default=False,
        help_text=_("Callers can write to the clinic while they wait or are on hold."),
    )
    # Texts callers read come in English and German; the caller's language
    # chooses (Clinic.text_for).
    waiting_text_en = models.TextField(
        _("Text shown to waiting callers (English)"),
        max_length=TEXT_MAX,
        blank=True,
        help_text=_("Leave both versions empty for the standard text."),
    )
    waiting_text_de = models.TextField(
        _("Text shown to waiting callers (German)"),
        max_length=TEXT_MAX,
        blank=True,
        help_text=_("German callers read this one; when it is empty, the English one."),
    )
    phone_field = models.CharField(
        _("Phone number"), max_length=10, choices=FieldMode.choices, default=FieldMode.OPTIONAL
    )
    date_of_birth_field = models.CharField(
        _("Date of birth"), max_length=10, choices=FieldMode.choices, default=FieldMode.OFF
    )
    extra_field_label = models.CharField(
        _("Own question"),
        max_length=60,
        blank=True,
        help_text=_("For example “Reason for your visit”. Leave empty to ask nothing more."),
    )
    extra_field = models.CharField(
        _("Own question is"), max_length=10, choices=FieldMode.choices, default=FieldMode.OPTIONAL
    )
    offline_grace_minutes = models.PositiveSmallIntegerField(
        _("Offline grace period (minutes)"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
        help_text=_("How long a caller whose page lost its connection keeps their place."),
    )
    retention_days = models.PositiveSmallIntegerField(
        _("Keep visit data for (days)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_("Finished visits and their messages are deleted after this many days."),
    )
    require_two_factors = models.BooleanField(
        _("Require two factors for everyone of the clinic"),
        default=False,
        help_text=_(
            "Everyone of the team signs in with a password and a code from their phone (or a passkey). "
            "Whoever has not set this up is led to do it before they see callers; their open pages close."
        ),
    )
    language = models.CharField(
        _("Language of the caller pages"),
        max_length=5,
        blank=True,
        choices=[("", _("The caller's browser language"))] + list(settings.LANGUAGES),
    )

    # Queue (issue 12): off by default; the caller's page shows their place
    # (waiting/queue.py) and, with enough recent visits, the expected wait.
    show_queue_position = models.BooleanField(
        _("Show queue position"),
        default=False,
        help_text=_("Waiting callers see their place in the queue, live: “You are number 3 in the queue”."),
    )
    show_expected_wait = models.BooleanField(
        _("Show expected wait"),
        default=False,
        help_text=_(
            "With the queue position, waiting callers see about how long they will wait, from this clinic's "
            "waits of the last 14 days. Nothing is shown until enough callers have been seen."
        ),
    )


    # The waiting area's hours and its pause (written by waiting.actions, with
    # the weekly hours and closed dates: docs/opening-hours.md).
    time_zone = models.CharField(
        _("Time zone"), max_length=64, default=default_time_zone, validators=[validate_time_zone]
    )
    closed_message_en = models.TextField(
        _("Closed message (English)"),
        max_length=TEXT_MAX,
        blank=True,
        help_text=_("What callers read outside the opening hours. Leave empty for the standard text."),
    )
    closed_message_de = models.TextField(
        _("Closed message (German)"), max_length=TEXT_MAX, blank=True
    )
    paused = models.BooleanField(_("Waiting area paused"), default=False)
    pause_message_en = models.TextField(_("Pause message (English)"), max_length=TEXT_MAX, blank=True)
    pause_message_de = models.TextField(_("Pause message (German)"), max_length=TEXT_MAX, blank=True)

    CONFIGURATION_FIELDS = [
        "guest_messaging_enabled",
        "waiting_text_en",
        "waiting_text_de",
        "phone_field",
        "date_of_birth_field",
        "extra_field_label",
        "extra_field",
        "offline_grace_minutes",
        "retention_days",
        "require_two_factors",
        "language",
        "show_queue_position",
        "show_expected_wait",
    ]

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.show_expected_wait and not self.show_queue_position:
            raise ValidationError(
                {"show_expected_wait": _("The expected wait is shown with the queue position: turn that on too.")}
            )

    def text_for(self, name, language):
        """The clinic's text `name` ("waiting_text", "closed_message",
        "pause_message") for a caller reading `language`: that version, else
        the clinic's language's, else any; "" when the clinic wrote none (the
        page then shows its standard text)."""
        order = [language, self.language or settings.LANGUAGE_CODE] + [code for code, _name in settings.LANGUAGES]
        for code in order:
            text = getattr(self, f"{name}_{(code or '')[:2]}", "")
            if text and text.strip():
                return text
        return ""

    def texts(self, name):
        """Every version of a text, by language, for pages that choose themselves."""
        return {code: getattr(self, f"{name}_{code}") for code, _name in settings.LANGUAGES}


class Role(models.TextChoices):
    ADMIN = "admin", _("Clinic admin")
    MEMBER = "member", _("Team member")


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "clinic"], name="one_membership_per_clinic")]

    def __str__(self):
        return f"{self.user} – {self.clinic} ({self.get_role_display()})"

    @property
    def is_admin(self):
        return self.role == Role.ADMIN


class Invitation(models.Model):
    """A link sent by email that lets its holder join the clinic with a role
    (clinics/team.py). The link's token is kept only as its SHA-256: the
    database alone opens no invitation. One row per link sent: a resent
    invitation is a new row, and the old one is revoked with it."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("Email"))
    role = models.CharField(_("Role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    language = models.CharField(max_length=5, blank=True)  # of the mail
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    sent_at = models.DateTimeField(db_index=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]

    def __str__(self):
        return f"{self.email} – {self.clinic} ({self.get_role_display()})"

    def state(self, now):
        """open, accepted, revoked or expired."""
        if self.accepted_at is not None:
            return "accepted"
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        return "open"
