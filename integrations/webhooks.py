"""Webhooks: the endpoints a clinic admin registers, the outbox of events, and
one delivery of an event to an endpoint — with the rules that change them
(register, change, rotate the secret, remove, send again).

The outbox is one row per event (WebhookEvent, written in the transaction of
the change: integrations/webhook_events.py) and one row per endpoint that
wants it (WebhookDelivery), which the worker claims, sends and retries
(integrations/delivery.py). An event's `details` (message bodies, entry
fields) are stored only when one of its endpoints asked for them, and sent
only to those that did.

The signing secret is kept as it is (it signs every delivery, so it cannot be
hashed like a password), shown once when made, and never again.
"""

import base64
import ipaddress
import secrets
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.log import record
from realtime.text import is_encodable
from waitroom.errors import ActionError

URL_MAX = 500
DESCRIPTION_MAX = 100
ENDPOINTS_MAX = 10  # per clinic
SECRET_BYTES = 32
SECRET_PREFIX = "whsec_"
# After a rotation the old secret signs too, for a day, so the practice system
# can switch without losing a delivery (Standard Webhooks: several signatures).
OLD_SECRET_SIGNS_FOR = timedelta(hours=24)

EVENTS = {
    "caller.entered": gettext_lazy("A caller entered the waiting area"),
    "caller.status_changed": gettext_lazy("A caller's status changed (being seen, on hold, waiting)"),
    "caller.message_received": gettext_lazy("A caller wrote a message"),
    "call.started": gettext_lazy("A call started"),
    "call.ended": gettext_lazy("A call ended"),
    "visit.ended": gettext_lazy("A visit ended"),
    "invitation.used": gettext_lazy("A personal invitation was used"),
}


def new_secret():
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def secret_bytes(secret):
    """The key a secret stands for (Standard Webhooks: base64 after `whsec_`)."""
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


class WebhookEndpoint(models.Model):
    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.CharField(max_length=URL_MAX)
    description = models.CharField(max_length=DESCRIPTION_MAX, blank=True)
    events = models.JSONField(default=list)  # names of EVENTS
    include_details = models.BooleanField(default=False)  # message bodies and entry fields
    active = models.BooleanField(default=True)
    secret = models.CharField(max_length=100)
    previous_secret = models.CharField(max_length=100, blank=True)
    previous_secret_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["clinic", "active"], name="webhook_endpoints_of_clinic")]

    def __str__(self):
        return self.url

    def event_labels(self):
        return [str(EVENTS[name]) for name in EVENTS if name in self.events]

    def signing_secrets(self, now=None):
        """The secrets that sign a delivery now: the current one, and the one
        it replaced for a day after a rotation."""
        now = now or timezone.now()
        if self.previous_secret and self.previous_secret_until and self.previous_secret_until > now:
            return [self.secret, self.previous_secret]
        return [self.secret]


class WebhookEvent(models.Model):
    """Something that happened, in the outbox: written in the transaction of
    the change itself, so there is an event exactly when the change happened."""

    msg_id = models.CharField(max_length=40, unique=True)  # `webhook-id`: the receiver dedupes by it
    clinic = models.ForeignKey("clinics.Clinic", on_delete=models.CASCADE, related_name="+")
    type = models.CharField(max_length=40)
    data = models.JSONField(default=dict)  # ids and statuses
    details = models.JSONField(null=True, blank=True)  # bodies and entry fields, if an endpoint asked
    created_at = models.DateTimeField(default=timezone.now)

    def payload(self, with_details):
        data = dict(self.data)
        if with_details and self.details:
            data.update(self.details)
        return {"type": self.type, "timestamp": self.created_at.isoformat().replace("+00:00", "Z"), "data": data}


def new_msg_id():
    return f"msg_{uuid.uuid4().hex}"


class Delivery(models.TextChoices):
    PENDING = "pending", gettext_lazy("Waiting to be sent")
    DELIVERED = "delivered", gettext_lazy("Delivered")
    FAILED = "failed", gettext_lazy("Failed")


