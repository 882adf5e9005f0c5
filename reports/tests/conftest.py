from datetime import datetime, timezone as utc

import pytest
from django.utils import timezone


class Clock:
    """django.utils.timezone.now, set by the test: the actions stamp their
    rows with it (arrival, a call's start, a visit's end)."""

    def __init__(self, monkeypatch):
        self.moment = datetime(2026, 5, 4, 9, 0, tzinfo=utc.utc)  # a Monday
        monkeypatch.setattr(timezone, "now", lambda: self.moment)

    def set(self, moment):
        self.moment = moment
        return moment

    def advance(self, duration):
        self.moment += duration
        return self.moment


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)
