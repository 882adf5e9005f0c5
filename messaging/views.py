import json

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.views.decorators.http import require_GET, require_POST
from django.utils.translation import gettext as _

from audit.log import record
from clinics import access
from realtime.events import message_for_staff
from waitroom.errors import ActionError

from . import actions


def _error(code, message, status=400):
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


def _is_id(value):
    # bool is an int in Python; an id past 64 bits would crash SQLite's driver.
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63


@login_required
@require_POST
def notify(request, slug):
    """Send one message to one caller or to the callers shown.

    Body: {"caller_ids": [..], "body": "..", "client_id": ".."}. The page sends
    the ids it shows, so the message reaches exactly the list the team member saw.
    """
    membership = access.membership_for(request.user, slug)
    try:
        data = json.loads(request.body)
        caller_ids = data["caller_ids"]
        if not isinstance(caller_ids, list) or not all(_is_id(i) for i in caller_ids):
            raise ValueError
    except (ValueError, KeyError, TypeError):
        return _error("bad_request", _("Send JSON with caller_ids (a list of numbers) and body."))
    try:
        sent = actions.do_notify(
            membership.clinic,
            actor=request.user,
            caller_ids=caller_ids,
            body=data.get("body"),
            client_id=data.get("client_id") or "",
        )
    except ActionError as e:
        return _error(e.code, e.message)
    return JsonResponse({"sent": len(sent)})


@login_required
@require_GET
def caller_thread(request, slug, caller_id):
    """A caller's whole thread, for the team member who opens it."""
    membership = access.membership_for(request.user, slug)
    caller = access.caller_of_clinic(membership.clinic, caller_id)
    messages = [message_for_staff(m) for m in actions.thread(caller)]
    record("thread.read", clinic=membership.clinic, actor=request.user, caller=caller)
    return JsonResponse({"caller_id": caller.pk, "name": caller.name, "messages": messages})
