"""A caller's page follows its place in the queue live: told on connect,
moved when a caller ahead leaves the queue or comes back into it, never
moved by a caller behind or by another clinic, corrected by the periodic
check when an announcement was lost, and told nothing when the clinic shows
no queue."""

import pytest
from channels.db import database_sync_to_async

from clinics.actions import do_change_configuration
from clinics.models import Clinic
from realtime import events
from realtime.watchdog import watchdog
from testkit.sockets import FRAME, QUIET, enter
from waiting.actions import do_leave_waiting_area, do_return_to_waiting, do_see_caller, do_transfer_caller
from waiting.queue_page import queue_check

pytestmark = pytest.mark.django_db(transaction=True)

see = database_sync_to_async(do_see_caller)


@database_sync_to_async
def show_queue(clinic, on=True):
    Clinic.objects.filter(pk=clinic.pk).update(show_queue_position=on)
    clinic.refresh_from_db()


async def queue_frame(page):
    frame = await page.receive_json_from(timeout=FRAME)
    assert frame["type"] == "queue", frame
    return frame["queue"]


async def three_waiting(sockets, clinic):
    """Ann, Ben and Cy wait in that order, each with their page open."""
    visits = [await enter(clinic, name) for name in ("Ann Able", "Ben Baker", "Cy Clark")]
    pages = []
    for visit in visits:
        page, hello = await sockets.caller(visit)
        pages.append((page, hello))
    return visits, pages


async def test_the_hello_tells_each_page_its_place(sockets, clinic):
    await show_queue(clinic)
    _, pages = await three_waiting(sockets, clinic)
    assert [hello["queue"] for _, hello in pages] == [
        {"position": 1, "wait": None},  # no expected wait: the clinic shows none (and has no data)
        {"position": 2, "wait": None},
        {"position": 3, "wait": None},
    ]


async def test_a_page_moves_up_when_the_caller_ahead_is_seen_and_pages_ahead_hear_nothing(sockets, clinic, team_member):
    await show_queue(clinic)
    (ann, ben, cy), [(ann_page, _), (ben_page, _), (cy_page, _)] = await three_waiting(sockets, clinic)

    await see(ben.caller_id, actor=team_member)

    assert await queue_frame(cy_page) == {"position": 2, "wait": None}
    assert await ann_page.receive_nothing(timeout=QUIET)  # ahead of Ben: unchanged, nothing sent
    # Ben's own page: their status, and no place while they are seen.
    assert (await ben_page.receive_json_from(timeout=FRAME))["type"] == "visit"
    assert await queue_frame(ben_page) == {"position": None, "wait": None}

    # Ben returns to waiting: his place by his arrival, ahead of Cy again.
    await database_sync_to_async(do_return_to_waiting)(ben.caller_id, actor=team_member)
    assert (await ben_page.receive_json_from(timeout=FRAME))["type"] == "visit"
    assert await queue_frame(ben_page) == {"position": 2, "wait": None}
    assert await queue_frame(cy_page) == {"position": 3, "wait": None}
    assert await ann_page.receive_nothing(timeout=QUIET)

    # Ann leaves: both behind her move up.
    await database_sync_to_async(do_leave_waiting_area)(ann.caller_id)
    assert await queue_frame(ben_page) == {"position": 1, "wait": None}
    assert await queue_frame(cy_page) == {"position": 2, "wait": None}


async def test_nothing_about_the_queue_when_the_clinic_shows_none(sockets, clinic, team_member):
    (ann, _, _), [(_, ann_hello), (ben_page, ben_hello), (cy_page, _)] = await three_waiting(sockets, clinic)
    assert ann_hello["queue"] is None and ben_hello["queue"] is None
    await see(ann.caller_id, actor=team_member)
    assert await ben_page.receive_nothing(timeout=QUIET)
    assert await cy_page.receive_nothing(timeout=QUIET)


async def test_another_clinics_queue_never_reaches_the_page(sockets, clinic, other_clinic, outsider):
    await show_queue(clinic)
    await show_queue(other_clinic)
    ada = await enter(clinic, "Ada Lovelace")
    page, hello = await sockets.caller(ada)
    assert hello["queue"]["position"] == 1
    olga = await enter(other_clinic, "Olga Harbour")
    await enter(other_clinic, "Otto Harbour")
    await see(olga.caller_id, actor=outsider)
    await database_sync_to_async(do_leave_waiting_area)(olga.caller_id)
    assert await page.receive_nothing(timeout=QUIET)


