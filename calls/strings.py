"""Texts of the call page's script and of a caller's activity log."""

from django.utils.translation import gettext as _

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


def call_page():
    return {
        "duration": _("Call duration"),
        "hold": _("Hold"),
        "resume": _("Resume"),
        "disconnect": _("Disconnect"),
        "disconnect_confirm": _("Disconnect {name} from the call?"),
        "on_hold": _("On hold"),
        "connected": _("Connected"),
        "connecting": _("Connecting…"),
        "offline": _("Offline"),
        "you": _("You"),
        "caller": _("Caller"),
        "team_member": _("Team member"),
        "mute": _("Mute microphone"),
        "unmute": _("Unmute microphone"),
        "camera_off": _("Turn camera off"),
        "camera_on": _("Turn camera on"),
        "no_media": _("Your camera or microphone could not be used: the others cannot see or hear you."),
        "caller_alone": _("You are the last team member in this call. What should happen to {name}?"),
        "caller_held_alone": _("{name} is on hold and will stay on hold after you leave."),
        "others_stay": _("The others stay in the call."),
        "failed": _("That did not work: {reason}"),
        "ended": _("The call has ended."),
    }
