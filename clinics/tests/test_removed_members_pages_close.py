"""A member removed on the team page: their open dashboard of the clinic
closes at once (accounts/sessions/ending.py announces the deleted membership);
their pages of another clinic stay."""

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.test import Client

from calls.tests.helpers import also_member_of
from realtime.consumers import CLOSE_NO_VISIT
from testkit import protocol
from testkit.sockets import FRAME, QUIET, frames_until_close

from .team_helpers import team_url

pytestmark = pytest.mark.django_db(transaction=True)


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client, client.cookies[protocol.SESSION_COOKIE].value


async def open_dashboard(sockets, cookie, slug):
    page = sockets.socket(protocol.dashboard_path(slug), cookie)
    connected, _ = await page.connect(timeout=FRAME)
    assert connected
    assert (await page.receive_json_from(timeout=FRAME))["type"] == "snapshot"
    return page


async def test_a_removed_members_dashboard_closes_at_once(sockets, clinic, other_clinic, clinic_admin, team_member):
    await database_sync_to_async(also_member_of)(other_clinic, team_member)
    _, cookie = await sync_to_async(signed_in)(team_member)
    admin, _ = await sync_to_async(signed_in)(clinic_admin)
    sunrise = await open_dashboard(sockets, cookie, "sunrise")
    harbour = await open_dashboard(sockets, cookie, "harbour")

    response = await sync_to_async(admin.post)(team_url(clinic, f"members/{team_member.pk}/remove/"))
    assert response.status_code == 302

    _, code = await frames_until_close(sunrise, FRAME)
    assert code == CLOSE_NO_VISIT
    assert await harbour.receive_nothing(timeout=QUIET)
