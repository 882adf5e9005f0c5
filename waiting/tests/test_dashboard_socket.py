"""The clinic's live dashboard: a snapshot of the waiting area, then every
change as it happens (issue 2, rule 3; DESIGN invariant 3)."""

import pytest
from channels.db import database_sync_to_async

from clinics.actions import do_change_configuration
from clinics.models import Clinic
from messaging.actions import do_notify, do_send_caller_message
from realtime.consumers import CLOSE_NO_VISIT, CLOSE_NOT_SIGNED_IN
from waiting import snapshots
from testkit import protocol
from testkit.sockets import FRAME, QUIET, callers_frame, closed_with, enter, leave, staff_cookie
from waiting.actions import do_enter_waiting_area, do_hold_caller, do_leave_waiting_area, do_see_caller
from waiting.models import LeaveReason

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def asking_clinic(clinic):
    Clinic.objects.filter(pk=clinic.pk).update(
        phone_field="required", date_of_birth_field="optional", extra_field_label="Reason for your visit"
    )
    clinic.refresh_from_db()
    return clinic


async def test_it_works(sockets, asking_clinic, other_clinic, team_member):
    await enter(asking_clinic, "Ada Lovelace", phone="+44 20 7946 0000", date_of_birth="1985-12-10",
                extra_answer="Sore throat")
    gone = await enter(asking_clinic, "Gone Gerry", phone="0123 456")
    await enter(other_clinic, "Olga of Harbour")
    await enter(asking_clinic, "Bob Marley", phone="0987 654")
    await database_sync_to_async(do_leave_waiting_area)(gone.caller_id)

    _, snapshot = await sockets.dashboard(team_member, asking_clinic.slug)

    assert snapshot["clinic"]["name"] == "Sunrise Clinic"
    assert [c["name"] for c in snapshot["cards"]] == ["Ada Lovelace", "Bob Marley"]
    ada = snapshot["cards"][0]
    assert ada["status"] == "waiting"
    assert ada["present"] is True
    assert ada["phone"] == "+44 20 7946 0000"
    assert ada["date_of_birth"] == "1985-12-10"
    assert ada["extra_answer"] == "Sore throat"
    assert ada["arrived_at"]
    assert ada["message_count"] == 0
    assert ada["last_message_from"] == ""
    assert snapshot["cards"][0]["arrived_at"] <= snapshot["cards"][1]["arrived_at"]


async def test_it_shows_arrivals_status_changes_and_leaving_live(sockets, clinic, team_member):
    dashboard, snapshot = await sockets.dashboard(team_member, clinic.slug)
    assert snapshot["cards"] == []

    ada = await enter(clinic, "Ada Lovelace")
    arrived = (await callers_frame(dashboard))["cards"]
    assert [(c["id"], c["name"], c["status"], c["present"]) for c in arrived] == [
        (ada.caller_id, "Ada Lovelace", "waiting", True)
    ]

    await database_sync_to_async(do_see_caller)(ada.caller_id, actor=team_member)
    (seen,) = (await callers_frame(dashboard))["cards"]
    assert seen["status"] == "being_seen"

    await database_sync_to_async(do_hold_caller)(ada.caller_id, actor=team_member)
    (held,) = (await callers_frame(dashboard))["cards"]
    assert held["status"] == "on_hold"

    await leave(ada)
    (left,) = (await callers_frame(dashboard))["cards"]
    assert left["present"] is False

    versions = [arrived[0]["version"], seen["version"], held["version"], left["version"]]
    assert versions == sorted(set(versions))  # strictly increasing: a page keeps the newest
    assert await dashboard.receive_nothing(timeout=QUIET)


async def test_it_shows_a_caller_removed_by_another_team_member(sockets, clinic, team_member, clinic_admin):
    ada = await enter(clinic)
    dashboard, _ = await sockets.dashboard(team_member, clinic.slug)
    await database_sync_to_async(do_leave_waiting_area)(ada.caller_id, reason=LeaveReason.REMOVED, actor=clinic_admin)
    (card,) = (await callers_frame(dashboard))["cards"]
    assert (card["id"], card["present"]) == (ada.caller_id, False)


async def test_it_shows_the_message_counter_live(sockets, clinic, team_member):
    await database_sync_to_async(Clinic.objects.filter(pk=clinic.pk).update)(guest_messaging_enabled=True)
    ada = await enter(clinic, "Ada Lovelace")
    bob = await enter(clinic, "Bob Marley")
    dashboard, snapshot = await sockets.dashboard(team_member, clinic.slug)
    versions = {c["id"]: c["version"] for c in snapshot["cards"]}

    await database_sync_to_async(do_notify)(
        clinic, actor=team_member, caller_ids=[ada.caller_id, bob.caller_id], body="Running late"
    )
    frame = await dashboard.receive_json_from(timeout=FRAME)
    assert (frame["type"], frame["sender"]) == ("counts", "clinic")
    assert frame["at"]
    assert sorted(frame["counts"]) == [
        [ada.caller_id, versions[ada.caller_id] + 1, 1],
        [bob.caller_id, versions[bob.caller_id] + 1, 1],
    ]

    # The caller answers: the whole card, with the badge turned to the caller.
    await database_sync_to_async(do_send_caller_message)(ada.caller_id, body="Thanks")
    (card,) = (await callers_frame(dashboard))["cards"]
    assert (card["id"], card["message_count"], card["last_message_from"]) == (ada.caller_id, 2, "caller")


