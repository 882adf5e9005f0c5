from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from audit.log import record
from audit.models import AuditEvent

from clinics.access import clinic_for_callers, membership_for
from clinics.models import TEXT_MAX
from realtime.events import person_name
from realtime.limits import page_limits
from waitroom.errors import ActionError
from waitroom.headers import may_call
from waitroom.http import json_body, json_error, json_view

from . import access, actions, hours, strings
from .forms import EntryForm
from .models import LONG_WAIT_MINUTES, LeaveReason, Status
from .routing import caller_socket_path, dashboard_socket_path


def _speak_clinic_language(clinic):
    if clinic.language:
        translation.activate(clinic.language)


def enter(request, slug):
    """The clinic's link: the entry form, or the waiting page if already in."""
    clinic = clinic_for_callers(slug)
    _speak_clinic_language(clinic)
    visit = access.visit_of_session(request.session, clinic)
    if visit is not None and visit.is_present:
        return HttpResponseRedirect(reverse("waiting:wait", args=[slug]))
    # Outside the opening hours and while paused, the link says so and takes
    # nobody in. A valid form is refused the same way by the action itself
    # (nothing is stored), so the hours are read once per entry, not twice.
    form = EntryForm(clinic, request.POST or None)
    entering = request.method == "POST" and form.is_valid()
    refusal = None if entering else hours.entry_refusal(clinic)
    if refusal is not None:
        return _closed(request, clinic, refusal)
    if entering:
        try:
            address = request.META.get("REMOTE_ADDR", "")
            caller = actions.do_enter_waiting_area(
                clinic, **form.cleaned_data, address=address, language=translation.get_language()
            )
        except ActionError as e:
            if e.code in ("closed", "paused"):  # it closed or paused a moment ago
                return _closed(request, clinic, hours.entry_refusal(clinic) or hours.Refusal(e.code))
            if e.status == 429:  # a flood of visits: this browser may not come in just now
                response = render(request, "waiting/busy.html", {"clinic": clinic, "message": e.message}, status=429)
                response["Retry-After"] = str(60 * settings.WAITROOM_ENTRIES_MINUTES)
                return response
            form.add_error(None, e.message)
        else:
            access.remember_visit(request.session, caller)
            return HttpResponseRedirect(reverse("waiting:wait", args=[slug]))
    return render(request, "waiting/enter.html", {"clinic": clinic, "form": form})


def _closed(request, clinic, refusal):
    status = 403 if request.method == "POST" else 200
    context = {"clinic": clinic, "closed": strings.closed_page(clinic, refusal), "reason": refusal.reason}
    return render(request, "waiting/closed.html", context, status=status)


def wait(request, slug):
    """The caller's page: "Waiting for call", on hold, in a call, or ended."""
    clinic = clinic_for_callers(slug)
    _speak_clinic_language(clinic)
    caller = access.visit_of_session(request.session, clinic)
    if caller is None:
        return HttpResponseRedirect(reverse("waiting:enter", args=[slug]))
    if not caller.is_present:
        access.forget_visit(request.session, caller)
        return render(request, "waiting/ended.html", {"clinic": clinic, "caller": caller})
    page = {"socket": caller_socket_path(slug), "limits": page_limits(), "strings": strings.caller_page()}
    context = {"clinic": clinic, "caller": caller, "page": page, "waiting_text": strings.waiting_text(clinic)}
    return may_call(render(request, "waiting/wait.html", context))


@require_POST
def leave(request, slug):
    clinic = clinic_for_callers(slug)
    _speak_clinic_language(clinic)
    caller = access.visit_of_session(request.session, clinic)
    if caller is None:
        return HttpResponseRedirect(reverse("waiting:enter", args=[slug]))
    actions.do_leave_waiting_area(caller.pk, reason=LeaveReason.LEFT)
    # The waiting page says the visit has ended (and forgets it): a reload of
    # that page does not post again.
    return HttpResponseRedirect(reverse("waiting:wait", args=[slug]))


