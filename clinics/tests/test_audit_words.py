"""Every action the code records reads in words on the audit page: an action
recorded under a name the words do not know shows as its bare name."""

import re
from pathlib import Path

from clinics import audit_words

ROOT = Path(__file__).resolve().parents[2]
RECORDED = re.compile(r'\brecord\(\s*"([a-z_]+\.[a-z_]+)"')


def recorded_actions():
    for source in ROOT.glob("*/**/*.py"):
        if ".venv" in source.parts or "tests" in source.parts:
            continue
        yield from ((match, source) for match in RECORDED.findall(source.read_text()))


def test_every_recorded_action_has_words():
    found = list(recorded_actions())
    assert len(found) > 10  # the scan finds the code's records
    unknown = sorted({f"{action} ({source.relative_to(ROOT)})" for action, source in found if action not in audit_words.ACTIONS})
    assert unknown == []
