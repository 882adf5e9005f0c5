from datetime import timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from clinics.forms import DaysForm

from . import days
from .figures import DAY, WEEK, week_range

MAX_DAYS = 366  # a year, leap or not: the longest range one page (or CSV) shows
DEFAULT_WEEKS = 4


class ReportForm(DaysForm):
    """The report's period and dates."""

    period = forms.ChoiceField(
        label=_("Per"), required=False, choices=[(WEEK, _("Week")), (DAY, _("Day"))]
    )
    field_order = ["period", "since", "until"]

    def __init__(self, data, *, clinic):
        super().__init__(data)
        self.clinic = clinic

    def clean(self):
        data = self.cleaned_data
        if self.errors:
            return data
        data["period"] = data.get("period") or WEEK
        until = data.get("until") or days.today(self.clinic)
        # The last four weeks unless the admin says otherwise.
        since = data.get("since") or until - timedelta(days=7 * DEFAULT_WEEKS - 1)
        if not self.days_in_order(since, until):
            return data
        if (until - since).days + 1 > MAX_DAYS:
            self.add_error("until", _("Choose at most %(n)s days.") % {"n": MAX_DAYS})
            return data
        data["chosen"] = (since, until)
        data["since"], data["until"] = week_range(since, until) if data["period"] == WEEK else (since, until)
        return data

    def as_filter(self):
        """The report as the export's record keeps it: the period and its days."""
        return {
            "period": self.cleaned_data["period"],
            "since": self.cleaned_data["since"].isoformat(),
            "until": self.cleaned_data["until"].isoformat(),
        }
