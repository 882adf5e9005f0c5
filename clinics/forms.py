from datetime import date

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.utils.translation import gettext_lazy as _

from realtime.text import is_encodable, shows_nothing, without_controls

from . import audit_words
from .models import Clinic, Role

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


class DaysForm(forms.Form):
    """From and To, from a query string (the audit page, the reports):
    whatever they hold, a bad value is a form error, never a failing query."""

    # Dates outside these years are typing mistakes, and their day boundaries
    # would not fit a datetime once moved to UTC.
    FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2999, 12, 31)

    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def _clean_day(self, name):
        day = self.cleaned_data[name]
        if day is not None and not self.FIRST_DAY <= day <= self.LAST_DAY:
            raise forms.ValidationError(_("Choose a date in the years 2000 to 2999."))
        return day

    def clean_since(self):
        return self._clean_day("since")

    def clean_until(self):
        return self._clean_day("until")

    def days_in_order(self, since, until):
        """False, with the error at To, when the days are the wrong way round."""
        if since and until and since > until:
            self.add_error("until", _("The end date is before the start date."))
            return False
        return True


class AuditFilterForm(DaysForm):
    """The audit page's filter."""

    person = forms.TypedChoiceField(label=_("Person"), required=False, coerce=int, empty_value=None)
    action = forms.ChoiceField(label=_("Action"), required=False)
    field_order = ["person", "action", "since", "until"]

    def __init__(self, data, *, people, actions):
        super().__init__(data)
        self.fields["person"].choices = [("", _("Everybody")), *people]
        words = sorted(((action, audit_words.action_text(action)) for action in actions), key=lambda c: c[1].casefold())
        self.fields["action"].choices = [("", _("All actions")), *words]

    def clean(self):
        self.days_in_order(self.cleaned_data.get("since"), self.cleaned_data.get("until"))
        return self.cleaned_data

    def as_filter(self):
        """The filter as the export's record keeps it: ids, names and dates only."""
        return {
            name: value.isoformat() if isinstance(value, date) else value
            for name, value in self.cleaned_data.items()
            if value not in (None, "")
        }


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.MEMBER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


def _shown_text(value):
    """A name as it will be shown to the team: without controls and bidi
    overrides; garbled text (what a lone surrogate becomes) and text that shows
    nothing are refused."""
    value = without_controls(value).strip()
    if "\ufffd" in value:
        raise forms.ValidationError(_("This text holds characters that could not be read. Type it again."))
    return value


class AcceptInvitationForm(forms.Form):
    """The invitee's new account: a name, a password (Django's validators)."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    password1 = forms.CharField(
        label=_("Password"), strip=False, max_length=1024, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        max_length=1024,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email
        self.fields["first_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["last_name"].widget.attrs["autocomplete"] = "family-name"
        self.fields["password1"].help_text = password_validation.password_validators_help_text_html()

    def clean_first_name(self):
        value = _shown_text(self.cleaned_data["first_name"])
        if shows_nothing(value):
            raise forms.ValidationError(_("Please enter your name."))
        return value

    def clean_last_name(self):
        return _shown_text(self.cleaned_data["last_name"])

    def clean(self):
        password1, password2 = self.cleaned_data.get("password1"), self.cleaned_data.get("password2")
        if password1 and password2:
            if password1 != password2:
                self.add_error("password2", _("The two passwords differ."))
            else:
                person = get_user_model()(
                    username=self.email,
                    email=self.email,
                    first_name=self.cleaned_data.get("first_name", ""),
                    last_name=self.cleaned_data.get("last_name", ""),
                )
                try:
                    password_validation.validate_password(password1, person)
                except forms.ValidationError as error:
                    self.add_error("password1", error)
        return self.cleaned_data
