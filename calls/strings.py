"""Texts of the call page's script."""

from django.utils.translation import gettext as _

from waiting.strings import dashboard_page

# What the call page's waiting list and thread panel share with the dashboard.
_FROM_DASHBOARD = (
    "status_waiting", "status_being_seen", "status_on_hold", "status_offline", "seen_by", "minutes", "hours",
    "waited", "arrived", "wrote", "left", "badge_one_clinic", "badge_one_caller", "badge_many_clinic",
    "badge_many_caller", "from_clinic", "delivered", "seen", "sent", "thread_empty", "send_failed", "no_callers",
)


def call_page():
    dashboard = dashboard_page()
    return {k: dashboard[k] for k in _FROM_DASHBOARD} | {
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
        "share_screen": _("Share screen"),
        "stop_sharing": _("Stop sharing"),
        "sharing": _("You are sharing your screen."),
        "share_failed": _("Your screen could not be shared: {reason}"),
        "joined": _("{name} joined the call."),
        "left_call": _("{name} left the call."),
        "held": _("{name} is on hold."),
        "resumed": _("{name} is back in the call."),
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