class WebhookDelivery(models.Model):
    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    # When this series of tries began (the event, or "send again"): a day later it fails.
    tries_since = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now, null=True, blank=True)
    # A worker's claim: nobody else sends it until the lease runs out (a
    # worker that died mid-send leaves it to the next: at least once).
    lease = models.CharField(max_length=40, blank=True)
    leased_until = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_deliveries_due"),
            models.Index(fields=["endpoint", "-id"], name="webhook_deliveries_log"),
        ]


# The rules ---------------------------------------------------------------------


def _allow_http():
    return settings.DEBUG or settings.WAITROOM_WEBHOOKS_ALLOW_HTTP


def clean_url(url):
    """A URL deliveries may go to: https (http only where the settings allow
    it), a host, no user name or password in it. Addresses on loopback and
    private ranges are refused here when written as such, and always again
    at delivery, after the name is resolved (integrations/delivery.py)."""
    if not isinstance(url, str) or not is_encodable(url):
        raise ActionError("invalid_url", _("The URL must be valid text."))
    url = url.strip()
    if not url:
        raise ActionError("invalid_url", _("Enter the URL the events are sent to."))
    if len(url) > URL_MAX:
        raise ActionError("invalid_url", _("A URL has at most %(n)s characters.") % {"n": URL_MAX})
    if any(ord(c) <= 32 or ord(c) == 127 for c in url):
        raise ActionError("invalid_url", _("A URL has no spaces or control characters."))
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ActionError("invalid_url", _("This is not a URL."))
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http") or not parts.hostname:
        raise ActionError("invalid_url", _("Enter an address starting with https://."))
    if scheme == "http" and not _allow_http():
        raise ActionError("https_required", _("Webhooks are sent over HTTPS only: enter an address starting with https://."))
    if parts.username is not None or parts.password is not None:
        raise ActionError("invalid_url", _("A URL with a user name or password is not accepted; use the signature to check the sender."))
    if port == 0:
        raise ActionError("invalid_url", _("This is not a URL."))
    if parts.fragment:
        raise ActionError("invalid_url", _("A URL for webhooks has no #fragment."))
    host = parts.hostname
    try:
        host.encode("idna")
    except UnicodeError:
        raise ActionError("invalid_url", _("This is not a URL."))
    if not settings.WAITROOM_WEBHOOKS_ALLOW_PRIVATE:
        from .delivery import is_forbidden_address

        literal = _literal_address(host)
        if host in ("localhost",) or host.endswith(".localhost") or (literal and is_forbidden_address(literal)):
            raise ActionError("private_address", _("Webhooks are not sent to local or private network addresses."))
    return url


def _literal_address(host):
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def clean_events(events):
    if not isinstance(events, (list, tuple)) or not events or not all(e in EVENTS for e in events):
        raise ActionError("invalid_events", _("Choose at least one event."))
    return [name for name in EVENTS if name in events]


def clean_description(description):
    if not isinstance(description, str) or not is_encodable(description):
        raise ActionError("invalid", _("The description must be valid text."))
    description = " ".join(description.split())
    if len(description) > DESCRIPTION_MAX:
        raise ActionError("too_long", _("A description has at most %(n)s characters.") % {"n": DESCRIPTION_MAX})
    return description


def _lock_endpoint(clinic, endpoint_id):
    endpoint = WebhookEndpoint.objects.select_for_update().filter(clinic=clinic, pk=endpoint_id).first()
    if endpoint is None:
        raise ActionError("not_found", _("This webhook does not exist (any more)."), status=404)
    return endpoint


def do_add_endpoint(clinic, *, actor, url, events, include_details=False, description=""):
    """Register an endpoint. Returns it with its secret (shown once)."""
    url, events, description = clean_url(url), clean_events(events), clean_description(description)
    with transaction.atomic():
        if WebhookEndpoint.objects.filter(clinic=clinic).count() >= ENDPOINTS_MAX:
            raise ActionError("too_many", _("A clinic has at most %(n)s webhooks.") % {"n": ENDPOINTS_MAX})
        endpoint = WebhookEndpoint.objects.create(
            clinic=clinic, url=url, events=events, include_details=bool(include_details), description=description,
            secret=new_secret(),
        )
        record("webhook.added", clinic=clinic, actor=actor, endpoint=endpoint.pk, url=url, events=events,
               details_included=endpoint.include_details)
    return endpoint


