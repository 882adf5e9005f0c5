"""Texts the pages' scripts show, translated on the server and handed to the
page as JSON (no inline script, no second translation system)."""

from django.utils import dateformat, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from realtime.limits import BODY_MAX

from . import hours


def default_waiting_text():
    return _("Please stay on this page. The clinic will be with you shortly.")


def waiting_text(clinic):
    """The clinic's waiting text in the caller's language (the one active now)."""
    return clinic.text_for("waiting_text", get_language()) or default_waiting_text()


def closed_page(clinic, refusal, now=None):
    """What a new caller reads when the waiting area takes nobody in: the
    title, the clinic's message (or the standard one) and, when closed, when
    it opens again — all in the caller's language."""
    language = get_language()
    if refusal.reason == "paused":
        return {
            "title": _("The waiting area is paused"),
            "message": clinic.text_for("pause_message", language)
            or _("The waiting area is paused at the moment. Please try again later."),
        }
    return {
        "title": _("The waiting area is closed"),
        "message": clinic.text_for("closed_message", language)
        or _("The waiting area is closed at the moment. Please come back during the opening hours."),
        "opens_again": opens_again(clinic, refusal.opens_at, now),
        "time_zone": _("Times in the time zone %(zone)s.") % {"zone": clinic.time_zone},
    }


def opens_again(clinic, opens_at, now=None):
    """"Opens again today, 13:00", "… tomorrow, 8:00", "… Monday, 8:00",
    "… Monday, 6 January, 8:00" (more than a week ahead), in the clinic's time zone."""
    if opens_at is None:
        return ""
    local = opens_at.astimezone(hours.zone(clinic))
    days = (local.date() - hours.today(clinic, now or timezone.now())).days
    clock = dateformat.format(local, "G:i")
    if days <= 0:
        when = _("today, %(time)s") % {"time": clock}
    elif days == 1:
        when = _("tomorrow, %(time)s") % {"time": clock}
    elif days < 7:
        when = _("%(weekday)s, %(time)s") % {"weekday": dateformat.format(local, "l"), "time": clock}
    else:
        # A date format (Django's letters): German writes "Montag, 6. Januar".
        when = _("%(weekday)s, %(time)s") % {"weekday": dateformat.format(local, _("l, j F")), "time": clock}
    return _("Opens again %(when)s") % {"when": when}


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
        "queue_position": _("You are number {n} in the queue"),
        "wait_about": _("Expected wait: about {start}–{end} minutes"),
        "wait_under": _("Expected wait: less than {end} minutes"),
        "wait_over": _("Expected wait: more than an hour"),
        "mute": _("Mute microphone"),
        "unmute": _("Unmute microphone"),
        "camera_off": _("Turn camera off"),
        "camera_on": _("Turn camera on"),
        **call_screen(),
        **device_check(),
    }


def call_screen():
    """The call on the caller's page: its ring, its title, its connection."""
    return {
        "call_starting": _("Your call is starting"),
        "call_from": _("{clinic} is calling you. Open the page to join."),
        "quality_good": _("Good connection"),
        "quality_fair": _("Fair connection"),
        "quality_poor": _("Poor connection"),
        "reconnecting": _("Reconnecting…"),
    }


def device_check():
    """The device check on the caller's waiting page, with help for each browser."""
    return {
        "camera": _("Camera"),
        "microphone": _("Microphone"),
        "speaker": _("Speaker"),
        "camera_ready": _("Your camera works."),
        "camera_blocked": _("Your camera is blocked."),
        "camera_missing": _("No camera was found."),
        "camera_in_use": _("Your camera is in use by another app."),
        "microphone_ready": _("Your microphone works."),
        "microphone_blocked": _("Your microphone is blocked."),
        "microphone_missing": _("No microphone was found."),
        "microphone_in_use": _("Your microphone is in use by another app."),
        "help_blocked": _("Your browser does not let this page use the camera or microphone. Allow them, then press Try again."),
        "help_missing": _("Connect a camera or headset, or use a phone or tablet for the call."),
        "help_in_use": _("Another app is using the camera or microphone (another video call, the camera app). Close it, then press Try again."),
        "hint_chrome": _("Chrome: click the camera icon (or the icon left of the address), allow camera and microphone, then reload the page."),
        "hint_edge": _("Edge: click the lock left of the address, set Camera and Microphone to Allow, then reload the page."),
        "hint_firefox": _("Firefox: click the crossed-out camera in the address bar, remove the blocks, then reload the page."),
        "hint_iphone": _("iPhone or iPad: tap “aA” in the address bar, then Website Settings, set Camera and Microphone to Allow; or in Settings › Safari › Camera and Microphone choose Ask."),
        "hint_safari": _("Safari: choose Safari › Settings for This Website, set Camera and Microphone to Allow, then reload the page."),
        "hint_other": _("Allow the camera and microphone for this page in your browser's settings, then reload the page."),
        "sound_played": _("Playing a test sound. Did you hear it? If not, turn the volume up or choose another speaker."),
        "sound_failed": _("The test sound could not be played."),
        "notify_granted": _("You will be told when the call starts."),
        "notify_denied": _("Notifications are off; the page will ring when the call starts."),
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
        "appointment": _("Appointment {time}"),
        "camera": _("Camera"),
        "microphone": _("Microphone"),
        "device_ready": _("Ready"),
        "device_blocked": _("Blocked"),
        "device_missing": _("Missing"),
        "device_in_use": _("In use by another app"),
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
        "join_title": _("Join the call with {name}?"),
        "join_colleague": _("{name} is in a call with {names}. Join them?"),
        "seen_by": _("by {names} · {time}"),
        "activity": _("Activity"),
        "activity_title": _("Activity – {name}"),
        "transfer": _("Transfer to another clinic"),
        "transfer_title": _("Transfer {name}"),
        "failed": _("That did not work: {reason}"),
        "paused": _("The waiting area is paused: new callers cannot come in."),
        "resumed": _("The waiting area takes new callers again."),
        "own_text": _("Write your own"),
        "preview_many": _(
            "Shown as {name} will read it. Each caller gets their own: their first name, minutes waited and place in the queue, in their language."
        ),
        "preview_failed": _("The quick reply could not be filled in: {reason}"),
    }


# Audit actions that make up a caller's activity log, in the clinic's words.
ACTIVITY = {
    "caller.arrived": lambda d: _("Entered the waiting area"),
    # Recorded by integrations (a personal link): named here by its action only.
    "invitation.used": lambda d: _("Came in with an appointment invitation"),
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
