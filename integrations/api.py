"""The REST API a practice system calls (/api/v1/, docs/api.md): the
clinic's status, its waiting callers, and notifications — through the same
actions as the dashboard (messaging.actions.do_notify), so the same rules
hold.

Every request carries an API key (api_auth.py) and sees only the key's
clinic. Errors are {"error": {"code", "message"}} like every JSON answer of
the site (waitroom/http.py); the OpenAPI schema (/api/v1/openapi.json)
lists each, and schemathesis checks the answers against it
(integrations/tests/test_schema_fuzz.py). Fields the schema does not know
are ignored (a newer client's fields reach an older server harmlessly).

Another endpoint adds itself with `@api.post(..., response=..., url_name=...)`
in a module of its own, imported at the end of this file, and checks its
scope with `require_scope(request, "invite")`."""

import functools

from django.http import Http404
from django.urls import URLPattern
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from waitroom.errors import ActionError
from waitroom.http import json_body, json_error

from .api_auth import ApiKeyBearer, Limited
from .api_keys import note_use

BODY_MAX = 64 * 1024  # bytes of a request's JSON: a notification to every caller's id fits


class JsonObjectParser(Parser):
    """The body as the site's other JSON endpoints read it: a JSON object of
    valid Unicode (a lone surrogate, "\\ud800", is refused), and not too big."""

    def parse_body(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > BODY_MAX:
            raise ActionError("too_large", _("A request body has at most %(n)s bytes.") % {"n": BODY_MAX})
        return json_body(request)


class WaitroomAPI(NinjaAPI):
    @property
    def urls(self):
        patterns, app_name, namespace = super().urls
        return [_noting_uses(p) for p in patterns], app_name, namespace

    def get_openapi_operation_id(self, operation):
        return operation.view_func.__name__


def _noting_uses(pattern):
    """Each request an API key made, recorded (api_keys.note_use) with the
    endpoint's name and the answer's status. Requests refused by the limit
    are not: they read and change nothing, and a flood would fill the trail."""
    if not isinstance(pattern, URLPattern) or pattern.name in (None, "openapi-json", "api-root"):
        return pattern
    view = pattern.callback

    @functools.wraps(view)
    def noted(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        key = getattr(request, "auth", None)
        if key is not None and response.status_code != 429:
            # The caller's id only when it was one of the clinic's (the answer says so).
            caller_id = kwargs.get("caller_id") if response.status_code < 400 else None
            note_use(key, endpoint=pattern.name, status=response.status_code, caller_id=caller_id)
        return response

    return URLPattern(pattern.pattern, noted, pattern.default_args, pattern.name)


api = WaitroomAPI(
    title="Waitroom API",
    version="1",
    description=(
        "A clinic's waiting area for its practice system. Authenticate with "
        "`Authorization: Bearer <API key>`; a clinic admin makes keys on the clinic's Integrations page. "
        "Errors are `{\"error\": {\"code\": ..., \"message\": ...}}`."
    ),
    urls_namespace="api",
    docs_url=None,  # served at /api/docs (integrations/urls.py)
    auth=ApiKeyBearer(),
    parser=JsonObjectParser(),
)


@api.exception_handler(ActionError)
def action_error(request, exc):
    response = json_error(exc.code, exc.message, exc.status)
    if isinstance(exc, Limited):
        response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(AuthenticationError)
def no_key(request, exc):
    response = json_error(
        "unauthorized", _("Send a valid API key: Authorization: Bearer <key>."), status=401
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(HttpError)
def http_error(request, exc):
    if isinstance(exc.__cause__, ActionError):  # the body parser's refusal
        return action_error(request, exc.__cause__)
    return json_error("bad_request", str(exc), status=exc.status_code)


@api.exception_handler(ValidationError)
def invalid(request, exc):
    first = exc.errors[0] if exc.errors else {}
    where = ".".join(str(part) for part in first.get("loc", ()) if part not in ("body", "data"))
    message = first.get("msg", _("Invalid request."))
    return json_error("invalid", f"{where}: {message}" if where else message, status=400)


@api.exception_handler(Http404)
def not_found(request, exc):
    return json_error("not_found", _("Not found."), status=404)


from . import api_callers, api_invitations  # noqa: E402, F401  (their endpoints register on `api`)
