"""Requests a practice system may safely send again: with a client key
(the `Idempotency-Key` header, or `client_key` in the body), the first
answer is kept for IDEMPOTENCY_HOURS and the same key again gets that
answer and changes nothing — a notification sent twice because the network
dropped the first answer reaches each caller once.

The answer is stored in the transaction of the change itself, under a
unique (key, client key) row: of two identical requests at once, one
inserts it, the other waits for it and answers what the first did. A
refused request (400, 404, 429) stores nothing: sending it again tries
again. A client key already used for another kind of request (an
invitation's key on a notification) is refused."""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from realtime.text import is_encodable
from waitroom.errors import ActionError

from .api_keys import IdempotentRequest

IDEMPOTENCY_HOURS = 24
CLIENT_KEY_MAX = 100


def client_key_of(request, in_body):
    """The request's client key ("" for none): the header's or the body's, which must agree."""
    header = request.headers.get("Idempotency-Key")
    keys = {k for k in (header, in_body) if k not in (None, "")}
    if len(keys) > 1:
        raise ActionError("invalid", _("The Idempotency-Key header and client_key differ: send one."))
    key = keys.pop() if keys else ""
    if len(key) > CLIENT_KEY_MAX or not is_encodable(key) or not key.isprintable():
        raise ActionError("invalid", _("A client key is text of at most %(n)s characters.") % {"n": CLIENT_KEY_MAX})
    return key


def once(api_key, client_key, endpoint, work):
    """(status, answer): `work()`'s, or the first answer for this client key
    within IDEMPOTENCY_HOURS (then `replayed` is True). Returns (status, answer, replayed)."""
    if not client_key:
        status, answer = work()
        return status, answer, False
    since = timezone.now() - timedelta(hours=IDEMPOTENCY_HOURS)
    with transaction.atomic():
        IdempotentRequest.objects.filter(api_key=api_key, created_at__lt=since).delete()
        done = IdempotentRequest.objects.filter(api_key=api_key, client_key=client_key).first()
        if done is not None:
            return _replay(done, endpoint)
        try:
            with transaction.atomic():
                row = IdempotentRequest.objects.create(
                    api_key=api_key, client_key=client_key, endpoint=endpoint, status=0
                )
        except IntegrityError:  # another request with this client key was first, and is done
            return _replay(IdempotentRequest.objects.get(api_key=api_key, client_key=client_key), endpoint)
        status, answer = work()
        row.status, row.answer = status, answer
        row.save(update_fields=["status", "answer"])
    return status, answer, False


def _replay(done, endpoint):
    """The first answer again, for the same kind of request only: a key
    first used to notify is no invitation's, and its answer is none either."""
    if done.endpoint != endpoint:
        raise ActionError("invalid", _("This client key was used for another kind of request: use a new key for each request."))
    return done.status, done.answer, True