async def test_a_transferred_caller_takes_their_place_in_the_other_clinics_queue(
    sockets, clinic, other_clinic, team_member
):
    await show_queue(clinic)
    await show_queue(other_clinic)
    otto = await enter(other_clinic, "Otto Harbour")
    ada = await enter(clinic, "Ada Lovelace")
    bea = await enter(other_clinic, "Bea Harbour")
    ada_page, _ = await sockets.caller(ada)
    otto_page, _ = await sockets.caller(otto)
    bea_page, bea_hello = await sockets.caller(bea)
    assert bea_hello["queue"]["position"] == 2

    await database_sync_to_async(do_transfer_caller)(ada.caller_id, other_clinic, actor=team_member)
    assert await queue_frame(bea_page) == {"position": 3, "wait": None}  # Ada came before Bea
    assert await otto_page.receive_nothing(timeout=QUIET)  # and after Otto
    frames = [await ada_page.receive_json_from(timeout=FRAME) for _ in range(3)]
    assert [f["type"] for f in frames] == ["clinic", "visit", "queue"]
    assert frames[2]["queue"] == {"position": 2, "wait": None}


async def test_the_expected_wait_moves_with_the_place(sockets, clinic, team_member, monkeypatch):
    await database_sync_to_async(Clinic.objects.filter(pk=clinic.pk).update)(
        show_queue_position=True, show_expected_wait=True
    )
    monkeypatch.setattr("waiting.queue.minutes_per_place", lambda clinic_id: 4.0)
    (ann, _, _), [_, (ben_page, ben_hello), _] = await three_waiting(sockets, clinic)
    assert ben_hello["queue"] == {"position": 2, "wait": [5, 10]}
    await see(ann.caller_id, actor=team_member)
    assert await queue_frame(ben_page) == {"position": 1, "wait": [0, 5]}


async def test_a_lost_announcement_is_corrected_by_the_check(sockets, clinic, team_member, monkeypatch, settings):
    await show_queue(clinic)
    (ann, _, _), [_, (ben_page, _), (cy_page, _)] = await three_waiting(sockets, clinic)
    monkeypatch.setattr(events, "publish_queue_moved", lambda *args: None)  # the layer drops it
    await see(ann.caller_id, actor=team_member)
    assert await cy_page.receive_nothing(timeout=QUIET)

    settings.WAITROOM_QUEUE_CHECK_SECONDS = 0
    await queue_check(list(watchdog.consumers))
    # Still off a second later (no announcement on its way): put right.
    assert await queue_frame(ben_page) == {"position": 1, "wait": None}
    assert await queue_frame(cy_page) == {"position": 2, "wait": None}


async def test_a_page_that_reconnects_is_told_its_exact_place(sockets, clinic, team_member, monkeypatch):
    await show_queue(clinic)
    (ann, _, cy), [_, _, (cy_page, _)] = await three_waiting(sockets, clinic)
    monkeypatch.setattr(events, "publish_queue_moved", lambda *args: None)
    await see(ann.caller_id, actor=team_member)
    await cy_page.disconnect()
    _, hello = await sockets.caller(cy)
    assert hello["queue"] == {"position": 2, "wait": None}


async def test_turning_the_queue_on_and_off_reaches_open_pages(sockets, clinic, clinic_admin):
    _, [(ann_page, ann_hello), (ben_page, _), _] = await three_waiting(sockets, clinic)
    assert ann_hello["queue"] is None
    change = database_sync_to_async(do_change_configuration)

    await change(clinic.pk, actor=clinic_admin, show_queue_position=True)
    assert (await ann_page.receive_json_from(timeout=FRAME))["type"] == "clinic"
    await queue_check(list(watchdog.consumers))  # the watchdog's next pass
    assert await queue_frame(ann_page) == {"position": 1, "wait": None}
    assert (await ben_page.receive_json_from(timeout=FRAME))["type"] == "clinic"
    assert await queue_frame(ben_page) == {"position": 2, "wait": None}

    await change(clinic.pk, actor=clinic_admin, show_queue_position=False)
    assert (await ann_page.receive_json_from(timeout=FRAME))["type"] == "clinic"
    await queue_check(list(watchdog.consumers))
    assert await queue_frame(ann_page) is None