@login_required
def dashboard(request, slug):
    membership = membership_for(request.user, slug)
    clinic = membership.clinic
    page = {
        "socket": dashboard_socket_path(slug),
        "me": request.user.pk,
        "notify": reverse("messaging:notify", args=[slug]),
        "quick_replies": reverse("messaging:quick_reply_list", args=[slug]),
        "quick_reply_preview": reverse("messaging:quick_reply_preview", args=[slug, 0]),
        "thread": reverse("messaging:thread", args=[slug, 0]),
        "remove": reverse("waiting:remove", args=[slug, 0]),
        "join": reverse("calls:join", args=[slug, 0]),
        "activity": reverse("waiting:activity", args=[slug, 0]),
        "transfer": reverse("waiting:transfer", args=[slug, 0]),
        "other_clinics": [
            {"slug": m.clinic.slug, "name": m.clinic.name}
            for m in request.user.memberships.exclude(clinic=clinic).select_related("clinic").order_by("clinic__name")
        ],
        "extra_label": clinic.extra_field_label,
        "time_zone": clinic.time_zone,  # an appointment's time on a card
        "pause": {
            "url": reverse("waiting:pause", args=[slug]),
            "resume": reverse("waiting:resume", args=[slug]),
            "message": clinic.texts("pause_message"),
            "max": TEXT_MAX,
        },
        "strings": strings.dashboard_page(),
        "limits": page_limits() | {"long_wait_minutes": LONG_WAIT_MINUTES},
    }
    return render(
        request,
        "waiting/dashboard.html",
        {"clinic": clinic, "membership": membership, "statuses": Status.choices, "page": page},
    )


@login_required
@require_POST
def remove(request, slug, caller_id):
    membership = membership_for(request.user, slug)
    caller = access.caller_of_clinic(membership.clinic, caller_id)
    actions.do_leave_waiting_area(caller.pk, reason=LeaveReason.REMOVED, actor=request.user)
    return JsonResponse({"ok": True})


@login_required
@require_POST
@json_view
def transfer(request, slug, caller_id):
    """Move a waiting or on-hold caller to another clinic the team member is in."""
    membership = membership_for(request.user, slug)
    caller = access.caller_of_clinic(membership.clinic, caller_id)
    data = json_body(request)
    try:
        target = membership_for(request.user, str(data.get("clinic")))
    except Http404:
        return json_error("no_clinic", _("Choose one of your other clinics."))
    actions.do_transfer_caller(caller.pk, target.clinic, actor=request.user)
    return JsonResponse({"ok": True})


@login_required
@require_GET
def activity(request, slug, caller_id):
    """A caller's visit as a log: arrival, calls, holds, transfers, leaving."""
    membership = membership_for(request.user, slug)
    caller = access.caller_of_clinic(membership.clinic, caller_id)
    with transaction.atomic():  # what was read and the record that it was
        events = list(
            AuditEvent.objects.filter(caller_id=caller.pk, action__in=strings.ACTIVITY)
            .select_related("actor")
            .order_by("created_at", "id")
        )
        record("activity.read", clinic=membership.clinic, actor=request.user, caller=caller)
    shown, last = [], None
    for e in events:
        # A transfer is recorded in the trails of both clinics, one after the other: list it once.
        if not (e.action == "caller.transferred" and last and last.action == e.action and last.details == e.details):
            shown.append(e)
        last = e
    return JsonResponse(
        {
            "caller_id": caller.pk,
            "name": caller.name,
            "events": [
                {"at": e.created_at.isoformat(), "what": strings.activity_text(e), "who": person_name(e.actor)}
                for e in shown
            ],
        }
    )



@login_required
@require_POST
@json_view
def pause(request, slug):
    """Pause the waiting area: anybody of the clinic's team may stop new
    callers at once (docs/opening-hours.md says why not admins only)."""
    membership = membership_for(request.user, slug)
    data = json_body(request)
    messages = {}
    for language in ("en", "de"):
        text = data.get(f"message_{language}")
        if text is not None and not isinstance(text, str):
            return json_error("invalid", _("Send the pause message as text."))
        messages[f"message_{language}"] = text
    clinic = actions.do_pause_waiting_area(membership.clinic.pk, actor=request.user, **messages)
    return JsonResponse({"ok": True, "paused": clinic.paused})


@login_required
@require_POST
@json_view
def resume(request, slug):
    membership = membership_for(request.user, slug)
    clinic = actions.do_resume_waiting_area(membership.clinic.pk, actor=request.user)
    return JsonResponse({"ok": True, "paused": clinic.paused})
