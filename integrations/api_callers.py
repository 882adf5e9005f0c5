"""The clinic's status, its callers, and notifications (docs/api.md).

Which key sees what:
- `GET /clinic`: any key of the clinic.
- `GET /callers`, `GET /callers/{id}`: a key with `read` or `notify` (a
  system that notifies needs the ids). The entry fields (name, phone, date
  of birth, the own question's answer) only with `read`; without it
  `entry` is null.
- `POST /callers/{id}/notify`, `POST /notify`: `notify`.
"""

from datetime import date, datetime
from typing import Annotated, Literal

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Schema
from ninja import Status as Answer
from pydantic import ConfigDict

from messaging.actions import do_notify
from waitroom.errors import ActionError
from waitroom.validation import ID_MAX
from waiting import hours
from waiting.access import caller_of_clinic
from waiting.models import Caller, Status

from .api import api
from .api_auth import require_any_scope, require_scope, within_limit
from .api_idempotency import CLIENT_KEY_MAX, client_key_of, once
from .api_keys import Scope

RECIPIENTS_MAX = 10_000


class ErrorDetail(Schema):
    code: str = Field(description="For programs: e.g. `unauthorized`, `scope`, `not_found`, `invalid`, `rate_limited`.")
    message: str = Field(description="For people, in the language of Accept-Language (English or German).")


class ErrorOut(Schema):
    error: ErrorDetail


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 429: ErrorOut}


class ClinicOut(Schema):
    name: str
    slug: str
    status: Literal["open", "paused", "closed"] = Field(
        description="Whether new callers can come in: `paused` by the team, `closed` outside the opening hours."
    )
    next_opening: datetime | None = Field(description="When closed: when the hours next take callers (null if never).")
    callers_present: int = Field(description="Callers in the waiting area, whatever their status.")
    callers_waiting: int = Field(description="Of these, the callers Waiting (not being seen, not on hold).")


class EntryOut(Schema):
    name: str
    phone: str
    date_of_birth: date | None
    extra_answer: str


class CallerOut(Schema):
    id: int
    present: bool
    status: Literal["waiting", "being_seen", "on_hold"]
    online: bool = Field(description="False while the caller's page is disconnected (Offline on the dashboard).")
    arrived_at: datetime
    waited_seconds: int = Field(description="Since arrival (until leaving, for a caller who left).")
    status_changed_at: datetime
    left_at: datetime | None
    leave_reason: str = Field(description="`left`, `removed`, `expired`, `ended`; empty while present.")
    messages: int = Field(description="Messages in the caller's thread (the dashboard's badge).")
    last_message_from: Literal["clinic", "caller"] | None
    awaiting_reply: bool = Field(description="The caller wrote last (the badge shows it).")
    entry: EntryOut | None = Field(description="What the caller entered: only for a key with the `read` permission.")


class CallersOut(Schema):
    callers: list[CallerOut]


class NotifyOne(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [{"body": "Dr Lee will see you in 5 minutes."}]})

    body: str | None = Field(None, description="The message; or `quick_reply` instead.")
    quick_reply: int | None = Field(None, ge=1, le=ID_MAX, description="The id of one of the clinic's quick replies, filled in for the caller.")
    client_key: str | None = Field(None, max_length=CLIENT_KEY_MAX, description="Or the Idempotency-Key header.")


class NotifyMany(NotifyOne):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"all_waiting": True, "body": "Dr Lee is running 15 minutes late."}]}
    )

    caller_ids: list[Annotated[int, Field(ge=1, le=ID_MAX)]] | None = Field(None, max_length=RECIPIENTS_MAX, description="These callers; or `all_waiting`.")
    all_waiting: bool = Field(False, description="Every caller Waiting now (not being seen, not on hold).")


class SentMessage(Schema):
    caller_id: int
    seq: int = Field(description="The message's number in the caller's thread.")


class SentOut(Schema):
    sent: int = Field(description="Callers the message reached (a caller who left, or is another clinic's, is skipped).")
    messages: list[SentMessage]


def _status(clinic):
    refusal = hours.entry_refusal(clinic)
    if refusal is None:
        return "open", None
    return refusal.reason, refusal.opens_at


def _waiting():
    return Q(status=Status.WAITING) | Q(status=Status.OFFLINE, status_before_offline=Status.WAITING)


@api.get("/clinic", response={200: ClinicOut, **ERRORS}, url_name="clinic", summary="The clinic's status",
         description="Any key of the clinic.")
