"""The JSON answers of the views that pages call: one error shape, one body
parser, and one way for an action's refusal to reach the page."""

import functools
import json

from django.http import JsonResponse
from django.utils.translation import gettext as _

from realtime.text import is_encodable

from .errors import ActionError


def json_error(code, message, status=400):
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


def json_body(request):
    """The request's JSON object (an empty body is an empty object), or ActionError."""
    try:
        # Decoded here, strictly: json.loads would decode bytes with
        # "surrogatepass" and hand on a surrogate that UTF-8 cannot encode.
        text = request.body.decode("utf-8") or "{}"
        data = json.loads(text)
    except (ValueError, RecursionError):  # not UTF-8, not JSON, or nested past the parser
        data = None
    if not isinstance(data, dict):
        raise ActionError("bad_request", _("Send a JSON object."))
    if "\\u" in text and not is_encodable(data):
        # A lone surrogate as an escape ("\\ud800") parses, then fails when stored or answered.
        raise ActionError("invalid", _("Text must be valid Unicode."))
    return data


def json_view(view):
    """A view that answers JSON: an ActionError it raises (its own, or its
    action's) is the page's error answer, with the error's status."""

    @functools.wraps(view)
    def answer(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except ActionError as e:
            return json_error(e.code, e.message, e.status)

    return answer
