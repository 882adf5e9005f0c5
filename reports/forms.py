from datetime import date, timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from . import days
from .figures import DAY, WEEK, week_range

MAX_DAYS = 366  # a year, leap or not: the longest range one page (or CSV) shows
DEFAULT_WEEKS = 4


class ReportForm(forms.Form):
    """The report's period and dates, from the query string: whatever it
    holds, a bad value is a form error, never a failing query."""

    FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2999, 12, 31)

    period = forms.ChoiceField(
        label=_("Per"), required=False, choices=[(WEEK, _("Week")), (DAY, _("Day"))]
    )
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data, *, clinic):
        super().__init__(data)
        self.clinic = clinic

    def _clean_day(self, name):
        day = self.cleaned_data[name]
        if day is not None and not self.FIRST_DAY <= day <= self.LAST_DAY:
            raise forms.ValidationError(_("Choose a date in the years 2000 to 2999."))
        return day

    def clean_since(self):
        return self._clean_day("since")

    def clean_until(self):
        return self._clean_day("until")

    def clean(self):
        data = self.cleaned_data
        if self.errors:
            return data
        data["period"] = data.get("period") or WEEK
        until = data.get("until") or days.today(self.clinic)
        # The last four weeks unless the admin says otherwise.
        since = data.get("since") or until - timedelta(days=7 * DEFAULT_WEEKS - 1)
        if since > until:
            self.add_error("until", _("The end date is before the start date."))
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
