"""The waiting area's hours (waiting/hours.py): weekly periods with breaks,
periods past midnight, closed dates, the clinic's time zone and the nights the
clocks change, and the pause."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from waiting import hours
from waiting.models import ClosedDay, OpeningPeriod, Weekday

BERLIN = ZoneInfo("Europe/Berlin")
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def at(year, month, day, hour=0, minute=0, tz=BERLIN, fold=0):
    return datetime(year, month, day, hour, minute, tzinfo=tz, fold=fold)


def utc(year, month, day, hour=0, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def open_on(clinic, weekday, opens, closes):
    OpeningPeriod.objects.create(clinic=clinic, weekday=weekday, opens=time(*opens), closes=time(*closes))


@pytest.fixture
def weekdays_with_lunch(clinic):
    """Monday to Friday 8:00–12:00 and 13:00–17:00 (2025-01-06 is a Monday)."""
    for day in range(MON, SAT):
        open_on(clinic, day, (8, 0), (12, 0))
        open_on(clinic, day, (13, 0), (17, 0))
    return clinic


def test_a_clinic_without_hours_is_always_open(clinic):
    assert hours.is_open(clinic, at(2025, 1, 5, 3, 0))
    assert hours.next_opening(clinic, at(2025, 1, 5, 3, 0)) == at(2025, 1, 5, 3, 0)


def test_open_within_periods_closed_in_the_break_and_at_night(weekdays_with_lunch):
    clinic = weekdays_with_lunch
    assert not hours.is_open(clinic, at(2025, 1, 6, 7, 59))
    assert hours.is_open(clinic, at(2025, 1, 6, 8, 0))
    assert hours.is_open(clinic, at(2025, 1, 6, 11, 59))
    assert not hours.is_open(clinic, at(2025, 1, 6, 12, 0))  # lunch
    assert hours.next_opening(clinic, at(2025, 1, 6, 12, 0)) == at(2025, 1, 6, 13, 0)
    assert not hours.is_open(clinic, at(2025, 1, 6, 17, 0))
    assert hours.next_opening(clinic, at(2025, 1, 6, 17, 0)) == at(2025, 1, 7, 8, 0)


def test_after_friday_it_opens_again_on_monday(weekdays_with_lunch):
    assert not hours.is_open(weekdays_with_lunch, at(2025, 1, 11, 10, 0))  # Saturday
    assert hours.next_opening(weekdays_with_lunch, at(2025, 1, 10, 18, 0)) == at(2025, 1, 13, 8, 0)


def test_hours_are_the_clinics_time_zone_not_the_servers(weekdays_with_lunch, settings):
    clinic = weekdays_with_lunch
    clinic.time_zone = "Australia/Sydney"
    clinic.save()
    # 9:00 in Sydney on Monday 6 January is 22:00 UTC on Sunday.
    assert hours.is_open(clinic, utc(2025, 1, 5, 22, 0))
    assert not hours.is_open(clinic, at(2025, 1, 6, 9, 0))  # 19:00 in Sydney


def test_a_period_past_midnight_belongs_to_the_day_it_opens(clinic):
    open_on(clinic, FRI, (22, 0), (2, 0))
    assert not hours.is_open(clinic, at(2025, 1, 10, 21, 59))
    assert hours.is_open(clinic, at(2025, 1, 10, 23, 30))
    assert hours.is_open(clinic, at(2025, 1, 11, 1, 59))  # Saturday night, still Friday's
    assert not hours.is_open(clinic, at(2025, 1, 11, 2, 0))
    assert not hours.is_open(clinic, at(2025, 1, 11, 23, 0))  # Saturday has none of its own
    assert hours.next_opening(clinic, at(2025, 1, 11, 2, 0)) == at(2025, 1, 17, 22, 0)


def test_a_period_until_midnight_and_the_whole_day(clinic):
    open_on(clinic, MON, (18, 0), (0, 0))
    open_on(clinic, WED, (0, 0), (0, 0))
    assert hours.is_open(clinic, at(2025, 1, 6, 23, 59))
    assert not hours.is_open(clinic, at(2025, 1, 7, 0, 0))
    assert hours.is_open(clinic, at(2025, 1, 8, 0, 0))
    assert hours.is_open(clinic, at(2025, 1, 8, 23, 59))
    assert not hours.is_open(clinic, at(2025, 1, 9, 0, 0))


# The clocks change: Europe/Berlin goes to summer time on the last Sunday of
# March (02:00 → 03:00) and back on the last Sunday of October (03:00 → 02:00).


def test_spring_forward_opens_at_local_eight_on_both_sides(clinic):
    for day in (SAT, SUN, MON):
        open_on(clinic, day, (8, 0), (12, 0))
    # Saturday 29 March 2025: winter time, 8:00 is 07:00 UTC.
    assert hours.next_opening(clinic, at(2025, 3, 28, 20, 0)) == utc(2025, 3, 29, 7, 0)
    # Sunday 30 March: summer time from 3:00, so 8:00 is 06:00 UTC.
    assert hours.next_opening(clinic, at(2025, 3, 29, 13, 0)) == utc(2025, 3, 30, 6, 0)
    assert not hours.is_open(clinic, utc(2025, 3, 30, 5, 59))
    assert hours.is_open(clinic, utc(2025, 3, 30, 6, 0))
    assert hours.is_open(clinic, utc(2025, 3, 30, 9, 59))
    assert not hours.is_open(clinic, utc(2025, 3, 30, 10, 0))  # 12:00 summer time


def test_fall_back_opens_at_local_eight_on_both_sides(clinic):
    for day in (SAT, SUN):
        open_on(clinic, day, (8, 0), (12, 0))
    # Saturday 25 October 2025: summer time, 8:00 is 06:00 UTC; Sunday: 07:00 UTC.
    assert hours.next_opening(clinic, at(2025, 10, 24, 20, 0)) == utc(2025, 10, 25, 6, 0)
    assert hours.next_opening(clinic, at(2025, 10, 25, 13, 0)) == utc(2025, 10, 26, 7, 0)
    assert not hours.is_open(clinic, utc(2025, 10, 26, 6, 30))  # 7:30 winter time
    assert hours.is_open(clinic, utc(2025, 10, 26, 10, 59))
    assert not hours.is_open(clinic, utc(2025, 10, 26, 11, 0))


def test_a_night_period_is_an_hour_shorter_in_spring_and_longer_in_autumn(clinic):
    open_on(clinic, SAT, (22, 0), (6, 0))
    # 29/30 March: 22:00 CET (21:00 UTC) to 6:00 CEST (04:00 UTC): seven hours.
    assert hours.is_open(clinic, utc(2025, 3, 29, 21, 0))
    assert hours.is_open(clinic, utc(2025, 3, 30, 3, 59))
    assert not hours.is_open(clinic, utc(2025, 3, 30, 4, 0))
    # 25/26 October: 22:00 CEST (20:00 UTC) to 6:00 CET (05:00 UTC): nine hours.
    assert hours.is_open(clinic, utc(2025, 10, 25, 20, 0))
    assert hours.is_open(clinic, utc(2025, 10, 26, 4, 59))
    assert not hours.is_open(clinic, utc(2025, 10, 26, 5, 0))


def test_a_time_the_clock_skips_takes_effect_when_it_jumps(clinic):
    open_on(clinic, SUN, (2, 30), (5, 0))
    # 30 March 2025 the clock jumps from 2:00 CET to 3:00 CEST at 01:00 UTC.
    assert hours.instant(date(2025, 3, 30), time(2, 30), BERLIN) == utc(2025, 3, 30, 1, 0)
    assert not hours.is_open(clinic, utc(2025, 3, 30, 0, 59))
    assert hours.is_open(clinic, utc(2025, 3, 30, 1, 0))
    assert hours.next_opening(clinic, at(2025, 3, 29, 12, 0)) == utc(2025, 3, 30, 1, 0)


def test_a_time_the_clock_shows_twice_counts_the_first_time(clinic):
    open_on(clinic, SUN, (0, 0), (2, 30))
    # 26 October 2025: 2:30 summer time is 00:30 UTC; 2:30 winter time 01:30 UTC.
    assert hours.is_open(clinic, at(2025, 10, 26, 2, 29, fold=0))
    assert not hours.is_open(clinic, at(2025, 10, 26, 2, 30, fold=0))
    assert not hours.is_open(clinic, at(2025, 10, 26, 2, 10, fold=1))  # the hour again: closed


# Closed dates ----------------------------------------------------------------


def test_a_holiday_closes_the_day_and_the_next_opening_skips_it(weekdays_with_lunch):
    clinic = weekdays_with_lunch
    ClosedDay.objects.create(clinic=clinic, first_day=date(2025, 1, 6), last_day=date(2025, 1, 6), note="Epiphany")
    assert not hours.is_open(clinic, at(2025, 1, 6, 9, 0))
    assert hours.next_opening(clinic, at(2025, 1, 6, 9, 0)) == at(2025, 1, 7, 8, 0)


def test_closed_from_christmas_to_new_year(weekdays_with_lunch):
    clinic = weekdays_with_lunch
    ClosedDay.objects.create(clinic=clinic, first_day=date(2024, 12, 24), last_day=date(2025, 1, 1), note="Holidays")
    assert not hours.is_open(clinic, at(2024, 12, 30, 9, 0))
    assert hours.next_opening(clinic, at(2024, 12, 23, 18, 0)) == at(2025, 1, 2, 8, 0)


def test_a_closed_day_cancels_its_night_period_whole_and_leaves_the_days_before_alone(clinic):
    open_on(clinic, FRI, (22, 0), (2, 0))
    ClosedDay.objects.create(clinic=clinic, first_day=date(2025, 1, 11), last_day=date(2025, 1, 11))  # Saturday
    assert hours.is_open(clinic, at(2025, 1, 11, 1, 0))  # Friday's night goes on into Saturday
    ClosedDay.objects.create(clinic=clinic, first_day=date(2025, 1, 17), last_day=date(2025, 1, 17))  # Friday
    assert not hours.is_open(clinic, at(2025, 1, 17, 23, 0))
    assert not hours.is_open(clinic, at(2025, 1, 18, 1, 0))


def test_a_clinic_open_at_all_times_closes_on_its_closed_dates(clinic):
    ClosedDay.objects.create(clinic=clinic, first_day=date(2025, 12, 25), last_day=date(2025, 12, 26))
    assert not hours.is_open(clinic, at(2025, 12, 25, 12, 0))
    assert hours.next_opening(clinic, at(2025, 12, 25, 12, 0)) == at(2025, 12, 27, 0, 0)
    assert hours.is_open(clinic, at(2025, 12, 24, 23, 59))


def test_another_clinics_closed_dates_change_nothing(weekdays_with_lunch, other_clinic):
    ClosedDay.objects.create(clinic=other_clinic, first_day=date(2025, 1, 6), last_day=date(2025, 1, 6))
    assert hours.is_open(weekdays_with_lunch, at(2025, 1, 6, 9, 0))


def test_the_next_opening_after_a_long_closure(clinic):
    open_on(clinic, MON, (8, 0), (9, 0))
    ClosedDay.objects.create(clinic=clinic, first_day=date(2025, 1, 1), last_day=date(2025, 3, 31))
    assert hours.next_opening(clinic, at(2025, 1, 1)) == at(2025, 4, 7, 8, 0)


def test_no_next_opening_when_every_day_ahead_is_closed(clinic):
    open_on(clinic, MON, (8, 0), (9, 0))
    for start in range(0, hours.LOOK_AHEAD_DAYS + 2, hours.CLOSED_DAYS_MAX + 1):
        first = date(2025, 1, 1) + timedelta(days=start)
        ClosedDay.objects.create(clinic=clinic, first_day=first, last_day=first + timedelta(days=hours.CLOSED_DAYS_MAX))
    assert not hours.is_open(clinic, at(2025, 1, 6, 8, 30))
    assert hours.next_opening(clinic, at(2025, 1, 1)) is None


# Why a new caller cannot come in -------------------------------------------------


def test_entry_refusal_says_closed_and_when_it_opens(weekdays_with_lunch):
    refusal = hours.entry_refusal(weekdays_with_lunch, at(2025, 1, 11, 10, 0))
    assert refusal == hours.Refusal("closed", at(2025, 1, 13, 8, 0))
    assert hours.entry_refusal(weekdays_with_lunch, at(2025, 1, 13, 8, 0)) is None


def test_a_pause_refuses_whatever_the_hours(clinic):
    clinic.paused = True
    assert hours.entry_refusal(clinic, at(2025, 1, 6, 9, 0)) == hours.Refusal("paused")
    assert hours.entry_refusal(clinic, at(2025, 1, 6, 9, 0), invitation=object()) == hours.Refusal("paused")


def test_a_personal_invitation_comes_in_outside_the_hours(weekdays_with_lunch):
    assert hours.entry_refusal(weekdays_with_lunch, at(2025, 1, 11, 10, 0), invitation=object()) is None


# The week's rules ------------------------------------------------------------------


@pytest.mark.parametrize(
    "week, code",
    [
        ({MON: [(time(8), time(8))]}, "empty_period"),
        ({MON: [(time(8), time(12)), (time(11), time(14))]}, "overlap"),
        ({MON: [(time(20), time(2)), (time(23), time(23, 30))]}, "overlap"),
        ({MON: [(time(h), time(h, 30)) for h in range(5)]}, "too_many_periods"),
        ({7: [(time(8), time(9))]}, "invalid"),
        ({MON: [(time(8, 0, 30), time(9))]}, "invalid"),
    ],
)
def test_weeks_that_cannot_be_meant_are_refused(week, code):
    from waitroom.errors import ActionError

    with pytest.raises(ActionError) as refused:
        hours.check_week(week)
    assert refused.value.code == code


def test_adjacent_periods_and_the_whole_day_are_fine():
    hours.check_week({MON: [(time(8), time(12)), (time(12), time(13))], TUE: [(time(0), time(0))]})
    assert Weekday.MONDAY == MON
