"""The clinic's team: invitations, roles, removal — every rule in one place
(docs/team.md). Views, the admin's page and `manage.py createclinic` call these.

- An invitation is a link with an unguessable token (256 bits), kept here only
  as its SHA-256; it works once, until it expires (WAITROOM_INVITATION_DAYS).
  Accepting claims it with one conditional UPDATE, so two accepts at the same
  moment cannot both succeed. Resending makes a new link and kills the old one.
- A clinic sends at most WAITROOM_INVITATIONS_PER_DAY invitation mails
  (invitations and resends) in 24 hours.
- A clinic keeps at least one admin: each change of roles and members locks
  the clinic's row first, so two admins demoting each other at once leave one.
- The audit trail names invitations and people by id only, never by email.
"""

import hashlib
import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.log import record
from waitroom.errors import ActionError

from .models import Clinic, Invitation, Membership, Role

log = logging.getLogger(__name__)

TOKEN_BYTES = 32


def hash_of(token):
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def link_of(token, site):
    """The address the invitee opens; `site` is scheme and host ("https://wait.example.org")."""
    return site.rstrip("/") + reverse("clinics:invitation", args=[token])


def account_with_email(email):
    """The account this address belongs to (its sign-in name or its email,
    whatever the case), or None."""
    User = get_user_model()
    found = list(User._default_manager.filter(Q(username__iexact=email) | Q(email__iexact=email)).order_by("pk")[:5])
    for user in found:  # the sign-in name first: that is what signing in asks for
        if user.get_username().lower() == email.lower():
            return user
    return found[0] if found else None


