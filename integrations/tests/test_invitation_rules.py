"""The rules of appointment invitations (integrations/invitations.py): the
token, the window in the clinic's time zone, single and multiple use, the
name and fields taken as the entry form takes them, the hours and the pause,
the audit trail and the purge."""

import threading
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone

from audit.models import AuditEvent
from clinics.models import Clinic, FieldMode
from integrations import invitations
from integrations.invitations import PatientInvitation, Refused, do_create_invitation, do_use_invitation
from integrations.signals import invitation_used
from waiting.actions import do_pause_waiting_area, do_purge_old_visits
from waiting.models import Caller, OpeningPeriod
from waitroom.errors import ActionError

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def now(monkeypatch):
    """Sets the clock the rules read."""
    moment = {"at": timezone.now()}
    monkeypatch.setattr(timezone, "now", lambda: moment["at"])

    def set_now(at):
        moment["at"] = at

    return set_now


def invite(clinic, actor=None, name="Sue Smith", at=None, **fields):
    at = at or timezone.now() + timedelta(minutes=10)
    return do_create_invitation(clinic, actor=actor, name=name, appointment_at=at, **fields)


def token_of(link):
    return link.rstrip("/").rsplit("/", 1)[-1]


def test_the_link_carries_an_unguessable_token_stored_only_hashed(clinic, team_member):
    invitation, link = invite(clinic, team_member)
    other, other_link = invite(clinic, team_member)
    token = token_of(link)

    assert link.endswith(f"/i/{token}/")
    assert len(token) >= 43  # 32 random bytes, urlsafe
    assert token != token_of(other_link)
    assert invitation.token_hash == invitations.hash_of(token) and token not in invitation.token_hash
    stored = PatientInvitation.objects.filter(pk=invitation.pk).values().get()
    assert not any(token in str(value) for value in stored.values())
    assert str(invitation.pk) != token
    assert invitations.invitation_for_token(token) == invitation
    assert invitations.invitation_for_token(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert invitations.invitation_for_token(invitation.token_hash) is None


def test_the_window_defaults_to_half_an_hour_before_to_two_hours_after(clinic):
    day = (timezone.now() + timedelta(days=2)).date()
    invitation, _ = invite(clinic, at=datetime.combine(day, time(10, 30), BERLIN))

    assert invitation.valid_from == datetime.combine(day, time(10, 0), BERLIN)
    assert invitation.valid_until == datetime.combine(day, time(12, 30), BERLIN)
    assert invitation.single_use


def test_the_window_edges_in_the_clinics_time_zone(clinic, now):
    Clinic.objects.filter(pk=clinic.pk).update(time_zone="Europe/Berlin")
    clinic.refresh_from_db()
    # 10:30 in Berlin is 09:30 UTC in December: the link opens at 10:00 Berlin time.
    now(datetime(2030, 12, 3, 8, 0, tzinfo=ZoneInfo("UTC")))
    invitation, _ = invite(clinic, at=datetime(2030, 12, 3, 10, 30, tzinfo=BERLIN))

    now(datetime(2030, 12, 3, 9, 59, 59, tzinfo=BERLIN))
    with pytest.raises(Refused) as early:
        do_use_invitation(invitation)
    assert early.value.state == "not_yet" and early.value.status == 403

    now(datetime(2030, 12, 3, 10, 0, tzinfo=BERLIN))
    assert do_use_invitation(invitation).name == "Sue Smith"

    invitation.single_use = False
    invitation.save(update_fields=["single_use"])
    now(datetime(2030, 12, 3, 12, 29, 59, tzinfo=BERLIN))
    do_use_invitation(invitation)
    now(datetime(2030, 12, 3, 12, 30, tzinfo=BERLIN))
    with pytest.raises(Refused) as late:
        do_use_invitation(invitation)
    assert late.value.state == "expired" and late.value.status == 410
    assert Caller.objects.count() == 2


def test_a_single_use_link_lets_in_once(clinic):
    invitation, _ = invite(clinic)
    caller = do_use_invitation(invitation)

    with pytest.raises(Refused) as second:
        do_use_invitation(invitation)

    assert second.value.state == "used" and second.value.code == "invitation_used"
    assert Caller.objects.get() == caller
    invitation.refresh_from_db()
    assert invitation.uses == 1 and invitation.first_used_at is not None


@pytest.mark.django_db(transaction=True)
def test_two_opens_of_a_single_use_link_at_the_same_moment_make_one_visit(clinic):
    invitation, _ = invite(clinic)
    start = threading.Barrier(2)
    outcomes = []

    def use():
        try:
            start.wait()
            do_use_invitation(PatientInvitation.objects.get(pk=invitation.pk))
            outcomes.append("in")
        except ActionError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=use) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["in", "invitation_used"]
    assert Caller.objects.count() == 1
    assert PatientInvitation.objects.get().uses == 1
    assert AuditEvent.objects.filter(action="invitation.used").count() == 1