def do_change_endpoint(clinic, endpoint_id, *, actor, url, events, include_details, active, description=""):
    url, events, description = clean_url(url), clean_events(events), clean_description(description)
    with transaction.atomic():
        endpoint = _lock_endpoint(clinic, endpoint_id)
        new = {"url": url, "events": events, "include_details": bool(include_details), "active": bool(active),
               "description": description}
        changes = {field: [getattr(endpoint, field), value] for field, value in new.items() if getattr(endpoint, field) != value}
        if changes:
            for field, (_old, value) in changes.items():
                setattr(endpoint, field, value)
            endpoint.save(update_fields=list(changes))
            record("webhook.changed", clinic=clinic, actor=actor, endpoint=endpoint.pk, changes=changes)
    return endpoint, changes


def do_rotate_secret(clinic, endpoint_id, *, actor):
    """A new secret (shown once); the old one still signs for a day."""
    with transaction.atomic():
        endpoint = _lock_endpoint(clinic, endpoint_id)
        endpoint.previous_secret = endpoint.secret
        endpoint.previous_secret_until = timezone.now() + OLD_SECRET_SIGNS_FOR
        endpoint.secret = new_secret()
        endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_until"])
        record("webhook.secret_rotated", clinic=clinic, actor=actor, endpoint=endpoint.pk)
    return endpoint


def do_remove_endpoint(clinic, endpoint_id, *, actor):
    """The endpoint goes, with its deliveries not yet sent and its log."""
    with transaction.atomic():
        endpoint = _lock_endpoint(clinic, endpoint_id)
        record("webhook.removed", clinic=clinic, actor=actor, endpoint=endpoint.pk, url=endpoint.url)
        endpoint.delete()
        WebhookEvent.objects.filter(clinic=clinic, deliveries=None).delete()
    return endpoint


def do_send_again(clinic, endpoint_id, delivery_id, *, actor):
    """Send a delivery again now, with a fresh day of retries."""
    with transaction.atomic():
        endpoint = _lock_endpoint(clinic, endpoint_id)
        delivery = WebhookDelivery.objects.select_for_update().filter(endpoint=endpoint, pk=delivery_id).first()
        if delivery is None:
            raise ActionError("not_found", _("This delivery does not exist (any more)."), status=404)
        now = timezone.now()
        delivery.status = Delivery.PENDING
        delivery.attempts = 0
        delivery.tries_since = now
        delivery.next_attempt_at = now
        delivery.lease, delivery.leased_until = "", None
        delivery.save(update_fields=["status", "attempts", "tries_since", "next_attempt_at", "lease", "leased_until"])
        record("webhook.sent_again", clinic=clinic, actor=actor, endpoint=endpoint.pk, delivery=delivery.pk,
               event=delivery.event.type)
    return delivery


def forget_details_of_purged_visits(sender, clinic, callers, **kwargs):
    """Visits past the clinic's retention period are deleted (inside the
    purge's transaction): their events keep ids and statuses, not the names,
    entry fields and messages a ticked endpoint was sent."""
    ids = list(callers.values_list("pk", flat=True))
    if ids:
        WebhookEvent.objects.filter(clinic=clinic, data__caller_id__in=ids).exclude(details=None).update(details=None)


def do_purge_old_deliveries(now=None):
    """Delivered and failed deliveries older than WAITROOM_WEBHOOKS_KEEP_DAYS
    go, and the events nobody waits for any more (with their details)."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.WAITROOM_WEBHOOKS_KEEP_DAYS)
    with transaction.atomic():
        gone, _ = WebhookDelivery.objects.filter(
            status__in=[Delivery.DELIVERED, Delivery.FAILED], tries_since__lt=cutoff
        ).delete()
        WebhookEvent.objects.filter(created_at__lt=cutoff, deliveries=None).delete()
    return gone
