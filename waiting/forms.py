import re
from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinics.models import FieldMode

from .models import NAME_MAX

PHONE = re.compile(r"^\+?[0-9 ()/.-]{3,30}$")


class EntryForm(forms.Form):
    """The caller's way in: their name and the fields the clinic asks for."""

    name = forms.CharField(label=_("Your name"), max_length=NAME_MAX)

    def __init__(self, clinic, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs.update(autocomplete="name", autofocus=True)
        if clinic.phone_field != FieldMode.OFF:
            self.fields["phone"] = forms.CharField(
                label=_("Phone number"),
                max_length=30,
                required=clinic.phone_field == FieldMode.REQUIRED,
                widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            )
        if clinic.date_of_birth_field != FieldMode.OFF:
            self.fields["date_of_birth"] = forms.DateField(
                label=_("Date of birth"),
                required=clinic.date_of_birth_field == FieldMode.REQUIRED,
                widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}),
            )
        if clinic.extra_field_label and clinic.extra_field != FieldMode.OFF:
            self.fields["extra_answer"] = forms.CharField(
                label=clinic.extra_field_label,
                max_length=200,
                required=clinic.extra_field == FieldMode.REQUIRED,
            )

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Please enter your name."))
        return name

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if phone and not PHONE.match(phone):
            raise forms.ValidationError(_("Please enter a phone number with digits only (and + - / ( ) if needed)."))
        return phone

    def clean_date_of_birth(self):
        born = self.cleaned_data["date_of_birth"]
        if born and not (date(1900, 1, 1) <= born <= timezone.localdate()):
            raise forms.ValidationError(_("Please enter a date of birth in the past."))
        return born
