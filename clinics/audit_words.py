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
    "account.password_reset_limited": _("Asked for a password reset too often (no mail sent)"),
    "account.two_factor_enabled": _("Turned on two-factor authentication"),
    "account.two_factor_disabled": _("Turned off two-factor authentication"),
    "account.recovery_codes_renewed": _("Made new recovery codes"),
    "account.unlocked": _("Ended the sign-in lockout of a member"),
    # Reads of patient data.
    "dashboard.opened": _("Opened the waiting area"),
    "activity.read": _("Read a caller's activity"),
    "thread.read": _("Read a caller's messages"),
    "call.page_opened": _("Opened a call"),
    "audit.exported": _("Downloaded the audit trail"),
    "reports.exported": _("Downloaded a report"),
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
}

DETAILS_SHOWN = 160  # characters: the CSV has them all


def action_text(action):
    return str(ACTIONS.get(action, action))


def details_text(details):
    """A line for people: "callers: 3", "changed: waiting_text"."""
    if not isinstance(details, dict):
        return ""
    parts = []
    for key, value in details.items():
        if key == "changes" and isinstance(value, dict):
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
