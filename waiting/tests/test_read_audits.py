"""Reading patient data leaves a record: opening the dashboard (every
caller's name, phone, date of birth) and a caller's activity. Who, which
clinic, which caller or how many — never what was read."""

import pytest
from channels.db import database_sync_to_async
from django.db.models import F

from audit.models import AuditEvent
from realtime.consumers import CLOSE_NO_VISIT, CLOSE_NOT_SIGNED_IN
from realtime.watchdog import watchdog
from testkit import protocol
from testkit.helpers import make_caller
from testkit.sockets import FRAME, closed_with, enter, staff_cookie
from waiting.consumers import DashboardConsumer
from waiting.models import Caller


def reads(action):
    return list(AuditEvent.objects.filter(action=action).values("clinic_id", "actor_id", "caller_id", "details"))


@pytest.mark.django_db(transaction=True)
class TestOpeningTheDashboard:
    async def test_it_is_recorded_with_who_and_how_many_callers(self, sockets, clinic, other_clinic, team_member):
        await enter(clinic, "Ada Lovelace", phone="+44 20 7946 0000")
        await enter(clinic, "Bob Marley")
        await enter(other_clinic, "Olga of Harbour")

        _, snapshot = await sockets.dashboard(team_member, clinic.slug)

        assert len(snapshot["cards"]) == 2
        assert await database_sync_to_async(reads)("dashboard.opened") == [
            {"clinic_id": clinic.pk, "actor_id": team_member.pk, "caller_id": None, "details": {"callers": 2}}
        ]

    async def test_each_opening_is_recorded(self, sockets, clinic, team_member):
        dashboard, _ = await sockets.dashboard(team_member, clinic.slug)
        await dashboard.disconnect()
        await sockets.dashboard(team_member, clinic.slug)  # a reload, or a reconnect after a lost network
        assert len(await database_sync_to_async(reads)("dashboard.opened")) == 2

    async def test_the_watchdogs_fresh_snapshot_of_an_open_dashboard_is_not(self, sockets, clinic, team_member):
        ada = await enter(clinic, "Ada Lovelace")
        dashboard, _ = await sockets.dashboard(team_member, clinic.slug)
        # A change whose announcement was lost (Redis restarting):
        await database_sync_to_async(Caller.objects.filter(pk=ada.caller_id).update)(version=F("version") + 1)
        [page] = [p for p in watchdog.consumers if isinstance(p, DashboardConsumer)]

        await page.check_cards()

        frame = await dashboard.receive_json_from(timeout=FRAME)
        assert frame["type"] == "snapshot"
        assert len(await database_sync_to_async(reads)("dashboard.opened")) == 1

    async def test_a_dashboard_refused_is_not_recorded(self, sockets, clinic, outsider):
        refused = sockets.socket(protocol.dashboard_path(clinic.slug), await staff_cookie(outsider))
        assert (await refused.connect(timeout=FRAME))[0]
        assert await closed_with(refused) == CLOSE_NO_VISIT
        signed_out = sockets.socket(protocol.dashboard_path(clinic.slug))
        assert (await signed_out.connect(timeout=FRAME))[0]
        assert await closed_with(signed_out) == CLOSE_NOT_SIGNED_IN
        assert await database_sync_to_async(reads)("dashboard.opened") == []


def test_reading_a_callers_activity_is_recorded(client, clinic, team_member):
    sue = make_caller(clinic)
    client.force_login(team_member)
    assert client.get(f"/clinics/sunrise/callers/{sue.pk}/activity/").status_code == 200
    assert reads("activity.read") == [
        {"clinic_id": clinic.pk, "actor_id": team_member.pk, "caller_id": sue.pk, "details": {}}
    ]
    # The record of the read is not part of the caller's activity.
    log = client.get(f"/clinics/sunrise/callers/{sue.pk}/activity/").json()
    assert [e["what"] for e in log["events"]] == ["Entered the waiting area"]


def test_the_activity_of_another_clinics_caller_is_not_read_nor_recorded(client, clinic, outsider):
    sue = make_caller(clinic)
    client.force_login(outsider)
    assert client.get(f"/clinics/sunrise/callers/{sue.pk}/activity/").status_code == 404
    assert client.get(f"/clinics/harbour/callers/{sue.pk}/activity/").status_code == 404
    assert reads("activity.read") == []
