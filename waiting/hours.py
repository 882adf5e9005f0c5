"""When the waiting area takes new callers: the clinic's weekly opening
periods, its closed dates and its pause. The one place these rules live
(docs/opening-hours.md); the entry page, the action that lets a caller in and
the dashboard ask here.

Times are wall-clock times in the clinic's time zone. Instants are compared
in UTC: two aware datetimes of one zone compare by their wall clocks in
Python, which is wrong on the night the clocks go back.

- A period that closes at or before it opens runs past midnight and belongs
  to the day it opens (Friday 22:00–02:00 ends Saturday 02:00); 00:00–00:00
  is the whole day.
- A closed date cancels the periods that open on it, whole (closing Friday
  closes Friday 22:00–02:00; closing Saturday leaves it alone). A clinic
  without periods is open at all times except on its closed dates.
- On the night the clocks go forward a time the clock skips (02:30 in
  Europe/Berlin) takes effect when the clock jumps; on the night they go back
  a time the clock shows twice counts the first time.
- Callers already in the waiting area stay when it closes or pauses: these
  rules are asked only when a caller comes in.
"""

import zoneinfo
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from waitroom.errors import ActionError

from .models import ClosedDay, OpeningPeriod

PERIODS_PER_DAY = 4
# One entry of closed dates spans at most this many days (a long closure is a
# pause, or no hours at all); next_opening looks a year and that far ahead.
CLOSED_DAYS_MAX = 92
LOOK_AHEAD_DAYS = 366 + CLOSED_DAYS_MAX


def is_time_zone(name):
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        return False
    return True


def time_zones():
    return sorted(zoneinfo.available_timezones())


def _minutes(opens, closes):
    """A period as minutes from the start of its day: (start, end), end past
    1440 when it runs past midnight."""
    start = opens.hour * 60 + opens.minute
    end = closes.hour * 60 + closes.minute
    return start, end if end > start else end + 24 * 60


def check_week(week):
    """Refuse weekly hours that cannot be meant: a period that opens when it
    closes (but 00:00–00:00, the whole day), periods of one day that overlap,
    more than PERIODS_PER_DAY a day. `week`: {weekday 0–6: [(opens, closes)]}."""
    for weekday, periods in week.items():
        if weekday not in range(7):
            raise ActionError("invalid", _("A week has seven days."))
        if len(periods) > PERIODS_PER_DAY:
            raise ActionError("too_many_periods", _("A day has at most %(n)s periods.") % {"n": PERIODS_PER_DAY})
        stretches = []
        for opens, closes in periods:
            if opens == closes and opens != time(0):
                raise ActionError("empty_period", _("A period must close at another time than it opens."))
            if opens.second or closes.second or opens.microsecond or closes.microsecond:
                raise ActionError("invalid", _("Give times in hours and minutes."))
            stretches.append(_minutes(opens, closes))
        stretches.sort()
        for (_start, end), (next_start, _end) in zip(stretches, stretches[1:]):
            if next_start < end:
                raise ActionError("overlap", _("The periods of one day overlap."))


def zone(clinic):
    return zoneinfo.ZoneInfo(clinic.time_zone)


def instant(day, wall, tz):
    """The moment (UTC) the clock of `tz` shows `wall` on `day`."""
    local = datetime.combine(day, wall, tzinfo=tz)
    utc = local.astimezone(UTC)  # fold=0: the first time, if the clock shows it twice
    if utc.astimezone(tz).replace(tzinfo=None) == local.replace(tzinfo=None):
        return utc
    # The clock skips this time: the moment it jumps. It lies between the
    # skipped time read with the offset after the jump and with the one before.
    before, after = local.replace(fold=1).astimezone(UTC), utc
    offset = before.astimezone(tz).utcoffset()
    while after - before > timedelta(seconds=1):
        middle = before + (after - before) / 2
        if middle.astimezone(tz).utcoffset() == offset:
            before = middle
        else:
            after = middle
    return after.replace(microsecond=0)


class Hours:
    """A clinic's hours, read once: its periods and the closed dates near `at`."""

    def __init__(self, clinic, around, days_ahead):
        self.tz = zone(clinic)
        self.periods = {}
        for period in OpeningPeriod.objects.filter(clinic=clinic):
            self.periods.setdefault(period.weekday, []).append((period.opens, period.closes))
        day = around.astimezone(self.tz).date()
        first, last = day - timedelta(days=1), day + timedelta(days=days_ahead)
        self.closed = list(
            ClosedDay.objects.filter(clinic=clinic, first_day__lte=last, last_day__gte=first).values_list(
                "first_day", "last_day"
            )
        )

    @property
    def always_open(self):
        return not self.periods

    def is_closed_day(self, day):
        return any(first <= day <= last for first, last in self.closed)

    def periods_of(self, day):
        """The open stretches [start, end) that open on `day`, as UTC instants."""
        if self.is_closed_day(day):
            return []
        if self.always_open:
            return [(instant(day, time(0), self.tz), instant(day + timedelta(days=1), time(0), self.tz))]
        stretches = []
        for opens, closes in sorted(self.periods.get(day.weekday(), [])):
            end_day = day + timedelta(days=1) if closes <= opens else day
            stretches.append((instant(day, opens, self.tz), instant(end_day, closes, self.tz)))
        return stretches


def _as_utc(at):
    return (at or timezone.now()).astimezone(UTC)


def is_open(clinic, at=None):
    """Whether the clinic's hours take new callers at `at` (the pause aside)."""
    at = _as_utc(at)
    hours = Hours(clinic, at, days_ahead=1)
    day = at.astimezone(hours.tz).date()
    return any(start <= at < end for d in (day - timedelta(days=1), day) for start, end in hours.periods_of(d))


def next_opening(clinic, at=None):
    """The first moment at or after `at` when the hours take new callers
    (`at` itself when open), or None when none lies within LOOK_AHEAD_DAYS."""
    at = _as_utc(at)
    hours = Hours(clinic, at, days_ahead=LOOK_AHEAD_DAYS)
    day = at.astimezone(hours.tz).date()
    for offset in range(-1, LOOK_AHEAD_DAYS + 1):
        for start, end in hours.periods_of(day + timedelta(days=offset)):
            if end > at:
                return max(start, at)
    return None


@dataclass(frozen=True)
class Refusal:
    """Why the waiting area takes no new caller now: "paused" or "closed"
    (then `opens_at`: when it opens next, or None)."""

    reason: str
    opens_at: datetime | None = None


def entry_refusal(clinic, at=None, invitation=None):
    """None when a new caller may come in at `at`; otherwise a Refusal.

    `invitation` is the seam for personal links (issue 14, integrations):
    a caller whom the clinic's staff invited personally, for an appointment,
    comes in outside the opening hours. The caller of this function checks
    that the invitation is valid for this clinic; here any invitation counts.
    A pause stops everybody, the invited too: the team stopped for a reason
    and resumes when it can take callers again."""
    if clinic.paused:
        return Refusal("paused")
    if invitation is not None:
        return None
    at = _as_utc(at)
    if is_open(clinic, at):
        return None
    return Refusal("closed", next_opening(clinic, at))


def describe(periods):
    """"08:00–12:00, 13:00–17:00": a weekday's periods ((opens, closes) pairs)
    as the settings page and the audit trail show them."""
    return ", ".join(f"{opens:%H:%M}–{closes:%H:%M}" for opens, closes in sorted(periods))


def today(clinic, at=None):
    """The clinic's date now (or at `at`)."""
    return _as_utc(at).astimezone(zone(clinic)).date()
