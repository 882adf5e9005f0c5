"""The clinic admin's Opening hours page (/clinics/<slug>/settings/hours/):
the weekly periods with their breaks, the time zone, the closed message, and
the closed dates. The rules are waiting/hours.py's; the changes are
waiting.actions' (each audited)."""

from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from clinics.access import membership_for, require_admin
from clinics.models import TEXT_MAX
from waitroom.errors import ActionError

from . import actions, hours, strings
from .models import ClosedDay, OpeningPeriod, Weekday

TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class HoursForm(forms.Form):
    """Each weekday's periods as From/Until pairs (PERIODS_PER_DAY of them;
    empty pairs are no period), the time zone and the closed message."""

    time_zone = forms.ChoiceField(label=gettext_lazy("Time zone"))
    closed_message_en = forms.CharField(
        label=gettext_lazy("Closed message (English)"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("What callers read outside the opening hours. Leave empty for the standard text."),
    )
    closed_message_de = forms.CharField(
        label=gettext_lazy("Closed message (German)"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("German callers read this one; when it is empty, the English one."),
    )

    def __init__(self, data=None, *, clinic):
        week = {}
        for period in OpeningPeriod.objects.filter(clinic=clinic):
            week.setdefault(period.weekday, []).append(period)
        initial = {
            "time_zone": clinic.time_zone,
            "closed_message_en": clinic.closed_message_en,
            "closed_message_de": clinic.closed_message_de,
        }
        for day in Weekday:
            for slot, period in enumerate(week.get(day, [])[: hours.PERIODS_PER_DAY]):
                initial[self.name(day, slot, "opens")] = period.opens
                initial[self.name(day, slot, "closes")] = period.closes
        super().__init__(data, initial=initial)
        self.day_errors = {}
        self.fields["time_zone"].choices = [(zone, zone) for zone in hours.time_zones()]
        for day in Weekday:
            for slot in range(hours.PERIODS_PER_DAY):
                for edge, word in (("opens", _("from")), ("closes", _("until"))):
                    self.fields[self.name(day, slot, edge)] = forms.TimeField(
                        label=_("%(day)s, period %(n)s, %(edge)s") % {"day": day.label, "n": slot + 1, "edge": word},
                        required=False,
                        widget=TIME_INPUT,
                    )

    @staticmethod
    def name(day, slot, edge):
        return f"day{int(day)}_{slot}_{edge}"

    def days(self):
        """For the template: (weekday, [(from field, until field), …], the day's errors)."""
        return [
            (
                day.label,
                [(self[self.name(day, s, "opens")], self[self.name(day, s, "closes")]) for s in range(hours.PERIODS_PER_DAY)],
                self.day_errors.get(day, []),
            )
            for day in Weekday
        ]

    def clean(self):
        self.day_errors = {}
        week = {}
        for day in Weekday:
            periods = []
            for slot in range(hours.PERIODS_PER_DAY):
                opens = self.cleaned_data.get(self.name(day, slot, "opens"))
                closes = self.cleaned_data.get(self.name(day, slot, "closes"))
                if (opens is None) != (closes is None):
                    missing = self.name(day, slot, "closes" if closes is None else "opens")
                    if missing not in self.errors:
                        self.add_error(missing, _("Give both times of the period, or neither."))
                elif opens is not None:
                    periods.append((opens, closes))
            if periods:
                try:
                    hours.check_week({day: periods})
                except ActionError as e:
                    self.day_errors[day] = [e.message]
                    self.add_error(None, f"{day.label}: {e.message}")
                week[day.value] = periods
        self.cleaned_data["week"] = week
        return self.cleaned_data


class ClosedDaysForm(forms.Form):
    first_day = forms.DateField(label=gettext_lazy("First day"), widget=forms.DateInput(attrs={"type": "date"}))
    last_day = forms.DateField(
        label=gettext_lazy("Last day"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("Leave empty to close one day."),
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("For the team, such as “Christmas”."),
    )

    FIRST, LAST = date(2000, 1, 1), date(2999, 12, 31)

    def __init__(self, data=None, *, clinic):
        super().__init__(data, prefix="closed")
        self.today = hours.today(clinic)

    def clean(self):
        first, last = self.cleaned_data.get("first_day"), self.cleaned_data.get("last_day")
        if first is None:
            return self.cleaned_data
        last = last or first
        for name, day in (("first_day", first), ("last_day", last)):
            if not self.FIRST <= day <= self.LAST:
                self.add_error(name, _("Choose a date in the years 2000 to 2999."))
                return self.cleaned_data
        if last < first:
            self.add_error("last_day", _("The last day is before the first day."))
        elif last < self.today:
            self.add_error("last_day", _("These dates are over."))
        elif (last - first).days > hours.CLOSED_DAYS_MAX:
            self.add_error("last_day", _("Close at most %(n)s days at once.") % {"n": hours.CLOSED_DAYS_MAX})
        return self.cleaned_data


def _admin_clinic(request, slug):
    membership = membership_for(request.user, slug)
    require_admin(membership)
    return membership


def _render(request, membership, form, closed_form, status=200):
    clinic = membership.clinic
    refusal = hours.entry_refusal(clinic)
    if refusal is None:
        now = _("The waiting area is open: new callers come in.")
    elif refusal.reason == "paused":
        now = _("The waiting area is paused: new callers read the pause message.")
    else:
        now = " ".join(
            filter(None, [_("The waiting area is closed now."), strings.opens_again(clinic, refusal.opens_at)])
        )
    upcoming = ClosedDay.objects.filter(clinic=clinic, last_day__gte=hours.today(clinic))
    context = {
        "clinic": clinic,
        "membership": membership,
        "form": form,
        "closed_form": closed_form,
        "closed_days": upcoming,
        "now": now,
        "periods_per_day": range(1, hours.PERIODS_PER_DAY + 1),
    }
    return render(request, "waiting/hours.html", context, status=status)


@login_required
def hours_page(request, slug):
    membership = _admin_clinic(request, slug)
    clinic = membership.clinic
    form = HoursForm(request.POST or None, clinic=clinic)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.do_change_opening_hours(
                clinic.pk,
                actor=request.user,
                week=data["week"],
                time_zone=data["time_zone"],
                closed_message_en=data["closed_message_en"],
                closed_message_de=data["closed_message_de"],
            )
        except ActionError as e:
            form.add_error(None, e.message)
        else:
            messages.success(request, _("The opening hours are saved."))
            return redirect("waiting:hours", slug=slug)
    return _render(request, membership, form, ClosedDaysForm(clinic=clinic), status=200)


@login_required
@require_POST
def add_closed_days(request, slug):
    membership = _admin_clinic(request, slug)
    clinic = membership.clinic
    closed_form = ClosedDaysForm(request.POST, clinic=clinic)
    if closed_form.is_valid():
        data = closed_form.cleaned_data
        try:
            actions.do_add_closed_days(
                clinic.pk, actor=request.user, first_day=data["first_day"], last_day=data["last_day"], note=data["note"]
            )
        except ActionError as e:
            closed_form.add_error(None, e.message)
        else:
            messages.success(request, _("The closed dates are added."))
            return redirect("waiting:hours", slug=slug)
    return _render(request, membership, HoursForm(clinic=clinic), closed_form)


@login_required
@require_POST
def remove_closed_days(request, slug, closed_id):
    membership = _admin_clinic(request, slug)
    try:
        actions.do_remove_closed_days(membership.clinic.pk, closed_id, actor=request.user)
    except ActionError as e:
        if e.status == 404:  # another clinic's, or removed already
            raise Http404 from e
        raise
    messages.success(request, _("The closed dates are removed."))
    return redirect("waiting:hours", slug=slug)

