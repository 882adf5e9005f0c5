"""The audit trail in the clinic's words: what each recorded action means and
what its details say, for the audit page and its CSV (clinics/audit_page.py),
and the history in sentences the settings pages show ("Alex Admin turned
guest messaging on").

An action this list does not know (one added later, in another app) is shown
by its name as recorded: the page never fails on it. An action that should
read as sentences adds a function to SENTENCES (see `sentences`)."""

import json

from django.core.exceptions import FieldDoesNotExist
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext, ngettext_lazy

from .models import Clinic

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
    "account.passkey_added": _("Added a passkey"),
    "account.passkey_removed": _("Removed a passkey"),
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
    "message.automated": _("Automated message sent"),
    "call.joined": _("Joined a call"),
    "call.left": _("Left a call"),
    "call.ended": _("Ended a call"),
    "call.disconnected": _("Disconnected a participant"),
    "call.abandoned": _("Call left unattended"),
    "clinic.configuration_changed": _("Changed the General configuration"),
    "clinic.hours_changed": _("Changed the opening hours"),
    "clinic.closed_days_added": _("Added closed dates"),
    "clinic.closed_days_removed": _("Removed closed dates"),
    "clinic.paused": _("Paused the waiting area"),
    "clinic.pause_message_changed": _("Changed the pause message"),
    "clinic.resumed": _("Resumed the waiting area"),
    "clinic.quick_reply_added": _("Added a quick reply"),
    "clinic.quick_reply_changed": _("Changed a quick reply"),
    "clinic.quick_reply_removed": _("Deleted a quick reply"),
    "clinic.automated_messages_changed": _("Changed the automated messages"),
    "visits.purged": _("Deleted finished visits"),
    # The team (clinics/team.py): people and invitations named by id only.
    "clinic.member_invited": _("Invited a person to the team"),
    "clinic.invitation_resent": _("Sent an invitation again"),
    "clinic.invitation_revoked": _("Revoked an invitation"),
    "clinic.invitation_accepted": _("Accepted an invitation"),
    "clinic.member_role_changed": _("Changed a member's role"),
    "clinic.member_removed": _("Removed a member from the team"),
    "clinic.created": _("Created the clinic"),
    # Appointment invitations (integrations/invitations.py): by id only, never the patient's name.
    "invitation.created": _("Created an appointment invitation"),
    "invitation.cancelled": _("Cancelled an appointment invitation"),
    "invitation.used": _("Caller came in with an appointment invitation"),
    "invitations.read": _("Opened the appointment invitations"),
    "invitations.purged": _("Deleted old appointment invitations"),
    # The REST API (integrations/): keys named by id, never by their secret.
    "api.key_created": _("Made an API key"),
    "api.key_revoked": _("Revoked an API key"),
    "api.used": _("A practice system used the API"),
    # Webhooks (integrations/webhooks.py): endpoints by id and address.
    "webhook.added": _("Added a webhook"),
    "webhook.changed": _("Changed a webhook"),
    "webhook.secret_rotated": _("Made a new webhook secret"),
    "webhook.removed": _("Removed a webhook"),
    "webhook.sent_again": _("Sent a webhook event again"),
}

