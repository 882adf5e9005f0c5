"""The device check's report (issue 13, item 1): the caller's page says whether
the camera and microphone are ready; the clinic sees it on the caller's card.
Only the page's own visit changes, only with the known values, and not in floods."""

import pytest
from channels.db import database_sync_to_async

from testkit.sockets import FRAME, QUIET, caller, callers_frame, enter, leave
from waitroom.errors import ActionError
from waiting.actions import do_report_devices

pytestmark = pytest.mark.django_db(transaction=True)


def devices(camera="ready", microphone="ready", **extra):
    return {"type": "devices", "camera": camera, "microphone": microphone, **extra}


async def error_code(page):
    frame = await page.receive_json_from(timeout=FRAME)
    assert frame["type"] == "error", frame
    return frame["code"]


async def test_it_shows_the_callers_devices_on_their_card(sockets, clinic, team_member):
    visit = await enter(clinic, "Ada Lovelace")
    page, _ = await sockets.caller(visit)
    dashboard, snapshot = await sockets.dashboard(team_member, clinic.slug)
    assert (snapshot["cards"][0]["camera"], snapshot["cards"][0]["microphone"]) == ("unknown", "unknown")

    await page.send_json_to(devices(camera="ready", microphone="blocked"))
    (card,) = (await callers_frame(dashboard))["cards"]
    assert (card["id"], card["camera"], card["microphone"]) == (visit.caller_id, "ready", "blocked")
    stored = await caller(visit.caller_id)
    assert (stored.camera, stored.microphone) == ("ready", "blocked")

    # A dashboard opened later reads it from the database.
    _, later = await sockets.dashboard(team_member, clinic.slug)
    assert later["cards"][0]["microphone"] == "blocked"


async def test_the_same_report_again_announces_nothing(sockets, clinic, team_member):
    visit = await enter(clinic)
    page, _ = await sockets.caller(visit)
    dashboard, _ = await sockets.dashboard(team_member, clinic.slug)
    await page.send_json_to(devices())
    version = (await callers_frame(dashboard))["cards"][0]["version"]
    await page.send_json_to(devices())
    assert await dashboard.receive_nothing(timeout=QUIET)
    assert (await caller(visit.caller_id)).version == version


@pytest.mark.parametrize(
    "frame",
    [
        devices(camera="on"),
        devices(microphone=""),
        devices(camera=None),
        devices(camera=1),
        devices(camera=["ready"]),
        devices(camera="READY"),
        devices(camera="ready\ud800"),
        devices(extra="x"),
        {"type": "devices", "camera": "ready"},
        {"type": "devices"},
    ],
)
async def test_it_refuses_anything_but_the_known_values(sockets, clinic, team_member, frame):
    visit = await enter(clinic)
    page, _ = await sockets.caller(visit)
    dashboard, _ = await sockets.dashboard(team_member, clinic.slug)
    await page.send_json_to(frame)
    assert await error_code(page) == "invalid"
    assert await dashboard.receive_nothing(timeout=QUIET)
    stored = await caller(visit.caller_id)
    assert (stored.camera, stored.microphone, stored.version) == ("unknown", "unknown", 1)
    # The page is still served.
    await page.send_json_to(devices(camera="missing"))
    assert (await callers_frame(dashboard))["cards"][0]["camera"] == "missing"


async def test_it_refuses_a_flood(sockets, clinic):
    visit = await enter(clinic)
    page, _ = await sockets.caller(visit)
    states = ["ready", "blocked", "missing", "in_use", "unknown"] * 3
    for state in states:
        await page.send_json_to(devices(camera=state))
    codes = []
    while not await page.receive_nothing(timeout=QUIET):
        codes.append((await page.receive_json_from(timeout=FRAME))["code"])
    assert codes and set(codes) == {"rate_limited"}
    stored = await caller(visit.caller_id)
    # Only the allowance was stored: five reports, the fifth value is what stays.
    assert stored.camera == states[4] and stored.version == 6


async def test_a_page_reports_for_its_own_visit_only(sockets, clinic, other_clinic, team_member, outsider):
    mine, other = await enter(clinic, "Ada Lovelace"), await enter(clinic, "Bob Stone")
    page, _ = await sockets.caller(mine)
    ours, _ = await sockets.dashboard(team_member, clinic.slug)
    theirs, _ = await sockets.dashboard(outsider, other_clinic.slug)
    # A frame cannot name another visit: the extra field is refused, nothing else is read.
    await page.send_json_to(devices(camera="blocked", caller=other.caller_id))
    assert await error_code(page) == "invalid"
    await page.send_json_to(devices(camera="blocked"))
    (card,) = (await callers_frame(ours))["cards"]
    assert card["id"] == mine.caller_id
    assert (await caller(other.caller_id)).camera == "unknown"
    # Another clinic's staff hear nothing of it.
    assert await theirs.receive_nothing(timeout=QUIET)


async def test_staff_call_pages_have_no_devices_frame(sockets, clinic, team_member):
    dashboard, _ = await sockets.dashboard(team_member, clinic.slug)
    await dashboard.send_json_to(devices())
    assert await error_code(dashboard) == "unknown_type"


async def test_an_ended_visit_reports_nothing(clinic):
    visit = await enter(clinic)
    await leave(visit)
    with pytest.raises(ActionError) as e:
        await database_sync_to_async(do_report_devices)(visit.caller_id, camera="ready", microphone="ready")
    assert e.value.code == "visit_ended"
    assert (await caller(visit.caller_id)).camera == "unknown"