async def test_counts_reach_only_the_clinics_dashboards(sockets, clinic, other_clinic, team_member, outsider):
    ada = await enter(clinic, "Ada Lovelace")
    ours, _ = await sockets.dashboard(team_member, clinic.slug)
    theirs, _ = await sockets.dashboard(outsider, other_clinic.slug)
    await database_sync_to_async(do_notify)(clinic, actor=team_member, caller_ids=[ada.caller_id], body="One")
    (count,) = (await ours.receive_json_from(timeout=FRAME))["counts"]
    assert count[0] == ada.caller_id
    assert await theirs.receive_nothing(timeout=QUIET)


async def test_it_tells_every_dashboard_of_the_clinic(sockets, clinic, team_member, clinic_admin):
    lee, _ = await sockets.dashboard(team_member, clinic.slug)
    alex, _ = await sockets.dashboard(clinic_admin, clinic.slug)
    ada = await enter(clinic)
    for dashboard in (lee, alex):
        assert [c["id"] for c in (await callers_frame(dashboard))["cards"]] == [ada.caller_id]


async def test_it_refuses_an_anonymous_socket(sockets, clinic):
    await enter(clinic, "Ada Lovelace")
    dashboard = sockets.socket(protocol.dashboard_path(clinic.slug))
    connected, _ = await dashboard.connect(timeout=FRAME)
    assert connected
    assert await closed_with(dashboard) == CLOSE_NOT_SIGNED_IN

    await enter(clinic, "Bob Marley")
    assert await dashboard.receive_nothing(timeout=QUIET)


async def test_it_refuses_a_callers_session(sockets, clinic):
    ada = await enter(clinic, "Ada Lovelace")
    dashboard = sockets.socket(protocol.dashboard_path(clinic.slug), ada.cookie)
    assert (await dashboard.connect(timeout=FRAME))[0]
    assert await closed_with(dashboard) == CLOSE_NOT_SIGNED_IN


async def test_it_refuses_staff_of_another_clinic(sockets, clinic, outsider):
    await enter(clinic, "Ada Lovelace")
    dashboard = sockets.socket(protocol.dashboard_path(clinic.slug), await staff_cookie(outsider))
    assert (await dashboard.connect(timeout=FRAME))[0]
    # Closed before anything of the clinic is sent: no snapshot, no name.
    assert await closed_with(dashboard) == CLOSE_NO_VISIT

    bob = await enter(clinic, "Bob Marley")
    await database_sync_to_async(do_see_caller)(bob.caller_id, actor=None)
    assert await dashboard.receive_nothing(timeout=QUIET)


async def test_it_refuses_a_clinic_that_does_not_exist(sockets, team_member):
    dashboard = sockets.socket(protocol.dashboard_path("no-such-clinic"), await staff_cookie(team_member))
    assert (await dashboard.connect(timeout=FRAME))[0]
    assert await closed_with(dashboard) == CLOSE_NO_VISIT


async def test_it_does_not_lose_a_change_made_while_the_snapshot_loads(sockets, clinic, team_member, monkeypatch):
    """Subscribe, then snapshot: an arrival committed after the snapshot was
    read, before a dashboard that snapshotted first would have subscribed."""
    await enter(clinic, "Ada Lovelace")
    opened = snapshots.dashboard_opened

    def snapshot_then_arrival(clinic_id, user):
        loaded = opened(clinic_id, user)
        do_enter_waiting_area(clinic, name="Late Larry")
        return loaded

    monkeypatch.setattr(snapshots, "dashboard_opened", snapshot_then_arrival)
    dashboard, loaded = await sockets.dashboard(team_member, clinic.slug)

    assert [c["name"] for c in loaded["cards"]] == ["Ada Lovelace"]
    assert [c["name"] for c in (await callers_frame(dashboard))["cards"]] == ["Late Larry"]


async def test_it_gives_a_reconnecting_dashboard_a_fresh_snapshot(sockets, clinic, team_member):
    ada = await enter(clinic, "Ada Lovelace")
    dashboard, _ = await sockets.dashboard(team_member, clinic.slug)
    await dashboard.disconnect()

    # Missed while the dashboard was away:
    await database_sync_to_async(do_see_caller)(ada.caller_id, actor=team_member)
    await enter(clinic, "Bob Marley")

    _, snapshot = await sockets.dashboard(team_member, clinic.slug)
    assert [(c["name"], c["status"]) for c in snapshot["cards"]] == [
        ("Ada Lovelace", "being_seen"),
        ("Bob Marley", "waiting"),
    ]


async def test_it_tells_the_dashboard_about_a_configuration_change(sockets, clinic, clinic_admin, team_member):
    dashboard, snapshot = await sockets.dashboard(team_member, clinic.slug)
    assert snapshot["clinic"]["guest_messaging"] is False
    await database_sync_to_async(do_change_configuration)(clinic.pk, actor=clinic_admin, guest_messaging_enabled=True)
    frame = await dashboard.receive_json_from(timeout=FRAME)
    assert frame["type"] == "clinic" and frame["clinic"]["guest_messaging"] is True
