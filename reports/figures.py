"""The reports' figures per day or per week, from the visits' summaries.

Percentiles need each visit's wait, so they are computed here from the
summaries' per-visit numbers (exact, never an average of daily figures):
the median as usual (the middle value, or the mean of the two middle ones),
the 90th percentile by nearest rank (the smallest wait that at least 90 % of
the seen callers did not exceed: always a wait somebody had)."""

import math
import statistics
from dataclasses import dataclass, field
from datetime import timedelta

from .days import monday_of
from .models import VisitSummary

DAY, WEEK = "day", "week"


def median(values):
    return statistics.median(values) if values else None


def percentile_90(values):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[math.ceil(0.9 * len(ordered)) - 1]


@dataclass
class Period:
    """One row of a report: a day, or a week from Monday to Sunday."""

    start: object
    end: object
    callers: int = 0
    seen: int = 0
    calls: int = 0
    messages_from_clinic: int = 0
    messages_from_callers: int = 0
    unanswered: int = 0
    notifications: int = 0
    waits: list = field(default_factory=list, repr=False)
    call_lengths: list = field(default_factory=list, repr=False)

    @property
    def left_unseen(self):
        """Callers whose visit ended before anybody saw them."""
        return self.callers - self.seen

    @property
    def median_wait(self):
        return median(self.waits)

    @property
    def p90_wait(self):
        return percentile_90(self.waits)

    @property
    def median_call(self):
        """The median of the seen callers' time in calls (a visit's calls together)."""
        return median(self.call_lengths)

    def add(self, summary):
        self.callers += 1
        if summary.waited_seconds is not None:
            self.seen += 1
            self.waits.append(summary.waited_seconds)
        if summary.calls:
            self.calls += summary.calls
            self.call_lengths.append(summary.call_seconds)
        self.messages_from_clinic += summary.messages_from_clinic
        self.messages_from_callers += summary.messages_from_caller
        self.unanswered += summary.unanswered
        self.notifications += summary.notifications


def periods(clinic, period, since, until):
    """Every day (or week) from `since` to `until`, both included, those
    without visits too. For weeks, `since` is a Monday and `until` a Sunday."""
    step = timedelta(days=7 if period == WEEK else 1)
    rows = []
    start = since
    while start <= until:
        rows.append(Period(start, min(start + step - timedelta(days=1), until)))
        start += step
    summaries = VisitSummary.objects.filter(clinic=clinic, day__gte=since, day__lte=until).only(
        "day", "waited_seconds", "calls", "call_seconds", "messages_from_clinic", "messages_from_caller",
        "unanswered", "notifications",
    )
    for summary in summaries.iterator(chunk_size=2000):
        index = (summary.day - since).days // step.days
        rows[index].add(summary)
    return rows


def week_range(since, until):
    """The whole weeks that hold these days: Monday of the first, Sunday of the last."""
    return monday_of(since), monday_of(until) + timedelta(days=6)