def clinic_status(request):
    clinic = request.auth.clinic
    status, opens = _status(clinic)
    present = Caller.objects.present().filter(clinic=clinic)
    return {
        "name": clinic.name,
        "slug": clinic.slug,
        "status": status,
        "next_opening": opens,
        "callers_present": present.count(),
        "callers_waiting": present.filter(_waiting()).count(),
    }


def caller_out(caller, *, with_entry, now):
    until = caller.left_at or now
    return {
        "id": caller.pk,
        "present": caller.left_at is None,
        "status": caller.current_status or Status.WAITING,
        "online": caller.status != Status.OFFLINE,
        "arrived_at": caller.arrived_at,
        "waited_seconds": max(0, int((until - caller.arrived_at).total_seconds())),
        "status_changed_at": caller.status_changed_at,
        "left_at": caller.left_at,
        "leave_reason": caller.leave_reason,
        "messages": caller.message_count,
        "last_message_from": caller.last_message_from or None,
        "awaiting_reply": caller.awaiting_reply,
        "entry": {
            "name": caller.name,
            "phone": caller.phone,
            "date_of_birth": caller.date_of_birth,
            "extra_answer": caller.extra_answer,
        }
        if with_entry
        else None,
    }


@api.get("/callers", response={200: CallersOut, **ERRORS}, url_name="callers", summary="The callers in the waiting area",
         description="Needs `read` or `notify`; `entry` (name and fields) only with `read`. First come first.")
def callers(request):
    key = require_any_scope(request, Scope.READ, Scope.NOTIFY)
    now = timezone.now()
    present = Caller.objects.present().filter(clinic=key.clinic)
    return {"callers": [caller_out(c, with_entry=key.has_scope(Scope.READ), now=now) for c in present]}


CallerId = Path(..., ge=1, le=ID_MAX, description="The caller's id (one visit).")


@api.get("/callers/{caller_id}", response={200: CallerOut, **ERRORS}, url_name="caller", summary="One caller",
         description="Needs `read` or `notify`; also a caller who left (`present: false`). Another clinic's caller: 404.")
def caller(request, caller_id: int = CallerId):
    key = require_any_scope(request, Scope.READ, Scope.NOTIFY)
    found = caller_of_clinic(key.clinic, caller_id)
    return caller_out(found, with_entry=key.has_scope(Scope.READ), now=timezone.now())


def _notify(request, endpoint, data, caller_ids):
    key = require_scope(request, Scope.NOTIFY)
    client_key = client_key_of(request, data.client_key)

    def send():
        within_limit("notify", key, settings.WAITROOM_API_NOTIFY_PER_MINUTE)
        sent = do_notify(
            key.clinic,
            actor=None,
            api_key_id=key.pk,
            caller_ids=caller_ids(key.clinic),
            body=data.body,
            quick_reply_id=data.quick_reply,
        )
        return 200, {"sent": len(sent), "messages": [{"caller_id": s.caller_id, "seq": s.seq} for s in sent]}

    status, answer, _replayed = once(key, client_key, endpoint, send)
    return Answer(status, answer)


@api.post(
    "/callers/{caller_id}/notify", response={200: SentOut, **ERRORS}, url_name="notify_caller", summary="Notify one caller",
    description="Needs `notify`. Send `body` or `quick_reply`; with a client key, sending again changes nothing.",
)
def notify_caller(request, data: NotifyOne, caller_id: int = CallerId):
    def one(clinic):
        caller_of_clinic(clinic, caller_id)  # another clinic's: 404
        return [caller_id]

    return _notify(request, "notify_caller", data, one)


@api.post("/notify", response={200: SentOut, **ERRORS}, url_name="notify", summary="Notify many callers",
          description="Needs `notify`. Send `caller_ids` or `all_waiting: true`, and `body` or `quick_reply`.")
def notify(request, data: NotifyMany):
    if (data.caller_ids is None) == (not data.all_waiting):
        raise ActionError("invalid", _("Send either caller_ids or all_waiting: true."))

    def recipients(clinic):
        if data.all_waiting:
            ids = list(Caller.objects.present().filter(_waiting(), clinic=clinic).values_list("pk", flat=True))
        else:
            ids = data.caller_ids
        if not ids:
            raise ActionError("no_callers", _("None of these callers is in the waiting area."))
        return ids

    return _notify(request, "notify", data, recipients)
