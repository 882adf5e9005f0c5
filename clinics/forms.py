from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from . import audit_words
from .models import Clinic


class ConfigurationForm(forms.ModelForm):
    class Meta:
        model = Clinic
        fields = Clinic.CONFIGURATION_FIELDS
        widgets = {
            "waiting_text_en": forms.Textarea(attrs={"rows": 4}),
            "waiting_text_de": forms.Textarea(attrs={"rows": 4}),
        }


class AuditFilterForm(forms.Form):
    """The audit page's filter, from the query string: whatever it holds, a
    bad value is a form error, never a failing query."""

    # Dates outside these years are typing mistakes, and their day boundaries
    # would not fit a datetime once moved to UTC.
    FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2999, 12, 31)

    person = forms.TypedChoiceField(label=_("Person"), required=False, coerce=int, empty_value=None)
    action = forms.ChoiceField(label=_("Action"), required=False)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data, *, people, actions):
        super().__init__(data)
        self.fields["person"].choices = [("", _("Everybody")), *people]
        words = sorted(((action, audit_words.action_text(action)) for action in actions), key=lambda c: c[1].casefold())
        self.fields["action"].choices = [("", _("All actions")), *words]

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
        since, until = self.cleaned_data.get("since"), self.cleaned_data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date is before the start date."))
        return self.cleaned_data

    def as_filter(self):
        """The filter as the export's record keeps it: ids, names and dates only."""
        return {
            name: value.isoformat() if isinstance(value, date) else value
            for name, value in self.cleaned_data.items()
            if value not in (None, "")
        }
