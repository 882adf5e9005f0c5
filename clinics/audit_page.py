"""The clinic admin's audit page: who did what, when, filtered by person,
action and date, and the same rows as a CSV download (itself recorded).

It lists the clinic's trail (audit/query.py); the trail names callers by
number only, so nothing here shows patient data."""

import csv
from datetime import datetime, time, timedelta

from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from audit import query
from audit.log import record
from audit.models import AuditEvent
from waitroom.validation import is_id

from . import access, audit_words
from .forms import AuditFilterForm
from .models import Membership

PER_PAGE = 50
CSV_PIECE = 1000  # rows read from the database at a time while streaming


def _filtered(request, slug):
    """The admin's membership, the filter form and the events it selects
    (None while the filter is not valid)."""
    membership = access.membership_for(request.user, slug)
    access.require_admin(membership)
    clinic = membership.clinic
    members = Membership.objects.filter(clinic=clinic)
    people = sorted(
        ((m.user_id, audit_words.person(m.user)) for m in members.select_related("user")),
        key=lambda choice: choice[1].casefold(),
    )
    member_ids = members.values("user_id")
    actions = set(audit_words.ACTIONS) | query.actions_of_clinic(clinic.pk, member_ids)
    form = AuditFilterForm(request.GET, people=people, actions=actions)
    if not form.is_valid():
        return membership, form, None
    since, until = form.cleaned_data["since"], form.cleaned_data["until"]
    events = query.events_of_clinic(
        clinic.pk,
        member_ids,
        actor_id=form.cleaned_data["person"],
        action=form.cleaned_data["action"],
        since=_start_of(since) if since else None,
        before=_start_of(until + timedelta(days=1)) if until else None,
    )
    return membership, form, events


def _start_of(day):
    return timezone.make_aware(datetime.combine(day, time.min))


@login_required
@require_GET
@never_cache
def audit_page(request, slug):
    membership, form, events = _filtered(request, slug)
    page = Paginator(events, PER_PAGE).get_page(request.GET.get("page")) if events is not None else None
    events_shown = list(page) if page is not None else []
    people = _people_named_in(events_shown)
    rows = [_row(event, people) for event in events_shown]
    return render(
        request,
        "clinics/audit.html",
        {"clinic": membership.clinic, "membership": membership, "form": form, "page_obj": page, "rows": rows},
        status=200 if events is not None else 400,
    )


def _people_named_in(events):
    """{account id: name} of the accounts the events' details name by id."""
    ids = {e.details.get("account") for e in events if isinstance(e.details, dict)}
    ids = [i for i in ids if is_id(i)]
    users = get_user_model()._default_manager.filter(pk__in=ids) if ids else []
    return {user.pk: audit_words.person(user) for user in users}


def _row(event, people=None):
    return {
        "at": event.created_at,
        "who": audit_words.person(event.actor),
        "action": event.action,
        "what": audit_words.action_text(event.action),
        "caller": event.caller_id,
        "details": audit_words.details_text(event.details, people),
    }


@login_required
@require_GET
def audit_csv(request, slug):
    """The filtered rows as CSV, streamed: the export is recorded first, with
    the filter and the number of rows, in the transaction that counts them."""
    membership, form, events = _filtered(request, slug)
    if events is None:
        return audit_page(request, slug)
    with transaction.atomic():
        # The file holds the events up to here: not the export's own record,
        # nor anything recorded while it streams, so the count is the file's.
        last_id = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        events = events.filter(id__lte=last_id)
        rows = events.count()
        record("audit.exported", clinic=membership.clinic, actor=request.user, filter=form.as_filter(), rows=rows)
    response = StreamingHttpResponse(_csv_lines(events, *_csv_words()), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{slug}-{timezone.localdate():%Y-%m-%d}.csv"'
    response["Cache-Control"] = "no-store"
    return response


def _csv_words():
    """The header and the actions in words, translated now: the rows are
    written after the view has returned, in the admin's language all the same."""
    header = [_("When"), _("Who"), _("Account"), _("Action"), _("What"), _("Caller"), _("Details")]
    return header, {action: audit_words.action_text(action) for action in audit_words.ACTIONS}


async def _csv_lines(events, header, words):
    """Under ASGI Django reads a synchronous iterator into a list before it
    sends anything; an asynchronous one is sent as it is read, a piece at a time."""
    writer = csv.writer(_Line())
    yield writer.writerow(header)
    last = None
    while True:
        piece = await sync_to_async(_piece)(events, last)
        for event in piece:
            yield writer.writerow(
                [
                    timezone.localtime(event.created_at).isoformat(timespec="seconds"),
                    _cell(audit_words.person(event.actor)),
                    _cell(event.actor.get_username() if event.actor else ""),
                    event.action,
                    words.get(event.action, event.action),
                    event.caller_id or "",
                    _cell(audit_words.details_json(event.details)),
                ]
            )
        if len(piece) < CSV_PIECE:
            return
        last = piece[-1]


def _piece(events, last):
    return list((query.older_than(events, last) if last else events)[:CSV_PIECE])


class _Line:
    """csv.writer's file: writerow returns the line instead of storing it."""

    def write(self, line):
        return line


def _cell(text):
    # A spreadsheet runs a cell that starts like a formula (a staff member's
    # name "=HYPERLINK(...)"): make it text.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
