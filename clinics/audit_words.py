"""The audit trail in the clinic's words: what each recorded action means and
what its details say, for the audit page and its CSV (clinics/audit_page.py).

An action this list does not know (one added later, in another app) is shown
by its name as recorded: the page never fails on it."""

import json

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    # Staff accounts (accounts/): recorded for the person, without a clinic.
    "account.signed_in": _("Signed in"),
    "account.signed_out": _("Signed out"),
    "account.sign_in_failed": _("Sign-in failed"),
    "account.locked_out": _("Locked out after failed sign-ins"),
    "account.password_changed": _("Changed their password"),
    "account.password_reset_requested": _("Asked for a password reset"),
    "account.password_reset": _("Reset their password"),
    "account.two_factor_added": _("Added a second factor"),
    "account.two_factor_removed": _("Removed a second factor"),
    # Reads of patient data.
    "dashboard.opened": _("Opened the waiting area"),
    "activity.read": _("Read a caller's activity"),
    "thread.read": _("Read a caller's messages"),
    "call.page_opened": _("Opened a call"),
    "audit.exported": _("Downloaded the audit trail"),
    "account.unlocked": _("Ended a member’s sign-in lockout"),
    # Changes.
    "caller.arrived": _("Caller entered the waiting area"),
    "caller.being_seen": _("Caller being seen"),
    "caller.on_hold": _("Caller put on hold"),
    "caller.waiting": _("Caller returned to waiting"),
    "caller.transferred": _("Caller transferred"),
    "caller.left": _("Caller left the waiting area"),
    "message.notify": _("Sent a message"),
    "message.from_caller": _("Caller sent a message"),
    "call.joined": _("Joined a call"),
    "call.left": _("Left a call"),
    "call.ended": _("Ended a call"),
    "call.disconnected": _("Disconnected a participant"),
    "call.abandoned": _("Call left unattended"),
    "clinic.configuration_changed": _("Changed the General configuration"),
    "visits.purged": _("Deleted finished visits"),
    # The team (clinics/team.py): people and invitations named by id only.
    "clinic.member_invited": _("Invited a person to the team"),
    "clinic.invitation_resent": _("Sent an invitation again"),
    "clinic.invitation_revoked": _("Revoked an invitation"),
    "clinic.invitation_accepted": _("Accepted an invitation"),
    "clinic.member_role_changed": _("Changed a member's role"),
    "clinic.member_removed": _("Removed a member from the team"),
    "clinic.created": _("Created the clinic"),
}

# The names of the details actions record (never patient data: see audit/models.py).
DETAILS = {
    "callers": _("callers"),
    "recipients": _("recipients"),
    "reason": _("reason"),
    "call": _("call"),
    "then": _("then"),
    "from": _("from"),
    "to": _("to"),
    "count": _("visits"),
    "older_than_days": _("older than (days)"),
    "rows": _("rows"),
    "filter": _("filter"),
    "changes": _("changed"),
    "invitation": _("invitation"),
    "replaces": _("replaces invitation"),
    "account": _("account"),
    "role": _("role"),
    "new_account": _("new account"),
}

DETAILS_SHOWN = 160  # characters: the CSV has them all


def action_text(action):
    return str(ACTIONS.get(action, action))


def details_text(details, people=None):
    """A line for people: "callers: 3", "changed: waiting_text". `people`
    names accounts by id ({id: name}): the trail keeps ids only, the page
    shows the name the person has now."""
    if not isinstance(details, dict):
        return ""
    parts = []
    for key, value in details.items():
        if key == "account" and people and value in people:
            value = f"{people[value]} (#{value})"
        elif key == "changes" and isinstance(value, dict):
            value = ", ".join(value)  # which settings; their values are on the configuration page
        elif isinstance(value, dict):
            value = ", ".join(f"{k}={v}" for k, v in value.items() if v not in (None, ""))
        elif isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        parts.append(f"{DETAILS.get(key, key)}: {value}")
    text = "; ".join(parts)
    return text if len(text) <= DETAILS_SHOWN else text[: DETAILS_SHOWN - 1] + "…"


def details_json(details):
    return json.dumps(details, ensure_ascii=False, sort_keys=True, default=str)


def person(user):
    """Who did it, as the team knows them; nobody for the caller's own and
    the system's doings (a caller is named by number, never by name)."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()