def test_a_multi_use_link_makes_a_visit_each_time(clinic):
    invitation, _ = invite(clinic, single_use=False)

    first, second = do_use_invitation(invitation), do_use_invitation(invitation)

    assert first.pk != second.pk and first.name == second.name == "Sue Smith"
    invitation.refresh_from_db()
    assert invitation.uses == 2 and invitation.state() == "open"


def test_a_cancelled_link_lets_nobody_in(clinic, team_member):
    invitation, _ = invite(clinic, team_member)
    invitations.do_cancel_invitation(clinic, invitation.pk, actor=team_member)
    invitations.do_cancel_invitation(clinic, invitation.pk, actor=team_member)  # twice: one record

    with pytest.raises(Refused) as refused:
        do_use_invitation(invitation)

    assert refused.value.state == "cancelled"
    assert not Caller.objects.exists()
    assert AuditEvent.objects.filter(action="invitation.cancelled").count() == 1


def test_another_clinics_invitation_cannot_be_cancelled(clinic, other_clinic, outsider):
    invitation, _ = invite(clinic)

    with pytest.raises(ActionError) as error:
        invitations.do_cancel_invitation(other_clinic, invitation.pk, actor=outsider)

    assert error.value.status == 404
    invitation.refresh_from_db()
    assert invitation.cancelled_at is None


def test_the_invited_come_in_while_the_waiting_area_is_closed(clinic):
    # Open only on a weekday that is not today: closed now.
    today = timezone.now().astimezone(ZoneInfo(clinic.time_zone)).weekday()
    OpeningPeriod.objects.create(clinic=clinic, weekday=(today + 3) % 7, opens=time(8), closes=time(9))
    invitation, _ = invite(clinic)

    caller = do_use_invitation(invitation)

    assert caller.is_present and caller.appointment_at == invitation.appointment_at


def test_a_pause_turns_the_invited_away_and_keeps_the_link(clinic, team_member):
    invitation, _ = invite(clinic)
    do_pause_waiting_area(clinic.pk, actor=team_member)
    clinic.refresh_from_db()

    with pytest.raises(ActionError) as error:
        do_use_invitation(invitation)

    assert error.value.code == "paused"
    assert not Caller.objects.exists()
    invitation.refresh_from_db()
    assert invitation.uses == 0 and invitation.state() == "open"


def test_the_entry_limits_per_address_apply(clinic, settings):
    settings.WAITROOM_ENTRIES_PER_ADDRESS = 2
    invitation, _ = invite(clinic, single_use=False)

    do_use_invitation(invitation, address="203.0.113.9")
    do_use_invitation(invitation, address="203.0.113.9")
    with pytest.raises(ActionError) as error:
        do_use_invitation(invitation, address="203.0.113.9")

    assert error.value.status == 429
    assert Caller.objects.count() == 2
    invitation.refresh_from_db()
    assert invitation.uses == 2  # the refused use claimed nothing


def test_the_visit_has_the_invitations_name_fields_and_appointment(clinic):
    Clinic.objects.filter(pk=clinic.pk).update(
        date_of_birth_field=FieldMode.OPTIONAL, extra_field_label="Reason", extra_field=FieldMode.OPTIONAL
    )
    clinic.refresh_from_db()
    invitation, _ = invite(
        clinic, phone="+49 30 1234", date_of_birth=date(1980, 5, 17), extra_answer="Follow-up", language="de"
    )

    caller = do_use_invitation(invitation, language="en")

    assert (caller.name, caller.phone, caller.date_of_birth, caller.extra_answer) == (
        "Sue Smith",
        "+49 30 1234",
        date(1980, 5, 17),
        "Follow-up",
    )
    assert caller.language == "de"  # the invitation's language over the browser's
    assert caller.appointment_at == invitation.appointment_at


def test_the_name_is_taken_as_the_entry_form_takes_it(clinic):
    invitation, _ = invite(clinic, name="  Ada\u202e  Lovelace\u0000 ")
    assert invitation.name == "Ada Lovelace"

    for shows_nothing in ("", "   ", "\u200b\u200b", "\u3164"):
        with pytest.raises(ActionError) as error:
            invite(clinic, name=shows_nothing)
        assert error.value.code == "name_required"
    assert PatientInvitation.objects.count() == 1


@pytest.mark.parametrize(
    "fields, code",
    [
        ({"name": "Ada\ud800"}, "invalid"),
        ({"phone": "0\ud800"}, "invalid"),
        ({"name": "x" * 101}, "name_too_long"),
        ({"phone": "call me maybe"}, "invalid_phone"),
        ({"phone": "1" * 31}, "phone_too_long"),
        ({"date_of_birth": date(1980, 1, 1)}, "field_not_asked"),
        ({"extra_answer": "Why"}, "field_not_asked"),
        ({"name": 42}, "invalid"),
        ({"language": "fr"}, "invalid_language"),
        ({"single_use": "yes"}, "invalid"),
    ],
)
def test_bad_fields_are_refused_and_nothing_is_stored(clinic, fields, code):
    with pytest.raises(ActionError) as error:
        invite(clinic, **{"name": "Sue Smith", **fields})

    assert error.value.code == code
    assert not PatientInvitation.objects.exists()
    assert not AuditEvent.objects.filter(action="invitation.created").exists()


