"""The clinic's team page (/clinics/<slug>/team/): its members and open
invitations for everyone of the team to read; inviting, resending, revoking,
changing roles and removing for its admins. The rules are in clinics/team.py.

Another clinic's member or invitation is not found (404), as for everything
of another clinic; a team member's POST is refused (403)."""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from waitroom.errors import ActionError
from waitroom.validation import is_id

from . import access, team
from .audit_words import person
from .forms import InviteForm, RoleForm
from .models import Membership, Role

_account_facts = [lambda users: {}]


def account_facts_from(function):
    """What the page shows of each member's account (two factors, locked out):
    `function(users)` -> {user id: {"two_factors": bool, "locked_out": bool}}.
    accounts/ gives it (AccountsConfig.ready): clinics/ imports no accounts/."""
    _account_facts[0] = function


@login_required
@require_GET
def team_page(request, slug):
    return _page(request, access.membership_for(request.user, slug))


def _page(request, membership, *, status=200, invite_form=None, error=None):
    clinic = membership.clinic
    members = list(Membership.objects.filter(clinic=clinic).select_related("user"))
    members.sort(key=lambda m: (person(m.user).casefold(), m.user_id))
    facts = _account_facts[0]([m.user for m in members])
    rows = [
        {
            "membership": m,
            "user": m.user,
            "name": person(m.user),
            "is_you": m.user_id == request.user.pk,
            **facts.get(m.user_id, {}),
        }
        for m in members
    ]
    context = {
        "clinic": clinic,
        "membership": membership,
        "members": rows,
        "invitations": team.open_invitations(clinic),
        "invite_form": invite_form or InviteForm(),
        "roles": Role.choices,
        "error": error,
        "now": timezone.now(),
    }
    return render(request, "clinics/team.html", context, status=status)


def admin_action(view):
    """A POST of the team page by one of the clinic's admins: another clinic's
    staff get 404, a team member 403; an action's refusal is the page again
    with the reason (its status), nothing changed."""

    @require_POST
    @login_required
    @functools.wraps(view)
    def act(request, slug, **ids):
        membership = access.membership_for(request.user, slug)
        access.require_admin(membership)
        if not all(is_id(value) for value in ids.values()):
            raise Http404
        try:
            return view(request, membership, **ids)
        except ActionError as error:
            if error.status == 404:
                raise Http404
            if error.status == 403:
                raise PermissionDenied
            return _page(request, membership, status=error.status, error=error.message)

    return act


def _site(request):
    return request.build_absolute_uri("/")


@admin_action
def invite(request, membership):
    clinic = membership.clinic
    form = InviteForm(request.POST)
    if not form.is_valid():
        return _page(request, membership, status=400, invite_form=form)
    try:
        invitation, _link, sent = team.do_invite(
            clinic.pk,
            actor=request.user,
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
            language=team.mail_language(clinic, translation.get_language()),
            site=_site(request),
        )
    except ActionError as error:
        if error.status in (403, 404):
            raise
        return _page(request, membership, status=error.status, invite_form=form, error=error.message)
    _say_sent(request, invitation, sent, _("%(email)s is invited. The link in the mail works once, for %(days)s days."))
    return redirect("clinics:team", slug=clinic.slug)


def _say_sent(request, invitation, sent, text):
    if sent:
        days = (invitation.expires_at - invitation.sent_at).days
        messages.success(request, text % {"email": invitation.email, "days": days})
    else:
        messages.error(
            request,
            _("The invitation to %(email)s is saved, but the mail could not be sent. Try “Resend” later.")
            % {"email": invitation.email},
        )


@admin_action
def resend(request, membership, invitation_id):
    invitation, _link, sent = team.do_resend_invitation(
        invitation_id, membership.clinic_id, actor=request.user, site=_site(request)
    )
    _say_sent(request, invitation, sent, _("A new link is sent to %(email)s; the old one no longer works."))
    return redirect("clinics:team", slug=membership.clinic.slug)


@admin_action
def revoke(request, membership, invitation_id):
    invitation = team.do_revoke_invitation(invitation_id, membership.clinic_id, actor=request.user)
    text = _("The invitation to %(email)s is revoked: its link no longer works.")
    messages.success(request, text % {"email": invitation.email})
    return redirect("clinics:team", slug=membership.clinic.slug)


@admin_action
def change_role(request, membership, user_id):
    form = RoleForm(request.POST)
    if not form.is_valid():
        return _page(request, membership, status=400, error=_("Choose a role: clinic admin or team member."))
    member = team.do_change_role(membership.clinic_id, user_id, form.cleaned_data["role"], actor=request.user)
    messages.success(
        request, _("%(name)s is now: %(role)s.") % {"name": person(member.user), "role": member.get_role_display()}
    )
    if member.user_id == request.user.pk and not member.is_admin:
        return redirect("waiting:dashboard", slug=membership.clinic.slug)  # the team page has no buttons for them now
    return redirect("clinics:team", slug=membership.clinic.slug)


@admin_action
def remove(request, membership, user_id):
    member = team.do_remove_member(membership.clinic_id, user_id, actor=request.user)
    text = _("%(name)s is no longer on the team of %(clinic)s.")
    messages.success(request, text % {"name": person(member.user), "clinic": membership.clinic.name})
    if member.user_id == request.user.pk:
        return redirect("clinics:home")
    return redirect("clinics:team", slug=membership.clinic.slug)