# The names of the details actions record (never patient data: see audit/models.py).
# In the order a line names them (PostgreSQL's JSON keeps no order of its own).
DETAILS = {
    "account": _("account"),
    "invitation": _("invitation"),
    "api_key": _("API key"),
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
    "note": _("note"),
    "quick_reply": _("quick reply"),
    "title": _("title"),
    "kind": _("kind"),
    "moved": _("moved"),
    "invitation": _("invitation"),
    "replaces": _("replaces invitation"),
    "role": _("role"),
    "new_account": _("new account"),
    "single_use": _("single use"),
    "invitations": _("invitations"),
    "scopes": _("permissions"),
    "endpoint": _("endpoint"),
    "status": _("answer"),
    "url": _("URL"),
    "events": _("events"),
    "details_included": _("message bodies and entry fields"),
    "delivery": _("delivery"),
    "event": _("event"),
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
    for key, value in sorted(details.items(), key=lambda item: _place(item[0], DETAILS)):
        if key == "account" and people and value in people:
            value = f"{people[value]} (#{value})"
        elif key == "changes" and isinstance(value, dict):
            # Which settings, by their labels; the settings page says from what to what.
            value = ", ".join(field_label(field) for field in sorted(value, key=_field_place))
        elif isinstance(value, dict):
            value = ", ".join(f"{k}={v}" for k, v in value.items() if v not in (None, ""))
        elif isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        parts.append(f"{DETAILS.get(key, key)}: {value}")
    text = "; ".join(parts)
    return text if len(text) <= DETAILS_SHOWN else text[: DETAILS_SHOWN - 1] + "…"


def _place(name, known):
    """Where `name` stands among `known` (a list or dict), unknown names after, by name."""
    order = list(known)
    return (order.index(name), "") if name in order else (len(order), str(name))


def _field_place(field):
    """Settings in the order the configuration shows them."""
    return _place(field, Clinic.CONFIGURATION_FIELDS)


def details_json(details):
    return json.dumps(details, ensure_ascii=False, sort_keys=True, default=str)


def person(user):
    """Who did it, as the team knows them; nobody for the caller's own and
    the system's doings (a caller is named by number, never by name)."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


# The history in sentences ------------------------------------------------------
#
# Whole sentences, each translated as one: German puts the verb last and
# bends the words around it, so nothing is glued together from pieces.

SOMEBODY = _("Somebody")  # an operator's script, a management command
SHOWN_TEXT = 60  # characters of a changed text quoted in its sentence


def _toggle(on, off):
    return lambda who, old, new, field: (on if new else off) % {"who": who}


def _text(changed, cleared):
    def say(who, old, new, field):
        if not new:
            return cleared % {"who": who}
        return changed % {"who": who, "new": _quoted(new)}

    return say


def _from_to(sentence):
    return lambda who, old, new, field: sentence % {
        "who": who,
        "old": value_text(field, old),
        "new": value_text(field, new),
    }


def _count(sentence):
    # "from 10 to 15 minutes": the plural follows the new number.
    return lambda who, old, new, field: sentence % {"who": who, "old": old, "number": new}


CONFIGURATION_SENTENCES = {
    "guest_messaging_enabled": _toggle(
        _("%(who)s turned guest messaging on"), _("%(who)s turned guest messaging off")
    ),
    "waiting_text": _text(
        _("%(who)s changed the text shown to waiting callers to “%(new)s”"),
        _("%(who)s removed the text shown to waiting callers (they read the standard text)"),
    ),
    "waiting_text_en": _text(
        _("%(who)s changed the English text shown to waiting callers to “%(new)s”"),
        _("%(who)s removed the English text shown to waiting callers"),
    ),
    "waiting_text_de": _text(
        _("%(who)s changed the German text shown to waiting callers to “%(new)s”"),
        _("%(who)s removed the German text shown to waiting callers"),
    ),
    "require_two_factors": _toggle(
        _("%(who)s required two factors for everyone of the clinic"),
        _("%(who)s stopped requiring two factors for everyone of the clinic"),
    ),
    "show_queue_position": _toggle(
        _("%(who)s turned the queue position on"), _("%(who)s turned the queue position off")
    ),
    "show_expected_wait": _toggle(
        _("%(who)s turned the expected wait on"), _("%(who)s turned the expected wait off")
    ),
    "language": _from_to(_("%(who)s changed the language of the caller pages from “%(old)s” to “%(new)s”")),
    "phone_field": _from_to(_("%(who)s changed the phone number field from “%(old)s” to “%(new)s”")),
    "date_of_birth_field": _from_to(_("%(who)s changed the date of birth field from “%(old)s” to “%(new)s”")),
    "extra_field_label": _text(
        _("%(who)s changed the own question to “%(new)s”"), _("%(who)s removed the own question")
    ),
    "extra_field": _from_to(_("%(who)s changed the own question from “%(old)s” to “%(new)s”")),
    "offline_grace_minutes": _count(
        ngettext_lazy(
            "%(who)s changed the offline grace period from %(old)s to %(number)s minute",
            "%(who)s changed the offline grace period from %(old)s to %(number)s minutes",
            "number",
        )
    ),
    "retention_days": _count(
        ngettext_lazy(
            "%(who)s changed how long visit data are kept from %(old)s to %(number)s day",
            "%(who)s changed how long visit data are kept from %(old)s to %(number)s days",
            "number",
        )
    ),
}

UNITS = {
    "offline_grace_minutes": ngettext_lazy("%(number)s minute", "%(number)s minutes", "number"),
    "retention_days": ngettext_lazy("%(number)s day", "%(number)s days", "number"),
}


def _clinic_field(field):
    try:
        return Clinic._meta.get_field(field)
    except FieldDoesNotExist:
        return None


def field_label(field):
    model_field = _clinic_field(field)
    return str(model_field.verbose_name) if model_field is not None else field


def value_text(field, value):
    """A configuration value as people read it: "On", "Required", "15 minutes"."""
    if isinstance(value, bool):
        return str(_("On") if value else _("Off"))
    model_field = _clinic_field(field)
    if model_field is not None and model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if field in UNITS and isinstance(value, int):
        return UNITS[field] % {"number": value}
    if value in ("", None):
        return "–"
    return str(value)


def _quoted(text):
    text = " ".join(str(text).split())
    return text if len(text) <= SHOWN_TEXT else text[: SHOWN_TEXT - 1] + "…"


def _configuration_changed(who, details):
    changes = details.get("changes") if isinstance(details, dict) else None
    if not isinstance(changes, dict):
        return []
    lines = []
    for field, change in sorted(changes.items(), key=lambda item: _field_place(item[0])):
        say = CONFIGURATION_SENTENCES.get(field)
        if isinstance(change, list) and len(change) == 2:
            old, new = change
        else:
            say = None  # not as recorded: say which field, not how
        if say is None:
            # A field added later, before its words: named by its label.
            lines.append((field, _("%(who)s changed “%(what)s”") % {"who": who, "what": field_label(field)}))
        else:
            lines.append((field, say(who, old, new, field)))
    return lines


# action -> function(who, details) -> [(what it is about, sentence)]
SENTENCES = {
    "clinic.configuration_changed": _configuration_changed,
}


def sentences(event):
    """The event as sentences, each with what it is about (a field's name for
    a configuration change): [(about, sentence)]."""
    who = person(event.actor) or str(SOMEBODY)
    say = SENTENCES.get(event.action)
    if say is None:
        return [("", f"{who}: {action_text(event.action)}")]
    return say(who, event.details)


def history(events, about=None):
    """Lines for a settings page's "Recent changes": the sentence and when,
    newest first; only those about `about` (field names) when given."""
    lines = []
    for event in events:
        when = timezone.localtime(event.created_at)
        for subject, text in sentences(event):
            if about is None or subject in about:
                # The time as the reader writes it ("2 Dec, 18:30"; "2. Dez, 18:30"): a date format, translated.
                lines.append({"text": text, "at": when, "when": formats.date_format(when, gettext("j M, H:i"))})
    return lines
