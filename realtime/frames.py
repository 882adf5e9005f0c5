"""Frames that many pages are sent alike, made once."""

import json

from django.conf import settings
from django.utils import timezone

HEARTBEAT = '{"type":"heartbeat"}'

# An ASGI extension a server may offer in a websocket's scope: a function that
# sends a text frame before it returns, or returns False having sent nothing
# (the socket cannot take it now). With it, an event the layer hands over
# while the page waits for one is sent without waking the page's task
# (PageConsumer.take_now); without it (the stock server), every event goes
# the usual way.
SEND_NOW = "waitroom.send_now"
# And its counterpart: a function the app calls with its own handler of a text
# frame, `take(text)`, which the server calls as it reads each frame while the
# app waits for one; True when the app took the frame, False (nothing done)
# and the frame goes to the app's `receive` as usual (PageConsumer.take_frame_now).
RECEIVE_NOW = "waitroom.receive_now"



def page_clock():
    """What every first frame tells its page: how often to say it is there,
    and the server's time (for the page's waiting-time clock)."""
    return {"heartbeat_seconds": settings.WAITROOM_HEARTBEAT_SECONDS, "now": timezone.now().isoformat()}


_last_frame = (None, "")


def message_frame(message, seq):
    """The `message` frame of a broadcast message for one page: all but the
    number is serialised once (for the last message asked about)."""
    global _last_frame
    shared, tail = _last_frame
    if shared is not message:
        tail = json.dumps({k: v for k, v in message.items() if k != "seq"}, separators=(",", ":"))[1:-1]
        _last_frame = (message, tail)
    return f'{{"type":"message","message":{{"seq":{seq},{tail}}}}}'
