"""Texts the pages' scripts show, translated on the server and handed to the
page as JSON (no inline script, no second translation system)."""

from django.utils.translation import gettext as _

from realtime.limits import BODY_MAX


def default_waiting_text():
    return _("Please stay on this page. The clinic will be with you shortly.")


def caller_page():
    return {
        "waiting": _("Waiting for call"),
        "waiting_text_default": default_waiting_text(),
        "on_hold": _("You are on hold"),
        "on_hold_detail": _("The clinic has put your call on hold and will be back with you. Please stay on this page."),
        "being_seen": _("You are in a call"),
        "being_seen_detail": _("The clinic is with you."),
        "ended": _("Your visit has ended"),
        "ended_left": _("You have left the waiting area."),
        "ended_removed": _("The clinic has closed your visit."),
        "ended_expired": _("Your page was offline for too long, so your place in the waiting area was released."),
        "ended_ended": _("The call has ended. Thank you."),
        "enter_again": _("Enter the waiting area again"),
        "replaced": _("This visit is now open in another window or tab."),
        "use_here": _("Use it here"),
        "you": _("You"),
        "sending": _("Sending…"),
        "new_message": _("New message from the clinic"),
        "minutes": _("{n} min"),
        "hours": _("{h} h {m} min"),
        "err_empty": _("The message is empty."),
        "err_too_long": _("A message has at most %(n)s characters.") % {"n": BODY_MAX},
        "err_rate_limited": _("You are sending messages too quickly. Please wait a moment."),
        "err_messaging_disabled": _("The clinic does not take messages at the moment."),
        "err_other": _("The message could not be sent."),
        "mute": _("Mute microphone"),
        "unmute": _("Unmute microphone"),
        "camera_off": _("Turn camera off"),
        "camera_on": _("Turn camera on"),
    }


def dashboard_page():
    return {
        "status_waiting": _("Waiting"),
        "status_being_seen": _("Being seen"),
        "status_on_hold": _("On hold"),
        "status_offline": _("Offline"),
        "actions_for": _("Actions for {name}"),
        "notify": _("Notify"),
        "messages": _("Messages"),
        "remove": _("Remove from waiting area"),
        "remove_confirm": _("Remove {name} from the waiting area?"),
        "badge_one_clinic": _("1 message, last from the clinic"),
        "badge_one_caller": _("1 message, last from the caller"),
        "badge_many_clinic": _("{n} messages, last from the clinic"),
        "badge_many_caller": _("{n} messages, last from the caller"),
        "notify_one_title": _("Notify {name}"),
        "notify_many_title": _("Notify the callers shown"),
        "reach_none": _("No caller is shown: nobody would receive this."),
        "reach_one": _("This message will reach 1 caller: {detail}."),
        "reach_many": _("This message will reach {n} callers: {detail}."),
        "waited": _("Waiting {time}"),
        "minutes": _("{n} min"),
        "hours": _("{h} h {m} min"),
        "phone": _("Phone"),
        "date_of_birth": _("Date of birth"),
        "from_clinic": _("Clinic"),
        "delivered": _("Delivered"),
        "seen": _("Seen"),
        "sent": _("Sent"),
        "no_callers": _("No callers are waiting."),
        "no_callers_shown": _("No callers match this filter."),
        "arrived": _("{name} has entered the waiting area."),
        "wrote": _("{name} has sent a message."),
        "left": _("{name} has left the waiting area."),
        "new_activity": _("({n}) Waiting area"),
        "send_failed": _("Not sent: {reason}"),
        "offline_dashboard": _("Connection lost – reconnecting…"),
        "thread_empty": _("No messages yet."),
        "join": _("Join"),
        "join_named": _("Join the call with {name}"),
        "activity": _("Activity"),
        "activity_title": _("Activity – {name}"),
        "transfer": _("Transfer to another clinic"),
        "transfer_title": _("Transfer {name}"),
        "failed": _("That did not work: {reason}"),
        "own_text": _("Write your own"),
        "preview_many": _(
            "Shown as {name} will read it. Each caller gets their own: their first name, minutes waited and place in the queue, in their language."
        ),
        "preview_failed": _("The quick reply could not be filled in: {reason}"),
    }


# Audit actions that make up a caller's activity log, in the clinic's words.
ACTIVITY = {
    "caller.arrived": lambda d: _("Entered the waiting area"),
    "caller.being_seen": lambda d: _("Being seen"),
    "caller.on_hold": lambda d: _("Put on hold"),
    "caller.waiting": lambda d: _("Returned to waiting"),
    "call.joined": lambda d: _("Joined the call"),
    "call.left": lambda d: _("Left the call"),
    "call.disconnected": lambda d: _("Disconnected a participant"),
    "call.ended": lambda d: {
        "hold": _("Call ended, caller on hold"),
        "wait": _("Call ended, caller back to waiting"),
    }.get(d.get("then"), _("Call ended")),
    "call.abandoned": lambda d: _("Call left unattended: caller put on hold"),
    "caller.transferred": lambda d: _("Transferred from {source} to {target}").format(
        source=d.get("from", "?"), target=d.get("to", "?")
    ),
    "caller.left": lambda d: {
        "left": _("Left the waiting area"),
        "removed": _("Removed from the waiting area"),
        "expired": _("Offline too long: left the waiting area"),
        "ended": _("Visit ended with the call"),
    }.get(d.get("reason"), _("Left the waiting area")),
}


def activity_text(event):
    return ACTIVITY[event.action](event.details)
