"""Appointment invitations through the API (docs/api.md, docs/invitations.md):
the practice system books an appointment and gets the patient's personal link.

- `POST /invitations`: a key with `invite`. The answer carries the link, once
  (only its hash is stored). Idempotent by a client key, like notify: a retry
  gets the first answer (and its link) and makes no second invitation.
- `GET /invitations`: a key with `invite`: the clinic's invitations that have
  not expired, without the patient's name and fields unless the key also has
  `read`.
- `POST /invitations/{id}/cancel`: a key with `invite`.

A time without an offset is read in the clinic's time zone."""

import json
from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from ninja import Field, Path, Schema
from ninja import Status as Answer
from pydantic import ConfigDict

from waitroom.validation import ID_MAX

from .api import api
from .api_auth import require_scope
from .api_callers import ERRORS, EntryOut
from .api_idempotency import CLIENT_KEY_MAX, client_key_of, once
from .api_keys import Scope
from .invitations import PatientInvitation, do_cancel_invitation, do_create_invitation


class InvitationIn(Schema):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"name": "Sue Smith", "appointment_at": "2026-12-04T10:30:00"}]}
    )

    name: str = Field(description="The patient's name, as the entry form would take it.")
    appointment_at: datetime = Field(description="Without an offset: in the clinic's time zone.")
    phone: str = ""
    date_of_birth: date | None = None
    extra_answer: str = Field("", description="The answer to the clinic's own question.")
    valid_from: datetime | None = Field(None, description="Default: 30 minutes before the appointment.")
    valid_until: datetime | None = Field(None, description="Default: 2 hours after the appointment.")
    single_use: bool = Field(True, description="The link lets one visit in (false: any number within the window).")
    language: Literal["", "en", "de"] = Field("", description="The patient's language; empty: the clinic's.")
    client_key: str | None = Field(None, max_length=CLIENT_KEY_MAX, description="Or the Idempotency-Key header.")


class InvitationOut(Schema):
    id: int
    appointment_at: datetime
    valid_from: datetime
    valid_until: datetime
    single_use: bool
    state: Literal["open", "not_yet", "used", "expired", "cancelled"]
    uses: int = Field(description="Visits the link has let in.")
    link: str | None = Field(description="The patient's personal link: only in the answer that created it.")
    entry: EntryOut | None = Field(description="The patient's name and fields: only for a key with `read` too.")


class InvitationsOut(Schema):
    invitations: list[InvitationOut]


InvitationId = Path(..., ge=1, le=ID_MAX, description="The invitation's id.")


def _aware(clinic, moment):
    if moment is None or timezone.is_aware(moment):
        return moment
    return timezone.make_aware(moment, ZoneInfo(clinic.time_zone))


def invitation_out(invitation, *, link=None, with_entry=False):
    entry = None
    if with_entry:
        entry = {
            "name": invitation.name,
            "phone": invitation.phone,
            "date_of_birth": invitation.date_of_birth,
            "extra_answer": invitation.extra_answer,
        }
    return {
        "id": invitation.pk,
        "appointment_at": invitation.appointment_at,
        "valid_from": invitation.valid_from,
        "valid_until": invitation.valid_until,
        "single_use": invitation.single_use,
        "state": invitation.state(),
        "uses": invitation.uses,
        "link": link,
        "entry": entry,
    }


@api.post(
    "/invitations",
    response={201: InvitationOut, **ERRORS},
    url_name="create_invitation",
    summary="Invite a patient for an appointment",
    description="Needs `invite`. The answer's `link` is the patient's personal link, shown in this answer only.",
)
def create_invitation(request, data: InvitationIn):
    key = require_scope(request, Scope.INVITE)
    clinic = key.clinic

    def create():
        invitation, link = do_create_invitation(
            clinic,
            actor=None,
            name=data.name,
            appointment_at=_aware(clinic, data.appointment_at),
            phone=data.phone,
            date_of_birth=data.date_of_birth,
            extra_answer=data.extra_answer,
            valid_from=_aware(clinic, data.valid_from),
            valid_until=_aware(clinic, data.valid_until),
            single_use=data.single_use,
            language=data.language,
        )
        answer = invitation_out(invitation, link=link, with_entry=key.has_scope(Scope.READ))
        # As JSON types: the client key's record keeps the answer in a JSON field.
        return 201, json.loads(json.dumps(answer, cls=DjangoJSONEncoder))

    status, answer, _replayed = once(key, client_key_of(request, data.client_key), "create_invitation", create)
    return Answer(status, answer)


@api.get(
    "/invitations", response={200: InvitationsOut, **ERRORS}, url_name="invitations", summary="The clinic's invitations",
    description="Needs `invite`: those whose window has not closed; `entry` only with `read` too.",
)
def invitations(request):
    key = require_scope(request, Scope.INVITE)
    with_entry = key.has_scope(Scope.READ)
    current = PatientInvitation.objects.filter(clinic=key.clinic, valid_until__gt=timezone.now())
    return {"invitations": [invitation_out(i, with_entry=with_entry) for i in current]}


@api.post(
    "/invitations/{invitation_id}/cancel",
    response={200: InvitationOut, **ERRORS},
    url_name="cancel_invitation",
    summary="Cancel an invitation",
    description="Needs `invite`. The link stops working at once.",
)
def cancel_invitation(request, invitation_id: int = InvitationId):
    key = require_scope(request, Scope.INVITE)
    invitation = do_cancel_invitation(key.clinic, invitation_id, actor=None)
    return invitation_out(invitation, with_entry=key.has_scope(Scope.READ))
