"""The webhook worker: claims due deliveries, signs and sends them, and
retries with backoff for a day (`manage.py deliver_webhooks`).

At least once, never twice at the same time: a worker claims rows with a
conditional UPDATE that sets a lease (`lease`, `leased_until`), which only
one worker's UPDATE can win — on SQLite, whose IMMEDIATE transactions take
turns, and on PostgreSQL, where the rows are first picked with
SELECT … FOR UPDATE SKIP LOCKED so that workers do not queue on each other's
rows. A worker that dies after sending but before writing the result leaves
the lease to run out, and the delivery is sent again: the receiver dedupes by
`webhook-id` (the event's, the same on every try).

No server-side request forgery: the host is resolved first, every address it
resolves to is checked (loopback, private, link-local with the cloud metadata
address, CGNAT, multicast, reserved, IPv6 unique-local…), and the connection
goes to the address that was checked — a second lookup could answer
differently. Redirects are not followed. WAITROOM_WEBHOOKS_ALLOW_PRIVATE
allows private addresses (a practice system on the clinic's own network).
"""

import base64
import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import random
import socket
import ssl
import threading
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from .webhooks import Delivery, WebhookDelivery, secret_bytes

# Seconds to wait after the 1st, 2nd … failed try; after the last, it failed.
RETRY_SCHEDULE = [5, 30, 2 * 60, 10 * 60, 30 * 60, 60 * 60, 3 * 60 * 60, 6 * 60 * 60, 12 * 60 * 60]
JITTER = 0.2  # each wait is up to 20 % longer, so many failed deliveries do not return at one moment
GIVE_UP_AFTER = timedelta(days=1)
CONNECT_TIMEOUT = 5  # seconds
TOTAL_TIMEOUT = 10  # seconds for the whole request, however slowly the receiver answers
LEASE = timedelta(seconds=60)  # longer than any one send takes
BATCH = 20
ERROR_MAX = 200
USER_AGENT = "Waitroom-Webhooks/1"

logger = logging.getLogger(__name__)


def clock():
    """Now (tests move it)."""
    return timezone.now()


# Addresses ---------------------------------------------------------------------

# Named beside Python's own flags, so that each range is seen to be refused.
FORBIDDEN_NETWORKS = [
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",  # "this network"
        "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",  # private
        "100.64.0.0/10",  # carrier-grade NAT
        "127.0.0.0/8",  # loopback
        "169.254.0.0/16",  # link-local, with the cloud metadata address 169.254.169.254
        "192.0.0.0/24", "192.0.2.0/24", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24",  # special, test
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4", "255.255.255.255/32",  # reserved, broadcast
        "::/128", "::1/128",  # unspecified, loopback
        "fc00::/7",  # unique local (with fd00:ec2::254, a metadata address)
        "fe80::/10", "fec0::/10",  # link-local, site-local
        "ff00::/8",  # multicast
        "100::/64", "2001:db8::/32",  # discard, documentation
    )
]
NAT64 = ipaddress.ip_network("64:ff9b::/96")


def is_forbidden_address(ip):
    """Whether a delivery must not connect to this address (unless private
    addresses are allowed): anything but a public unicast address, also when
    it hides inside an IPv6 address (IPv4-mapped, NAT64, 6to4)."""
    if ip.version == 6:
        embedded = ip.ipv4_mapped or ip.sixtofour or (
            ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF) if ip in NAT64 else None
        )
        if embedded is not None and is_forbidden_address(embedded):
            return True
        if ip.teredo:
            return True  # a tunnel to an address we cannot check
    return not ip.is_global or ip.is_multicast or any(ip in network for network in FORBIDDEN_NETWORKS)


class DeliveryError(Exception):
    """A try that failed, in a few words for the delivery log."""


def resolve(host, port):
    """The address to connect to: the first the host resolves to, after
    every one was checked (a name that resolves to a public and a private
    address is refused: the next lookup could prefer the other)."""
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError, OSError):
            raise DeliveryError("the host name does not resolve")
        addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    else:
        addresses = [literal]
    if not addresses:
        raise DeliveryError("the host name does not resolve")
    if not settings.WAITROOM_WEBHOOKS_ALLOW_PRIVATE:
        for address in addresses:
            if is_forbidden_address(address):
                raise DeliveryError(f"refused: {address} is not a public address")
    return str(addresses[0])


# Sending -----------------------------------------------------------------------


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP to the address that was checked; Host names the host."""

    def __init__(self, host, port, address):
        super().__init__(host, port, timeout=CONNECT_TIMEOUT)
        self.address = address

    def connect(self):
        self.sock = socket.create_connection((self.address, self.port), CONNECT_TIMEOUT)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to the address that was checked, the certificate checked for the host name."""

    def __init__(self, host, port, address):
        super().__init__(host, port, timeout=CONNECT_TIMEOUT, context=ssl.create_default_context())
        self.address = address

    def connect(self):
        sock = socket.create_connection((self.address, self.port), CONNECT_TIMEOUT)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(url, body, headers):
    """POST the body; returns the response's status code. The response body
    is not read: nothing of it is kept."""
    parts = urlsplit(url)
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    address = resolve(parts.hostname, port)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    conn = (_PinnedHTTPSConnection if https else _PinnedHTTPConnection)(parts.hostname, port, address)
    # A receiver that answers a byte at a time must not hold the worker:
    # the whole request gets TOTAL_TIMEOUT, then its socket is shut.
    timer = threading.Timer(TOTAL_TIMEOUT, _abort, [conn])
    timer.daemon = True
    timer.start()
    try:
        conn.request("POST", path, body=body, headers=headers)
        conn.sock.settimeout(TOTAL_TIMEOUT)
        return conn.getresponse().status
    except DeliveryError:
        raise
    except ssl.SSLCertVerificationError as e:
        raise DeliveryError(f"TLS certificate: {e.verify_message}"[:ERROR_MAX])
    except ssl.SSLError:
        raise DeliveryError("TLS failed")
    except (TimeoutError, socket.timeout):
        raise DeliveryError("timed out")
    except ConnectionRefusedError:
        raise DeliveryError("connection refused")
    except (ConnectionError, http.client.HTTPException, OSError) as e:
        if getattr(conn, "aborted", False):
            raise DeliveryError("timed out")
        raise DeliveryError(f"connection failed: {type(e).__name__}")
    finally:
        timer.cancel()
        conn.close()


