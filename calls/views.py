import json

from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django.utils.translation import gettext as _

from clinics import access
from messaging.models import BODY_MAX
from waitroom.errors import ActionError
from waitroom.routing import call_socket_path

from . import actions, strings
from .models import Call


def _error(e, status=400):
    return JsonResponse({"error": {"code": e.code, "message": e.message}}, status=status)


def _json(request):
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise ActionError("bad_request", _("Send a JSON object."))
    return data


def _call_of_clinic(clinic, call_id):
    try:
        return Call.objects.select_related("caller").get(pk=call_id, clinic=clinic)
    except Call.DoesNotExist:
        raise Http404


@login_required
@require_POST
def join(request, slug, caller_id):
    """The card's Join: start a call with the caller, or take a seat in theirs."""
    membership = access.membership_for(request.user, slug)
    caller = access.caller_of_clinic(membership.clinic, caller_id)
    try:
        call, _seat = actions.do_join_call(caller.pk, actor=request.user)
    except ActionError as e:
        return _error(e)
    return JsonResponse({"call": call.pk, "url": reverse("clinics:call", args=[slug, call.pk])})


@login_required
@require_GET
def call_page(request, slug, call_id):
    membership = access.membership_for(request.user, slug)
    call = _call_of_clinic(membership.clinic, call_id)
    if not call.is_open or not call.participants.filter(user=request.user, left_at=None).exists():
        return redirect("clinics:dashboard", slug=slug)
    base = reverse("clinics:call", args=[slug, call.pk])
    page = {
        "socket": call_socket_path(slug, call.pk),
        "actions": base,
        "dashboard": reverse("clinics:dashboard", args=[slug]),
        "strings": strings.call_page(),
        "limits": {"body_max": BODY_MAX},
    }
    return render(
        request,
        "calls/call.html",
        {"clinic": membership.clinic, "membership": membership, "call": call, "page": page},
    )


@login_required
@require_POST
def call_action(request, slug, call_id, action):
    """The Call Manager's and the hang-up dialog's buttons."""
    membership = access.membership_for(request.user, slug)
    call = _call_of_clinic(membership.clinic, call_id)
    try:
        data = _json(request)
        if action == "hold":
            actions.do_hold(call.pk, actor=request.user)
        elif action == "resume":
            actions.do_resume(call.pk, actor=request.user)
        elif action == "leave":
            actions.do_leave_call(call.pk, actor=request.user, then=data.get("then"))
        elif action == "end":
            actions.do_end_call(call.pk, actor=request.user)
        elif action == "disconnect":
            actions.do_disconnect(call.pk, data.get("participant"), actor=request.user)
        else:
            raise Http404
    except ActionError as e:
        return _error(e, status=409 if e.code == "caller_alone" else 400)
    return JsonResponse({"ok": True})
