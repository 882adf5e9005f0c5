"""Text that people send (names, messages, any string in a frame or a
request): what can be stored and shown, checked one way everywhere.

JSON may carry a lone surrogate as an escape (`"\\ud800"`): `json.loads`
accepts it and gives a string that fails the moment it is encoded (the
database, a response, a log line). Names and messages are shown to staff next
to other text, so characters that reverse the text around them (bidi
overrides) are removed, and text that shows nothing is no text.
"""

import json
import unicodedata

# Explicit bidi embeddings and overrides (LRE RLE PDF LRO RLO) and isolates
# (LRI RLI FSI PDI): "‮gnp.exe" shows as "exe.png". The marks (LRM, RLM)
# only nudge neutral characters and stay.
BIDI_CONTROLS = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])

# Control characters other than line breaks and tabs: NUL alone is refused by
# PostgreSQL and shows as nothing anywhere.
CONTROLS = dict.fromkeys(c for c in [*range(0x00, 0x20), *range(0x7F, 0xA0)] if chr(c) not in "\n\t")

# Letters that render as blank space (Hangul fillers, the Braille blank):
# a "name" made of them shows as nothing, like one of zero-width characters.
BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def is_encodable(value):
    """Whether every string in `value` (a parsed JSON value: keys too) is
    valid Unicode, which a lone surrogate is not."""
    try:
        json.dumps(value, ensure_ascii=False, default=str).encode("utf-8")
    except UnicodeEncodeError:
        return False
    except (RecursionError, TypeError, ValueError):
        return False  # nested deeper than anybody's frame, or not JSON at all
    return True


def without_controls(text):
    """The text without bidi overrides and control characters (line breaks and
    tabs stay)."""
    return text.translate(BIDI_CONTROLS).translate(CONTROLS)


def shows_nothing(text):
    """Whether the text is empty once invisible characters (spaces,
    zero-width and other format characters, combining marks alone, blank
    letters) are taken out."""
    for c in text:
        if c.isspace() or c in BLANK_LETTERS:
            continue
        if unicodedata.category(c) in ("Cf", "Cc", "Mn", "Me", "Zs", "Zl", "Zp", "Cn", "Co", "Cs"):
            continue
        return False
    return True