def test_the_fields_the_clinic_requires_are_required(clinic):
    Clinic.objects.filter(pk=clinic.pk).update(phone_field=FieldMode.REQUIRED, date_of_birth_field=FieldMode.OPTIONAL)
    clinic.refresh_from_db()

    with pytest.raises(ActionError) as error:
        invite(clinic)
    assert (error.value.code, error.value.field) == ("field_required", "phone")

    with pytest.raises(ActionError) as error:
        invite(clinic, phone="0301234", date_of_birth=date.today() + timedelta(days=2))
    assert error.value.code == "invalid_date_of_birth"
    assert not PatientInvitation.objects.exists()


@pytest.mark.parametrize(
    "window, code",
    [
        ({"valid_from": timedelta(hours=1), "valid_until": timedelta(hours=1)}, "window_in_order"),
        ({"valid_from": timedelta(hours=2), "valid_until": timedelta(hours=1)}, "window_in_order"),
        ({"valid_from": timedelta(days=-40), "valid_until": timedelta(days=1)}, "window_too_long"),
        ({"valid_from": timedelta(hours=-3), "valid_until": timedelta(hours=-1)}, "window_past"),
    ],
)
def test_a_window_that_cannot_be_meant_is_refused(clinic, window, code):
    now = timezone.now()
    with pytest.raises(ActionError) as error:
        invite(clinic, at=now, **{k: now + v for k, v in window.items()})
    assert error.value.code == code
    assert not PatientInvitation.objects.exists()


def test_times_without_a_time_zone_or_far_ahead_are_refused(clinic):
    with pytest.raises(ActionError) as naive:
        invite(clinic, at=datetime(2030, 1, 1, 10, 0))
    with pytest.raises(ActionError) as far:
        invite(clinic, at=timezone.now() + timedelta(days=400))
    assert (naive.value.code, far.value.code) == ("invalid", "too_far_ahead")


def test_the_audit_trail_names_invitations_by_id_only(clinic, team_member):
    invitation, link = invite(clinic, team_member, name="Zebedee Quux", phone="0301234")
    caller = do_use_invitation(invitation)
    invitations.do_cancel_invitation(clinic, invitation.pk, actor=team_member)

    rows = {e.action: e for e in AuditEvent.objects.filter(action__startswith="invitation.")}
    assert set(rows) == {"invitation.created", "invitation.used", "invitation.cancelled"}
    assert rows["invitation.created"].actor == team_member
    assert rows["invitation.used"].caller_id == caller.pk
    for event in rows.values():
        assert event.details["invitation"] == invitation.pk
        assert "Zebedee" not in str(event.details) and "0301234" not in str(event.details)
        assert token_of(link) not in str(event.details)


def test_a_use_is_told_to_listeners_inside_the_transaction(clinic):
    heard = []

    def listener(sender, invitation, caller, **kwargs):
        heard.append((sender, invitation.pk, caller.pk, connection.in_atomic_block))

    invitation_used.connect(listener)
    try:
        invitation, _ = invite(clinic)
        caller = do_use_invitation(invitation)
    finally:
        invitation_used.disconnect(listener)

    assert heard == [(PatientInvitation, invitation.pk, caller.pk, True)]


def test_invitations_are_purged_with_the_clinics_old_visits(clinic, other_clinic, now):
    start = timezone.now()
    old, _ = invite(clinic, name="Old Patient")
    recent, _ = invite(clinic, name="Recent Patient", at=start + timedelta(days=20))
    elsewhere, _ = invite(other_clinic, name="Other Patient")
    Clinic.objects.filter(pk=other_clinic.pk).update(retention_days=90)

    now(start + timedelta(days=clinic.retention_days, hours=3))
    do_purge_old_visits()

    assert set(PatientInvitation.objects.values_list("name", flat=True)) == {"Recent Patient", "Other Patient"}
    purged = AuditEvent.objects.get(action="invitations.purged")
    assert purged.clinic == clinic and purged.details == {"invitations": 1}


def test_the_lists_split_upcoming_used_and_over(clinic, team_member):
    upcoming, _ = invite(clinic, name="A Upcoming", at=timezone.now() + timedelta(days=1))
    used, _ = invite(clinic, name="B Used")
    do_use_invitation(used)
    cancelled, _ = invite(clinic, name="C Cancelled")
    invitations.do_cancel_invitation(clinic, cancelled.pk, actor=team_member)
    multi, _ = invite(clinic, name="D Multi", single_use=False)
    do_use_invitation(multi)

    lists = invitations.invitations_of(clinic)

    assert [i.name for i in lists["upcoming"]] == ["D Multi", "A Upcoming"]
    assert [i.name for i in lists["used"]] == ["B Used"]
    assert [i.name for i in lists["over"]] == ["C Cancelled"]
