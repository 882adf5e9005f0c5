from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from audit.log import record
from clinics.access import membership_for
from realtime.events import message_for_staff
from waitroom.errors import ActionError
from waitroom.http import json_body, json_view
from waitroom.validation import is_id
from waiting.access import caller_of_clinic

from . import actions


@login_required
@require_POST
@json_view
def notify(request, slug):
    """Send one message to one caller or to the callers shown.

    Body: {"caller_ids": [..], "body": "..", "client_id": ".."}, or
    "quick_reply": <id> instead of "body": the server fills the quick reply in
    for each caller. The page sends the ids it shows, so the message reaches
    exactly the list the team member saw.
    """
    membership = membership_for(request.user, slug)
    data = json_body(request)
    caller_ids = data.get("caller_ids")
    if not isinstance(caller_ids, list) or not all(is_id(i) for i in caller_ids):
        raise ActionError("bad_request", _("Send JSON with caller_ids (a list of numbers) and body."))
    sent = actions.do_notify(
        membership.clinic,
        actor=request.user,
        caller_ids=caller_ids,
        body=data.get("body"),
        client_id=data.get("client_id") or "",
        quick_reply_id=data.get("quick_reply"),
    )
    return JsonResponse({"sent": len(sent)})


@login_required
@require_GET
def caller_thread(request, slug, caller_id):
    """A caller's whole thread, for the team member who opens it."""
    membership = membership_for(request.user, slug)
    caller = caller_of_clinic(membership.clinic, caller_id)
    with transaction.atomic():  # what was read and the record that it was
        messages = [message_for_staff(m) for m in actions.thread(caller)]
        record("thread.read", clinic=membership.clinic, actor=request.user, caller=caller)
    return JsonResponse({"caller_id": caller.pk, "name": caller.name, "messages": messages})


@login_required
@require_GET
def quick_replies(request, slug):
    """The clinic's quick replies, to pick from when notifying or replying."""
    membership = membership_for(request.user, slug)
    return JsonResponse(
        {"quick_replies": [{"id": r.pk, "title": r.title} for r in actions.quick_replies(membership.clinic)]}
    )


@login_required
@require_GET
@json_view
def quick_reply_preview(request, slug, reply_id):
    """A quick reply as it would be sent to one caller (?caller=<id>) now:
    filled in, in their language."""
    membership = membership_for(request.user, slug)
    caller_id = request.GET.get("caller", "")
    if not caller_id.isascii() or not caller_id.isdigit() or len(caller_id) > 15:
        raise ActionError("bad_request", _("Name the caller: ?caller=<number>."))
    caller = caller_of_clinic(membership.clinic, int(caller_id))
    return JsonResponse({"text": actions.preview(membership.clinic, reply_id, caller)})
