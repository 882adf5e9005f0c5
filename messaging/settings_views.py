"""The clinic admin's pages for the clinic's own texts: quick replies and
automated messages. Each is a page of its own under the clinic's settings;
every change goes through messaging.actions, which audits it."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.models import AuditEvent
from clinics import audit_words
from clinics.access import membership_for, require_admin
from waitroom.errors import ActionError

from . import actions
from .forms import AutomatedMessagesForm, QuickReplyForm
from .models import AutomatedMessages, QuickReply
from .variables import VARIABLES


def _admin(request, slug):
    membership = membership_for(request.user, slug)
    require_admin(membership)
    return membership


def _show_refusal(form, error):
    """An action's refusal, at the field it names (or above the form)."""
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _history(clinic, actions_recorded):
    events = list(AuditEvent.objects.filter(clinic=clinic, action__in=actions_recorded).select_related("actor")[:20])
    for event in events:
        event.what = audit_words.action_text(event.action)
    return events


@login_required
def quick_replies(request, slug):
    membership = _admin(request, slug)
    clinic = membership.clinic
    form = QuickReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_add_quick_reply(clinic, actor=request.user, **form.cleaned_data)
        except ActionError as e:
            _show_refusal(form, e)
        else:
            messages.success(request, _("The quick reply is added."))
            return redirect("messaging:quick_replies", slug=slug)
    return render(
        request,
        "messaging/quick_replies.html",
        {
            "clinic": clinic,
            "membership": membership,
            "replies": actions.quick_replies(clinic),
            "form": form,
            "variables": VARIABLES,
            "history": _history(clinic, ["clinic.quick_reply_added", "clinic.quick_reply_changed", "clinic.quick_reply_removed"]),
        },
        status=400 if form.errors else 200,
    )


def _reply_of(clinic, reply_id):
    reply = QuickReply.objects.filter(clinic=clinic, pk=reply_id).first()
    if reply is None:
        raise Http404
    return reply


@login_required
def quick_reply(request, slug, reply_id):
    membership = _admin(request, slug)
    clinic = membership.clinic
    reply = _reply_of(clinic, reply_id)
    initial = {"title": reply.title, "text_en": reply.text_en, "text_de": reply.text_de}
    form = QuickReplyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_change_quick_reply(clinic, reply.pk, actor=request.user, **form.cleaned_data)
        except ActionError as e:
            _show_refusal(form, e)
        else:
            messages.success(request, _("The quick reply is saved."))
            return redirect("messaging:quick_replies", slug=slug)
    return render(
        request,
        "messaging/quick_reply.html",
        {"clinic": clinic, "membership": membership, "reply": reply, "form": form, "variables": VARIABLES},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def remove_quick_reply(request, slug, reply_id):
    membership = _admin(request, slug)
    reply = _reply_of(membership.clinic, reply_id)
    actions.do_remove_quick_reply(membership.clinic, reply.pk, actor=request.user)
    messages.success(request, _("The quick reply “%(title)s” is deleted.") % {"title": reply.title})
    return redirect("messaging:quick_replies", slug=slug)


@login_required
@require_POST
def move_quick_reply(request, slug, reply_id):
    membership = _admin(request, slug)
    reply = _reply_of(membership.clinic, reply_id)
    actions.do_move_quick_reply(membership.clinic, reply.pk, actor=request.user, up=request.POST.get("to") == "up")
    return redirect("messaging:quick_replies", slug=slug)


@login_required
def automated_messages(request, slug):
    membership = _admin(request, slug)
    clinic = membership.clinic
    current = AutomatedMessages.objects.filter(clinic=clinic).first() or AutomatedMessages(clinic=clinic)
    initial = {name: getattr(current, name) for name in AutomatedMessagesForm.base_fields}
    form = AutomatedMessagesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            _row, changed = actions.do_change_automated_messages(clinic, actor=request.user, **form.cleaned_data)
        except ActionError as e:
            _show_refusal(form, e)
        else:
            messages.success(request, _("The automated messages are saved.") if changed else _("Nothing changed."))
            return redirect("messaging:automated_messages", slug=slug)
    return render(
        request,
        "messaging/automated_messages.html",
        {
            "clinic": clinic,
            "membership": membership,
            "form": form,
            "variables": VARIABLES,
            "history": _history(clinic, ["clinic.automated_messages_changed"]),
        },
        status=400 if form.errors else 200,
    )
