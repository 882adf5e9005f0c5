"""The sections of a clinic's General configuration, in the order the section
navigation lists them: one row each.

A row with `fields` is a form of Clinic's configuration fields, served by
clinics/views.py at `/clinics/<slug>/settings/<slug of the row>/`. A row
without fields is a page of its own, built elsewhere (opening hours, quick
replies...): it names its URL (reversed with the clinic's slug only), and the
navigation and the overview link to it. Adding a section is adding a row.

Every Clinic.CONFIGURATION_FIELDS field belongs to exactly one row (a test
says so when a new field has no section yet).
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

OVERVIEW_URL = "clinics:configuration"


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    url_name: str
    description: str = ""
    fields: tuple = ()

    def url(self, clinic):
        return reverse(self.url_name, args=[clinic.slug])


SECTIONS = [
    Section(
        "messaging",
        _("Messaging"),
        "clinics:settings_messaging",
        _("Whether callers can write to the clinic."),
        ("guest_messaging_enabled",),
    ),
    Section(
        "quick-replies",
        _("Quick replies"),
        "messaging:quick_replies",
        _("Texts the team sends with one click, filled in for each caller."),
    ),
    Section(
        "automated-messages",
        _("Automated messages"),
        "messaging:automated_messages",
        _("A welcome, thanks for waiting, and a message when a caller is put on hold."),
    ),
    Section(
        "caller-page",
        _("Caller pages"),
        "clinics:settings_caller_page",
        _("What waiting callers read, and in which language."),
        ("waiting_text_en", "waiting_text_de", "language"),
    ),
    Section(
        "hours",
        _("Opening hours"),
        "waiting:hours",
        _("When callers can enter, closed dates, and what callers read when the waiting area is closed."),
    ),
    Section(
        "entry-fields",
        _("Entry fields"),
        "clinics:settings_entry_fields",
        _("What callers are asked when they enter the waiting area."),
        ("phone_field", "date_of_birth_field", "extra_field_label", "extra_field"),
    ),
    Section(
        "queue",
        _("Queue"),
        "clinics:settings_queue",
        _("Whether waiting callers see their place in the queue and the expected wait."),
        ("show_queue_position", "show_expected_wait"),
    ),
    Section(
        "privacy",
        _("Privacy"),
        "clinics:settings_privacy",
        _("How long a caller's place and their visit data are kept, and how the team signs in."),
        ("offline_grace_minutes", "retention_days", "require_two_factors"),
    ),
]


def form_sections():
    return [section for section in SECTIONS if section.fields]


def section_of_field(field):
    return next((section for section in SECTIONS if field in section.fields), None)


def nav(clinic, current=""):
    """The section navigation: (title, url, is the open one), the overview first."""
    return [
        (_("Overview"), reverse(OVERVIEW_URL, args=[clinic.slug]), current == ""),
        *((section.title, section.url(clinic), section.slug == current) for section in SECTIONS),
    ]
