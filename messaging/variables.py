"""The variables of quick replies and automated messages: `{first_name}`,
`{minutes_waited}`, `{position}`, `{clinic}`. A text is checked when it is
saved (unknown names and lone braces are refused there, in words), and filled
for each caller when it is sent.

A brace that should show is written twice: `{{` shows `{`."""

from string import Formatter

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from waiting.models import NAME_MAX

VARIABLES = {
    "first_name": gettext_lazy("the first word of the name the caller gave"),
    "minutes_waited": gettext_lazy("whole minutes since the caller came in"),
    "position": gettext_lazy("the caller's place in the queue (– when not waiting)"),
    "clinic": gettext_lazy("the clinic's name"),
}

# The longest each variable can be once filled: a text must fit a message
# (BODY_MAX) filled for any caller.
LONGEST = {"first_name": NAME_MAX, "minutes_waited": 6, "position": 6, "clinic": 100}

NOT_IN_QUEUE = "–"


class BadVariables(ValueError):
    """A text's braces or names are wrong; the message says how, for people."""


def parse(text):
    """[(literal, variable or None)] of a text, or BadVariables."""
    try:
        parts = list(Formatter().parse(text))
    except ValueError:
        raise BadVariables(
            _("A brace is not closed or not opened. Variables are written {first_name}; to show a brace, write it twice: {{ or }}.")
        )
    chunks = []
    for literal, name, spec, conversion in parts:
        if name is None:
            chunks.append((literal, None))
            continue
        if name not in VARIABLES or spec or conversion:
            shown = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
            raise BadVariables(
                _("%(variable)s is not a variable. You can use: %(known)s.")
                % {"variable": shown, "known": ", ".join("{" + v + "}" for v in VARIABLES)}
            )
        chunks.append((literal, name))
    return chunks


def names_in(text):
    return {name for _literal, name in parse(text) if name}


def longest_filled(text):
    """How long the text can be once filled for any caller."""
    return sum(len(literal) + (LONGEST[name] if name else 0) for literal, name in parse(text))


def fill(text, values):
    """The text with its variables replaced from `values` (a checked text)."""
    return "".join(literal + (str(values[name]) if name else "") for literal, name in parse(text))


def first_name(name):
    words = name.split()
    return words[0] if words else ""


def values_for(caller, clinic, *, position=None, now=None):
    """The variables' values for one caller (a Caller, or anything with name and arrived_at)."""
    now = now or timezone.now()
    return {
        "first_name": first_name(caller.name),
        "minutes_waited": max(0, int((now - caller.arrived_at).total_seconds() // 60)),
        "position": position if position is not None else NOT_IN_QUEUE,
        "clinic": clinic.name,
    }
