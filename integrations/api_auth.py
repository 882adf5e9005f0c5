"""How a REST API request proves whose it is: an API key (api_keys.py) in
`Authorization: Bearer <key>`, and nothing else. A browser's session cookie
counts for nothing here: an API call from a signed-in browser without a key
is refused (401), so there is no cross-site request to forge.

Endpoints ask for what they need with `require_scope(request, "notify")`;
the key itself is `request.auth`, its clinic `request.auth.clinic` — the
only clinic whose things the request may see.

Limits are per key: WAITROOM_API_REQUESTS_PER_MINUTE requests, and
WAITROOM_API_NOTIFY_PER_MINUTE notifications (api.py), counted in the cache
the processes share (realtime.limits.count_within); past them, 429 with
Retry-After."""

import time

from django.conf import settings
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from realtime.limits import count_within
from waitroom.errors import ActionError

from .api_keys import key_for


class Limited(ActionError):
    """Too many requests of one key in the current minute: try again after `retry_after` seconds."""

    def __init__(self, message, retry_after):
        super().__init__("rate_limited", message, status=429)
        self.retry_after = retry_after


def within_limit(name, key, limit, seconds=60):
    """Count one more `name` of the key; Limited past `limit` in the window."""
    if not count_within(f"api:{name}:{key.pk}", limit, seconds):
        retry_after = max(1, int(seconds - time.time() % seconds) + 1)
        raise Limited(_("Too many requests with this key: try again in %(n)s seconds.") % {"n": retry_after}, retry_after)


class ApiKeyBearer(HttpBearer):
    """The key of `Authorization: Bearer <key>`, or no key (401)."""

    def __call__(self, request):
        # HttpBearer's own would log the header (the key) in DEBUG.
        scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            return None
        return self.authenticate(request, token.strip())

    def authenticate(self, request, token):
        key = key_for(token)
        if key is None:
            return None
        within_limit("requests", key, settings.WAITROOM_API_REQUESTS_PER_MINUTE)
        return key


def require_scope(request, scope):
    """The request's key when it has `scope`, else 403 (the key is valid, but not for this)."""
    key = request.auth
    if not key.has_scope(scope):
        raise ActionError("scope", _("This key may not do this: it needs the “%(scope)s” permission.") % {"scope": scope}, status=403)
    return key


def require_any_scope(request, *scopes):
    key = request.auth
    if not any(key.has_scope(s) for s in scopes):
        raise ActionError(
            "scope",
            _("This key may not do this: it needs one of the permissions %(scopes)s.") % {"scopes": ", ".join(scopes)},
            status=403,
        )
    return key
