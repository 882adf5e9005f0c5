"""The forms of the clinic's messaging settings. They read what was typed; the
rules (variables, lengths, a text for each message switched on) are the
actions', whose refusals the views show at the field they name."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .actions import PATIENCE_MINUTES, PATIENCE_TIMES
from .models import TEMPLATE_MAX, TITLE_MAX

# Typed text may be longer than allowed (pasted): the action says by how much
# in words, rather than the browser cutting it silently.
TYPED_MAX = 4 * TEMPLATE_MAX


def text_field(label, help_text=""):
    return forms.CharField(
        label=label,
        required=False,
        strip=False,
        max_length=TYPED_MAX,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


VARIABLES_HELP = _("You can use {first_name}, {minutes_waited}, {position} and {clinic}.")


class QuickReplyForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=4 * TITLE_MAX,
        help_text=_("What the team picks from, e.g. “Running late”. Callers do not see it."),
    )
    text_en = text_field(_("Text in English"), VARIABLES_HELP)
    text_de = text_field(_("Text in German"), _("Callers whose pages speak German read this one. Leave empty to send the English text to everybody."))


class AutomatedMessagesForm(forms.Form):
    welcome_on = forms.BooleanField(label=_("Send a welcome when a caller enters"), required=False)
    welcome_en = text_field(_("Welcome in English"), VARIABLES_HELP)
    welcome_de = text_field(_("Welcome in German"))
    patience_on = forms.BooleanField(label=_("Thank callers for their patience while they wait"), required=False)
    patience_minutes = forms.IntegerField(
        label=_("After how many minutes of waiting"), min_value=PATIENCE_MINUTES[0], max_value=PATIENCE_MINUTES[1]
    )
    patience_times = forms.IntegerField(
        label=_("How often at most"),
        min_value=PATIENCE_TIMES[0],
        max_value=PATIENCE_TIMES[1],
        help_text=_("2 or more: sent again after the same number of minutes (e.g. after 15, 30 and 45 minutes)."),
    )
    patience_en = text_field(_("Patience message in English"), VARIABLES_HELP)
    patience_de = text_field(_("Patience message in German"))
    hold_on = forms.BooleanField(label=_("Send a message when a caller is put on hold"), required=False)
    hold_en = text_field(_("On-hold message in English"), VARIABLES_HELP)
    hold_de = text_field(_("On-hold message in German"))

    SECTIONS = [
        (_("Welcome"), ["welcome_on", "welcome_en", "welcome_de"]),
        (_("Thank you for your patience"), ["patience_on", "patience_minutes", "patience_times", "patience_en", "patience_de"]),
        (_("On hold"), ["hold_on", "hold_en", "hold_de"]),
    ]

    def sections(self):
        return [(title, [self[name] for name in names]) for title, names in self.SECTIONS]