def invitation_for_token(token):
    """The invitation of this link, whatever its state, or None."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return None
    return Invitation.objects.select_related("clinic", "invited_by").filter(token_hash=hash_of(token)).first()


def open_invitations(clinic):
    now = timezone.now()
    return Invitation.objects.filter(clinic=clinic, accepted_at=None, revoked_at=None, expires_at__gt=now).order_by(
        "email", "-sent_at"
    )


def _locked_clinic(clinic_id, actor):
    """The clinic's row, locked until the transaction ends; refused unless the
    actor is (still) one of its admins. No actor: an operator (a command)."""
    clinic = Clinic.objects.select_for_update().get(pk=clinic_id)
    if actor is not None and not Membership.objects.filter(clinic=clinic, user=actor, role=Role.ADMIN).exists():
        raise ActionError("not_admin", _("Only the clinic's admins can change its team."), status=403)
    return clinic


def _check_role(role):
    if role not in Role.values:
        raise ActionError("invalid", _("Choose a role: clinic admin or team member."))


def _sends_left(clinic, now):
    limit = settings.WAITROOM_INVITATIONS_PER_DAY
    if limit and Invitation.objects.filter(clinic=clinic, sent_at__gt=now - timedelta(days=1)).count() >= limit:
        raise ActionError(
            "too_many_invitations",
            _("This clinic has sent %(limit)s invitations in the last 24 hours. Try again tomorrow.") % {"limit": limit},
            status=429,
        )


def _new_invitation(clinic, *, email, role, language, actor, now):
    token = secrets.token_urlsafe(TOKEN_BYTES)
    invitation = Invitation.objects.create(
        clinic=clinic,
        email=email,
        role=role,
        language=language,
        invited_by=actor,
        token_hash=hash_of(token),
        sent_at=now,
        expires_at=now + timedelta(days=settings.WAITROOM_INVITATION_DAYS),
    )
    return invitation, token


def do_invite(clinic_id, *, actor, email, role, language, site, send=True):
    """Invite `email` to the clinic with `role`; the mail goes out once the
    invitation is stored (unless `send` is false: a command prints the link).
    Returns (invitation, link, mail_sent)."""
    _check_role(role)
    email = email.strip().lower()
    with transaction.atomic():
        clinic = _locked_clinic(clinic_id, actor)
        now = timezone.now()
        existing = account_with_email(email)
        if existing is not None and Membership.objects.filter(clinic=clinic, user=existing).exists():
            raise ActionError("already_member", _("This person is already a member of the team."))
        if open_invitations(clinic).filter(email__iexact=email).exists():
            raise ActionError(
                "already_invited", _("This address has an open invitation: resend it, or revoke it first.")
            )
        _sends_left(clinic, now)
        invitation, token = _new_invitation(clinic, email=email, role=role, language=language, actor=actor, now=now)
        record("clinic.member_invited", clinic=clinic, actor=actor, invitation=invitation.pk, role=role)
    link = link_of(token, site)
    return invitation, link, send_invitation_mail(invitation, link) if send else False


def do_resend_invitation(invitation_id, clinic_id, *, actor, site):
    """A new link for an open (or expired) invitation; the old link stops working."""
    with transaction.atomic():
        clinic = _locked_clinic(clinic_id, actor)
        now = timezone.now()
        old = _invitation_of(clinic, invitation_id, for_update=True)
        if old.accepted_at is not None or old.revoked_at is not None:
            raise ActionError("not_open", _("This invitation was accepted or revoked: it cannot be sent again."))
        _sends_left(clinic, now)
        old.revoked_at = now
        old.save(update_fields=["revoked_at"])
        invitation, token = _new_invitation(
            clinic, email=old.email, role=old.role, language=old.language, actor=actor, now=now
        )
        record("clinic.invitation_resent", clinic=clinic, actor=actor, invitation=invitation.pk, replaces=old.pk)
    link = link_of(token, site)
    return invitation, link, send_invitation_mail(invitation, link)


def do_revoke_invitation(invitation_id, clinic_id, *, actor):
    with transaction.atomic():
        clinic = _locked_clinic(clinic_id, actor)
        invitation = _invitation_of(clinic, invitation_id, for_update=True)
        if invitation.accepted_at is not None:
            raise ActionError("not_open", _("This invitation was accepted already."))
        if invitation.revoked_at is None:
            invitation.revoked_at = timezone.now()
            invitation.save(update_fields=["revoked_at"])
            record("clinic.invitation_revoked", clinic=clinic, actor=actor, invitation=invitation.pk)
    return invitation


def _invitation_of(clinic, invitation_id, *, for_update=False):
    """The clinic's invitation; another clinic's is not found (404), as if it did not exist."""
    rows = Invitation.objects.select_for_update() if for_update else Invitation.objects
    invitation = rows.filter(clinic=clinic, pk=invitation_id).first()
    if invitation is None:
        raise ActionError("not_found", _("There is no such invitation."), status=404)
    return invitation


def _claim(invitation, now):
    """Mark the invitation used, if it still can be: one conditional UPDATE,
    which a second accept at the same moment waits for and then finds done."""
    claimed = Invitation.objects.filter(
        pk=invitation.pk, accepted_at=None, revoked_at=None, expires_at__gt=now
    ).update(accepted_at=now)
    if not claimed:
        raise ActionError("invitation_closed", _("This invitation can no longer be used."), status=410)


def do_accept_invitation(invitation, *, user=None, first_name="", last_name="", password=None):
    """The invitee accepts: as the signed-in `user` whose address it was sent
    to, or, when no account has that address, with a new account of the name
    and password given. Returns the membership."""
    User = get_user_model()
    with transaction.atomic():
        now = timezone.now()
        _claim(invitation, now)
        existing = account_with_email(invitation.email)
        new_account = user is None
        if new_account:
            if existing is not None:
                raise ActionError("account_exists", _("An account with this address exists: sign in to accept."), 409)
            try:
                with transaction.atomic():
                    user = User._default_manager.create_user(
                        username=invitation.email,
                        email=invitation.email,
                        password=password,
                        first_name=first_name,
                        last_name=last_name,
                    )
            except IntegrityError:  # the same address made an account a moment ago
                raise ActionError("account_exists", _("An account with this address exists: sign in to accept."), 409)
        elif existing is None or existing.pk != user.pk:
            raise ActionError("wrong_account", _("This invitation is for another account."), status=403)
        membership, created = Membership.objects.get_or_create(
            user=user, clinic_id=invitation.clinic_id, defaults={"role": invitation.role}
        )
        Invitation.objects.filter(pk=invitation.pk).update(accepted_by=user)
        record(
            "clinic.invitation_accepted",
            clinic=invitation.clinic,
            actor=user,
            invitation=invitation.pk,
            account=user.pk,
            role=membership.role,
            new_account=new_account,
        )
    return membership


def do_change_role(clinic_id, user_id, role, *, actor):
    """Make a member a clinic admin or a team member. The last admin stays one."""
    _check_role(role)
    with transaction.atomic():
        clinic = _locked_clinic(clinic_id, actor)
        member = _member_of(clinic, user_id)
        if member.role == role:
            return member
        if member.is_admin:
            _keep_an_admin(clinic, member, actor)
        old, member.role = member.role, role
        member.save(update_fields=["role"])
        record("clinic.member_role_changed", clinic=clinic, actor=actor, account=member.user_id, **{"from": old, "to": role})
    return member


def do_remove_member(clinic_id, user_id, *, actor):
    """Take a person off the team: their open pages of the clinic close at once
    (accounts/sessions/ending.py: a deleted membership). The last admin stays."""
    with transaction.atomic():
        clinic = _locked_clinic(clinic_id, actor)
        member = _member_of(clinic, user_id)
        if member.is_admin:
            _keep_an_admin(clinic, member, actor)
        member.delete()
        record("clinic.member_removed", clinic=clinic, actor=actor, account=member.user_id, role=member.role)
    return member


def _member_of(clinic, user_id):
    member = Membership.objects.select_related("user").filter(clinic=clinic, user_id=user_id).first()
    if member is None:
        raise ActionError("not_found", _("This person is not a member of the team."), status=404)
    return member


def _keep_an_admin(clinic, member, actor):
    if not Membership.objects.filter(clinic=clinic, role=Role.ADMIN).exclude(pk=member.pk).exists():
        if actor is not None and member.user_id == actor.pk:
            message = _("You are the clinic's only admin. Make somebody else an admin first.")
        else:
            message = _("A clinic keeps at least one admin. Make somebody else an admin first.")
        raise ActionError("last_admin", message, status=409)


def do_create_clinic(name, slug, *, admin=None):
    """An operator creates a clinic (`manage.py createclinic`), with `admin`
    (an account) as its first admin, or none yet (an invitation follows)."""
    with transaction.atomic():
        if Clinic.objects.filter(slug=slug).exists():
            raise ActionError("slug_taken", _("The link name %(slug)s is taken by another clinic.") % {"slug": slug})
        clinic = Clinic(name=name, slug=slug)
        clinic.full_clean()
        clinic.save()
        details = {}
        if admin is not None:
            Membership.objects.create(clinic=clinic, user=admin, role=Role.ADMIN)
            details = {"account": admin.pk, "role": Role.ADMIN}
        record("clinic.created", clinic=clinic, **details)
    return clinic


def mail_language(clinic, inviter_language):
    """The clinic's language where it has one, else the inviter's."""
    languages = dict(settings.LANGUAGES)
    for language in (clinic.language, inviter_language, settings.LANGUAGE_CODE):
        if language in languages:
            return language
    return settings.LANGUAGE_CODE


def send_invitation_mail(invitation, link):
    """The invitation mail, in the invitation's language. Returns whether it
    left: the invitation stays (and can be resent) when the mail server fails."""
    context = {
        "clinic": invitation.clinic,
        "inviter": invitation.invited_by,
        "link": link,
        "expires_at": invitation.expires_at,
        "days": settings.WAITROOM_INVITATION_DAYS,
    }
    with translation.override(invitation.language or settings.LANGUAGE_CODE):
        context["role"] = str(invitation.get_role_display())
        subject = " ".join(render_to_string("clinics/invitation_subject.txt", context).split())
        body = render_to_string("clinics/invitation_email.txt", context)
    try:
        EmailMessage(subject, body, to=[invitation.email]).send()
    except Exception:  # the mail server: refused, down, timed out
        log.exception("The invitation mail %s could not be sent", invitation.pk)
        return False
    return True
