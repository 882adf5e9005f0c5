"""API keys: what a practice system signs its REST API requests with
(integrations/api.py). A clinic admin makes one on the integrations page,
names it, and ticks what it may do; the key is shown once, at creation.

A key is "wr_<prefix>_<secret>". The prefix finds the row; only the SHA-256
of the secret is stored, so a copy of the database signs nothing. The
secret has 256 random bits: a plain hash is enough (a password hasher's
slowness protects guessable secrets, and these are not).

Every use is recorded in the audit trail (`api.used`: the key, the
endpoint, the status), and the key's "last used" is written at most once
a minute: a busy practice system would otherwise write the row each request.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.log import record
from realtime.text import is_encodable, shows_nothing, without_controls
from waitroom.errors import ActionError

NAME_MAX = 100
PREFIX_BYTES = 6  # 12 hex digits: where to look, not a secret
SECRET_BYTES = 32
KEY_START = "wr_"
LAST_USED_EVERY = timedelta(minutes=1)
KEYS_PER_CLINIC = 50  # open keys; a clinic with more has forgotten what they are for


class Scope(models.TextChoices):
    # read: waiting callers with their entry fields; notify: send messages
    # (and see the callers to send to, without entry fields); invite: make
    # personal invitations.
    READ = "read", gettext_lazy("Read callers' entry fields")
    NOTIFY = "notify", gettext_lazy("Notify callers")
    INVITE = "invite", gettext_lazy("Create invitations")


class ApiKey(models.Model):
    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(gettext_lazy("Name"), max_length=NAME_MAX)
    prefix = models.CharField(max_length=2 * PREFIX_BYTES, unique=True)
    secret_hash = models.CharField(max_length=64)
    scopes = models.CharField(max_length=40)  # space-separated Scope values
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.name} ({KEY_START}{self.prefix}_…)"

    @property
    def scope_list(self):
        return [s for s in Scope.values if s in self.scopes.split()]

    def has_scope(self, scope):
        return scope in self.scopes.split()

    @property
    def shown_prefix(self):
        """What the page shows to tell keys apart: the start of the key."""
        return f"{KEY_START}{self.prefix}_…"


class IdempotentRequest(models.Model):
    """A request a practice system sent with a client key (Idempotency-Key):
    its answer, so that the same key again within IDEMPOTENCY_HOURS gets
    that answer and changes nothing."""

    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="+")
    client_key = models.CharField(max_length=100)
    endpoint = models.CharField(max_length=40)
    status = models.PositiveSmallIntegerField()
    answer = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["api_key", "client_key"], name="integrations_one_answer_per_client_key")
        ]


def _digest(secret):
    return hashlib.sha256(secret.encode()).hexdigest()


def clean_name(name):
    if not isinstance(name, str) or not is_encodable(name):
        raise ActionError("invalid", _("A name is text."), field="name")
    name = " ".join(without_controls(name).split())
    if shows_nothing(name):
        raise ActionError("required", _("Give the key a name, e.g. the practice system it is for."), field="name")
    if len(name) > NAME_MAX:
        raise ActionError("too_long", _("A name has at most %(n)s characters.") % {"n": NAME_MAX}, field="name")
    return name


def clean_scopes(scopes):
    scopes = list(scopes or [])
    if not scopes:
        raise ActionError("required", _("Choose at least one thing the key may do."), field="scopes")
    if any(s not in Scope.values for s in scopes):
        raise ActionError("invalid", _("Choose among the listed permissions."), field="scopes")
    return [s for s in Scope.values if s in scopes]


def do_create_api_key(clinic, *, actor, name, scopes):
    """A new key of the clinic: returns (key, the whole key text), the text
    shown once and never again."""
    name = clean_name(name)
    scopes = clean_scopes(scopes)
    with transaction.atomic():
        if ApiKey.objects.filter(clinic=clinic, revoked_at__isnull=True).count() >= KEYS_PER_CLINIC:
            raise ActionError(
                "too_many", _("A clinic has at most %(n)s keys: revoke those no longer used.") % {"n": KEYS_PER_CLINIC}
            )
        prefix, secret = secrets.token_hex(PREFIX_BYTES), secrets.token_urlsafe(SECRET_BYTES)
        key = ApiKey.objects.create(
            clinic=clinic, name=name, prefix=prefix, secret_hash=_digest(secret), scopes=" ".join(scopes),
            created_by=actor,
        )
        record("api.key_created", clinic=clinic, actor=actor, api_key=key.pk, scopes=scopes)
    return key, f"{KEY_START}{prefix}_{secret}"


def do_revoke_api_key(clinic, key_id, *, actor):
    """The key stops working at once; the row stays, so the trail's
    `api_key` ids still name a key on the page."""
    with transaction.atomic():
        key = ApiKey.objects.select_for_update().filter(clinic=clinic, pk=key_id).first()
        if key is None:
            raise ActionError("not_found", _("This key does not exist."), status=404)
        if key.revoked_at is not None:
            return key
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        record("api.key_revoked", clinic=clinic, actor=actor, api_key=key.pk)
    return key


def key_for(text):
    """The open key whose text this is, or None. The stored hash is compared
    in constant time; an unknown prefix costs a comparison too."""
    if not isinstance(text, str) or not text.isascii() or not text.startswith(KEY_START):
        return None
    prefix, _sep, secret = text.removeprefix(KEY_START).partition("_")
    if len(prefix) != 2 * PREFIX_BYTES or not secret or len(secret) > 100:
        return None
    key = ApiKey.objects.select_related("clinic").filter(prefix=prefix).first()
    stored = key.secret_hash if key is not None else "0" * 64
    if not hmac.compare_digest(stored, _digest(secret)) or key is None or key.revoked_at is not None:
        return None
    return key


def note_use(key, *, endpoint, status, caller_id=None):
    """A request made with the key: recorded, and "last used" kept to the minute."""
    now = timezone.now()
    if key.last_used_at is None or key.last_used_at <= now - LAST_USED_EVERY:
        ApiKey.objects.filter(pk=key.pk).filter(
            models.Q(last_used_at__isnull=True) | models.Q(last_used_at__lte=now - LAST_USED_EVERY)
        ).update(last_used_at=now)
    record(
        "api.used",
        clinic=key.clinic,
        caller=_Id(caller_id) if caller_id else None,
        api_key=key.pk,
        endpoint=endpoint,
        status=status,
    )


class _Id:
    def __init__(self, pk):
        self.pk = pk


def keys_of(clinic):
    return ApiKey.objects.filter(clinic=clinic).select_related("created_by")
