from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from realtime.text import is_encodable

from . import audit_words
from .models import Clinic

# Every field explained: the model's own help text where it has one, these
# where the label alone leaves the admin guessing.
HELP_TEXTS = {
    "language": _(
        "Callers read their pages in this language. With “The caller's browser language” "
        "each caller reads English or German, as their browser prefers."
    ),
    "phone_field": _("Whether callers are asked for a phone number when they enter, and whether they must give one."),
    "date_of_birth_field": _("Whether callers are asked for their date of birth, and whether they must give it."),
    "extra_field": _("Whether callers must answer your own question (asked only when it has a text above)."),
}
WIDGETS = {
    "waiting_text_en": forms.Textarea(attrs={"rows": 4}),
    "waiting_text_de": forms.Textarea(attrs={"rows": 4}),
}


class SectionForm(forms.ModelForm):
    """One section of the General configuration (clinics/settings_sections.py):
    the view hands what changed to clinics.actions.do_change_configuration."""

    def clean(self):
        cleaned = super().clean()
        for name, value in list(cleaned.items()):
            # A form with the bytes of a lone surrogate arrives decoded with
            # replacement characters: refuse it rather than store "x�".
            if isinstance(value, str) and ("\ufffd" in value or not is_encodable(value)):
                self.add_error(name, _("This text has a character that could not be read. Please type it again."))
        return cleaned


def section_form(section, data=None, *, instance):
    form_class = forms.modelform_factory(
        Clinic, form=SectionForm, fields=section.fields, widgets=WIDGETS, help_texts=HELP_TEXTS
    )
    return form_class(data, instance=instance)


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
