"""The clinic admin's reports (/clinics/<slug>/reports/): callers, waits,
calls and messages per day or week, as charts with their tables, and the
same figures as CSV (the download is recorded in the audit trail).

Opening the page is not recorded: it shows counts and durations of the
clinic's visits (reports/models.py: VisitSummary), never a caller."""

import csv
import io

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from audit.log import record
from clinics import access

from .charts import Chart, Series
from .figures import WEEK, periods
from .forms import MAX_DAYS, ReportForm


def _report(request, slug):
    """The admin's membership, the form and its periods (None while the form
    is not valid)."""
    membership = access.membership_for(request.user, slug)
    access.require_admin(membership)
    form = ReportForm(request.GET, clinic=membership.clinic)
    if not form.is_valid():
        return membership, form, None
    data = form.cleaned_data
    return membership, form, periods(membership.clinic, data["period"], data["since"], data["until"])


@login_required
@require_GET
@never_cache
def reports_page(request, slug):
    membership, form, rows = _report(request, slug)
    context = {"clinic": membership.clinic, "membership": membership, "form": form, "max_days": MAX_DAYS}
    if rows is None:
        return render(request, "reports/reports.html", context, status=400)
    data = form.cleaned_data
    # The form shows the days the report covers (whole weeks, or the defaults).
    shown = ReportForm(
        {"period": data["period"], "since": data["since"].isoformat(), "until": data["until"].isoformat()},
        clinic=membership.clinic,
    )
    shown.is_valid()
    context.update(form=shown, charts=_charts(rows, data["period"]), period=data["period"], rows=rows,
                   since=data["since"], until=data["until"])
    return render(request, "reports/reports.html", context)


def _label(row, period):
    day = formats.date_format(row.start, "SHORT_DATE_FORMAT")
    return _("Week of %(day)s") % {"day": day} if period == WEEK else day


def _number(value):
    return "–" if value is None else formats.number_format(value)


def _minutes(seconds):
    return "–" if seconds is None else formats.number_format(seconds / 60, decimal_pos=1)


def _in_minutes(values):
    return [None if v is None else v / 60 for v in values]


class ReportChart(Chart):
    """A chart and the table beside it: `columns` are the table's headings,
    `cells(row)` a row's values as shown."""

    def __init__(self, key, title, description, rows, period, series, columns, cells):
        self.columns = columns
        self.table = [(_label(row, period), row.start, cells(row)) for row in rows]
        super().__init__(key, title, description, [label for label, _, _ in self.table], series)


def _charts(rows, period):
    per = _("per week") if period == WEEK else _("per day")
    first, last = formats.date_format(rows[0].start, "SHORT_DATE_FORMAT"), formats.date_format(rows[-1].end, "SHORT_DATE_FORMAT")
    span = _("from %(first)s to %(last)s") % {"first": first, "last": last}

    def described(what):
        return _("Bars %(what)s %(per)s, %(span)s. The table beside the chart has the numbers.") % {
            "what": what, "per": per, "span": span,
        }

    return [
        ReportChart(
            "callers", _("Callers"), described(_("of callers seen and callers who left without being seen")), rows, period,
            [Series(_("Callers seen"), [r.seen for r in rows]), Series(_("Left without being seen"), [r.left_unseen for r in rows])],
            [_("Callers"), _("Callers seen"), _("Left without being seen")],
            lambda r: [_number(r.callers), _number(r.seen), _number(r.left_unseen)],
        ),
        ReportChart(
            "waits", _("Waiting time until seen (minutes)"), described(_("of the median wait and the 90th percentile")),
            rows, period,
            [Series(_("Median wait"), _in_minutes([r.median_wait for r in rows])),
             Series(_("90th percentile"), _in_minutes([r.p90_wait for r in rows]))],
            [_("Median wait"), _("90th percentile"), _("Callers seen")],
            lambda r: [_minutes(r.median_wait), _minutes(r.p90_wait), _number(r.seen)],
        ),
        ReportChart(
            "calls", _("Calls"), described(_("of calls")), rows, period,
            [Series(_("Calls"), [r.calls for r in rows])],
            [_("Calls"), _("Median call length (minutes)")],
            lambda r: [_number(r.calls), _minutes(r.median_call)],
        ),
        ReportChart(
            "messages", _("Messages"), described(_("of messages each way, unanswered caller messages and notifications")),
            rows, period,
            [Series(_("From the clinic"), [r.messages_from_clinic for r in rows]),
             Series(_("From callers"), [r.messages_from_callers for r in rows]),
             Series(_("Left unanswered"), [r.unanswered for r in rows]),
             Series(_("Notifications sent"), [r.notifications for r in rows])],
            [_("From the clinic"), _("From callers"), _("Left unanswered"), _("Notifications sent")],
            lambda r: [_number(r.messages_from_clinic), _number(r.messages_from_callers), _number(r.unanswered),
                       _number(r.notifications)],
        ),
    ]


@login_required
@require_GET
def reports_csv(request, slug):
    """The report's figures as CSV, one row per day or week; the download is
    recorded (with the period and its days) before it is sent."""
    membership, form, rows = _report(request, slug)
    if rows is None:
        return reports_page(request, slug)
    record("reports.exported", clinic=membership.clinic, actor=request.user, filter=form.as_filter(), rows=len(rows))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [_("From"), _("To"), _("Callers"), _("Callers seen"), _("Left without being seen"), _("Median wait (seconds)"),
         _("90th percentile wait (seconds)"), _("Calls"), _("Median call length (seconds)"), _("Messages from the clinic"),
         _("Messages from callers"), _("Caller messages left unanswered"), _("Notifications sent")]
    )
    for row in rows:
        writer.writerow(
            [row.start.isoformat(), row.end.isoformat(), row.callers, row.seen, row.left_unseen, _seconds(row.median_wait),
             _seconds(row.p90_wait), row.calls, _seconds(row.median_call), row.messages_from_clinic,
             row.messages_from_callers, row.unanswered, row.notifications]
        )
    data = form.cleaned_data
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="report-{slug}-{data["period"]}-{data["since"]:%Y-%m-%d}-{data["until"]:%Y-%m-%d}.csv"'
    )
    response["Cache-Control"] = "no-store"
    return response


def _seconds(value):
    """A duration for a spreadsheet: whole seconds, or .5 where a median fell
    between two waits; empty where there was nothing to measure."""
    if value is None:
        return ""
    return str(int(value)) if value == int(value) else f"{value:.1f}"
