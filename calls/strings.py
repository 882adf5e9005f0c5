"""Texts of the call page's script."""

from django.utils.translation import gettext as _


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
        **connection_strings(),
    }


def connection_strings():
    """How a call's pages tell the connection to another participant (static/calls/tiles.js)."""
    return {
        "quality_good": _("Good connection"),
        "quality_fair": _("Fair connection"),
        "quality_poor": _("Poor connection"),
        "reconnecting": _("Reconnecting…"),
    }
