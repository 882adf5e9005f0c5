"""What each server tuning buys (--tunings): the same Waitroom, 1 process on
SQLite, at one N, with the tunings off one at a time and all at once, in the
same run, so that the rows differ by their switches and not by the day.

The switches are the server's (waitroom/server/): uvicorn's --ws (the tuned
protocol, which also switches on the heap policy unless WAITROOM_TUNED_HEAP is
false, or the stock websockets-sansio) and WAITROOM_TUNED_LAYERS (the tuned or
Channels' stock channel layers). A server that does not know a variable
ignores it: on a tree older than waitroom/server/ the rows that only set
variables measure the same server as "all tuned".
"""

from .targets import STOCK_WS, Waitroom

# key, label, stock protocol, environment
VARIANTS = [
    ("tuned", "all tuned", False, {"WAITROOM_TUNED_LAYERS": "true"}),
    ("stock-protocol", "stock protocol", True, {"WAITROOM_TUNED_LAYERS": "true"}),
    ("stock-layers", "stock layers", False, {"WAITROOM_TUNED_LAYERS": "false"}),
    ("heap-off", "heap policy off", False, {"WAITROOM_TUNED_LAYERS": "true", "WAITROOM_TUNED_HEAP": "false"}),
    ("stock-http", "stock HTTP handler", False, {"WAITROOM_TUNED_LAYERS": "true", "WAITROOM_TUNED_HTTP": "false"}),
    ("stock", "all stock", True, {"WAITROOM_TUNED_LAYERS": "false", "WAITROOM_TUNED_HEAP": "false",
                                  "WAITROOM_TUNED_HTTP": "false"}),
]
LABELS = {f"tuning-{key}": label for key, label, _, _ in VARIANTS}


def targets(args, tmp):
    """One Waitroom target per variant (1 process, SQLite, this tree)."""
    return [Waitroom(args, tmp, 1, name=f"tuning-{key}", ws=STOCK_WS if stock else None, env=env)
            for key, _, stock, env in VARIANTS]
