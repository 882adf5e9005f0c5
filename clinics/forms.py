from django import forms

from .models import Clinic


class ConfigurationForm(forms.ModelForm):
    class Meta:
        model = Clinic
        fields = Clinic.CONFIGURATION_FIELDS
        widgets = {"waiting_text": forms.Textarea(attrs={"rows": 4})}
