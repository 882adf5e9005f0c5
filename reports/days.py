"""Which day a moment belongs to, for a clinic: reports count days in the
clinic's time zone, so a caller at 00:30 in Berlin counts for that day, not
the day before in UTC."""

import zoneinfo
from datetime import timedelta

from django.conf import settings
from django.utils import timezone


def zone_of(clinic):
    return zoneinfo.ZoneInfo(getattr(clinic, "time_zone", "") or settings.TIME_ZONE)


def day_of(clinic, moment):
    return timezone.localtime(moment, zone_of(clinic)).date()


def today(clinic):
    return day_of(clinic, timezone.now())


def monday_of(day):
    return day - timedelta(days=day.weekday())
