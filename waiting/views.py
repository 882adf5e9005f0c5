from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_POST

from clinics import access
from waitroom.errors import ActionError
from waitroom.routing import caller_socket_path, dashboard_socket_path

from . import actions, strings
from .forms import EntryForm
from .models import LeaveReason, Status


def _speak_clinic_language(clinic):
    if clinic.language:
        translation.activate(clinic.language)


def enter(request, slug):
    """The clinic's link: the entry form, or the waiting page if already in."""
    clinic = access.clinic_for_callers(slug)
    _speak_clinic_language(clinic)
    visit = access.visit_of_session(request.session, clinic)
    if visit is not None and visit.is_present:
        return HttpResponseRedirect(reverse("waiting:wait", args=[slug]))
    form = EntryForm(clinic, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            caller = actions.do_enter_waiting_area(clinic, **form.cleaned_data)
        except ActionError as e:
            form.add_error(None, e.message)
        else:
            access.remember_visit(request.session, caller)
            return HttpResponseRedirect(reverse("waiting:wait", args=[slug]))
    return render(request, "waiting/enter.html", {"clinic": clinic, "form": form})


def wait(request, slug):
    """The caller's page: "Waiting for call", on hold, in a call, or ended."""
    clinic = access.clinic_for_callers(slug)
    _speak_clinic_language(clinic)
    caller = access.visit_of_session(request.session, clinic)
    if caller is None:
        return HttpResponseRedirect(reverse("waiting:enter", args=[slug]))
    if not caller.is_present:
        access.forget_visit(request.session, caller)
        return render(request, "waiting/ended.html", {"clinic": clinic, "caller": caller})
    page = {"socket": caller_socket_path(slug), "strings": strings.caller_page()}
    return render(request, "waiting/wait.html", {"clinic": clinic, "caller": caller, "page": page})


@require_POST
def leave(request, slug):
    clinic = access.clinic_for_callers(slug)
    _speak_clinic_language(clinic)
    caller = access.visit_of_session(request.session, clinic)
    if caller is not None:
        caller = actions.do_leave_waiting_area(caller.pk, reason=LeaveReason.LEFT)
        access.forget_visit(request.session, caller)
    return render(request, "waiting/ended.html", {"clinic": clinic, "caller": caller})


@login_required
def dashboard(request, slug):
    membership = access.membership_for(request.user, slug)
    clinic = membership.clinic
    page = {
        "socket": dashboard_socket_path(slug),
        "notify": reverse("clinics:notify", args=[slug]),
        "thread": reverse("clinics:thread", args=[slug, 0]),
        "remove": reverse("clinics:remove", args=[slug, 0]),
        "extra_label": clinic.extra_field_label,
        "strings": strings.dashboard_page(),
    }
    return render(
        request,
        "waiting/dashboard.html",
        {"clinic": clinic, "membership": membership, "statuses": Status.choices, "page": page},
    )


@login_required
@require_POST
def remove(request, slug, caller_id):
    membership = access.membership_for(request.user, slug)
    caller = access.caller_of_clinic(membership.clinic, caller_id)
    actions.do_leave_waiting_area(caller.pk, reason=LeaveReason.REMOVED, actor=request.user)
    return JsonResponse({"ok": True})