def _abort(conn):
    conn.aborted = True
    sock = conn.sock
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def signature(msg_id, timestamp, body, secrets):
    """The `webhook-signature` header (Standard Webhooks): `v1,<base64 HMAC-SHA256
    of "{id}.{timestamp}.{body}">` for each secret, separated by spaces."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return " ".join(
        "v1," + base64.b64encode(hmac.new(secret_bytes(s), signed, hashlib.sha256).digest()).decode() for s in secrets
    )


def request_of(delivery, now):
    """The body and headers of one try of a delivery."""
    endpoint, event = delivery.endpoint, delivery.event
    body = json.dumps(event.payload(endpoint.include_details), ensure_ascii=False, separators=(",", ":")).encode()
    timestamp = str(int(now.timestamp()))
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": event.msg_id,
        "webhook-timestamp": timestamp,
        "webhook-signature": signature(event.msg_id, timestamp, body, endpoint.signing_secrets(now)),
    }
    return body, headers


# Claiming and the result ----------------------------------------------------------


def _due(now):
    return WebhookDelivery.objects.filter(
        Q(leased_until=None) | Q(leased_until__lt=now),
        status=Delivery.PENDING, next_attempt_at__lte=now, endpoint__active=True,
    )


def claim(now, limit=BATCH):
    """Take up to `limit` due deliveries for this worker: (lease, deliveries)."""
    lease = uuid.uuid4().hex
    with transaction.atomic():
        candidates = _due(now).order_by("next_attempt_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True, of=("self",))
        ids = list(candidates.values_list("pk", flat=True)[:limit])
        if not ids:
            return lease, []
        # Conditional: a row another worker took meanwhile no longer matches.
        _due(now).filter(pk__in=ids).update(lease=lease, leased_until=now + LEASE)
    claimed = WebhookDelivery.objects.filter(lease=lease).select_related("event", "endpoint").order_by("id")
    return lease, list(claimed)


def jitter():
    """0 to 1: how much of JITTER a wait gets (tests fix it)."""
    return random.random()


def retry_delay(attempts):
    """How long to wait after the `attempts`-th failed try."""
    base = RETRY_SCHEDULE[min(attempts, len(RETRY_SCHEDULE)) - 1]
    return timedelta(seconds=base * (1 + JITTER * jitter()))


def _record(delivery, lease, **fields):
    """Write a try's result, if this worker still holds the delivery."""
    return WebhookDelivery.objects.filter(pk=delivery.pk, lease=lease).update(
        attempts=F("attempts") + 1, lease="", leased_until=None, **fields
    )


def deliver(delivery, lease, now=None):
    """One try of a claimed delivery; returns its status afterwards."""
    now = now or clock()
    try:
        body, headers = request_of(delivery, now)
        code = post(delivery.endpoint.url, body, headers)
        error = "" if 200 <= code < 300 else f"HTTP {code}" + (" (redirects are not followed)" if 300 <= code < 400 else "")
    except DeliveryError as e:
        code, error = None, str(e)[:ERROR_MAX]
    except Exception:
        # Whatever it was, one delivery must not stop the worker: it is retried.
        logger.exception("webhook delivery %s could not be sent", delivery.pk)
        code, error = None, "could not be sent (see the worker's log)"
    done = clock()
    if not error:
        _record(delivery, lease, status=Delivery.DELIVERED, last_status_code=code, last_error="", last_attempt_at=done,
                delivered_at=done, next_attempt_at=None)
        return Delivery.DELIVERED
    attempts = delivery.attempts + 1
    give_up_at = delivery.tries_since + GIVE_UP_AFTER
    next_at = min(done + retry_delay(attempts), give_up_at)
    if attempts > len(RETRY_SCHEDULE) or done >= give_up_at:
        _record(delivery, lease, status=Delivery.FAILED, last_status_code=code, last_error=error, last_attempt_at=done,
                next_attempt_at=None)
        return Delivery.FAILED
    _record(delivery, lease, last_status_code=code, last_error=error, last_attempt_at=done, next_attempt_at=next_at)
    return Delivery.PENDING


def deliver_due(limit=BATCH):
    """Claim what is due and send it: the number of deliveries tried."""
    lease, deliveries = claim(clock(), limit)
    for delivery in deliveries:
        deliver(delivery, lease)
    return len(deliveries)


def run(stop, poll_seconds=1.0, once=False):
    """The worker's loop: deliver what is due, else wait a moment. `stop`
    (a threading.Event) ends it after the delivery being sent; `once` ends
    it when nothing is due any more."""
    while not stop.is_set():
        if not connection.in_atomic_block:  # (a test's transaction)
            close_old_connections()  # a database connection that broke meanwhile is replaced
        try:
            tried = deliver_due()
        except Exception:
            if once:
                raise
            # The database away (a restart): wait, then try again.
            logger.exception("webhook deliveries could not be claimed")
            tried = 0
        if not tried:
            if once:
                return
            stop.wait(poll_seconds)
