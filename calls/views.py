from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from audit.log import record
from clinics.access import membership_for
from realtime.limits import page_limits
from waitroom.headers import may_call
from waitroom.http import json_body, json_view
from waiting.access import caller_of_clinic
from waiting.routing import dashboard_socket_path

from . import actions, strings
from .models import Call
from .routing import call_socket_path


def _call_of_clinic(clinic, call_id):
    try:
        return Call.objects.select_related("caller").get(pk=call_id, clinic=clinic)
    except Call.DoesNotExist:
        raise Http404


@login_required
@require_POST
@json_view
def join(request, slug, caller_id):
    """The card's Join: start a call with the caller, or take a seat in theirs."""
    membership = membership_for(request.user, slug)
    caller = caller_of_clinic(membership.clinic, caller_id)
    call, _seat = actions.do_join_call(caller.pk, actor=request.user)
    return JsonResponse({"call": call.pk, "url": reverse("calls:call", args=[slug, call.pk])})


@login_required
@require_GET
def call_page(request, slug, call_id):
    membership = membership_for(request.user, slug)
    with transaction.atomic():  # the caller's name on the page, and the record that it was shown
        call = _call_of_clinic(membership.clinic, call_id)
        if not call.is_open or not call.participants.filter(user=request.user, left_at=None).exists():
            return redirect("waiting:dashboard", slug=slug)
        record("call.page_opened", clinic=membership.clinic, actor=request.user, caller=call.caller, call=call.pk)
    page = {
        "socket": call_socket_path(slug, call.pk),
        "actions": reverse("calls:call", args=[slug, call.pk]),
        "dashboard": reverse("waiting:dashboard", args=[slug]),
        "limits": page_limits(),
        "strings": strings.call_page(),
        # The waiting area beside the call: the dashboard's own socket (its
        # snapshot, its live cards, its catching up), shown without sound.
        "waiting": dashboard_socket_path(slug),
        "me": request.user.pk,
        "caller_id": call.caller_id,
        "thread": reverse("messaging:thread", args=[slug, call.caller_id]),
        "notify": reverse("messaging:notify", args=[slug]),
    }
    context = {"clinic": membership.clinic, "membership": membership, "call": call, "page": page}
    return may_call(render(request, "calls/call.html", context), share_screen=True)


# The Call Manager's and the hang-up dialog's buttons.
CALL_ACTIONS = {
    "hold": lambda call, user, data: actions.do_hold(call.pk, actor=user),
    "resume": lambda call, user, data: actions.do_resume(call.pk, actor=user),
    "leave": lambda call, user, data: actions.do_leave_call(call.pk, actor=user, then=data.get("then")),
    "end": lambda call, user, data: actions.do_end_call(call.pk, actor=user),
    "disconnect": lambda call, user, data: actions.do_disconnect(call.pk, data.get("participant"), actor=user),
}


@login_required
@require_POST
@json_view
def call_action(request, slug, call_id, action):
    membership = membership_for(request.user, slug)
    call = _call_of_clinic(membership.clinic, call_id)
    if action not in CALL_ACTIONS:
        raise Http404
    CALL_ACTIONS[action](call, request.user, json_body(request))
    return JsonResponse({"ok": True})
