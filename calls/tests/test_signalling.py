"""A call's signalling: the team member's call socket and the caller's page
pass WebRTC offers, answers and candidates to each other — only between
participants of the same open call, only in the shapes WebRTC makes, and not
in floods (issue 3, item 2). The pages also follow who is in the call."""

import json
from types import SimpleNamespace

import pytest
from channels.db import database_sync_to_async

from calls.actions import do_disconnect, do_end_call, do_hold, do_join_call, do_leave_call
from calls.models import Participant
from calls.signalling import SDP_MAX
from realtime import limits
from realtime.consumers import CLOSE_NO_VISIT, CLOSE_NOT_SIGNED_IN
from testkit import protocol
from testkit.sockets import FRAME, QUIET, closed_with, enter, frames_until_close, staff_cookie

pytestmark = pytest.mark.django_db(transaction=True)

join = database_sync_to_async(do_join_call)

OFFER = {"kind": "offer", "session": "a1b2", "sdp": "v=0\r\no=- 4611 2 IN IP4 127.0.0.1\r\ns=-\r\n"}
ANSWER = {"kind": "answer", "session": "c3d4", "sdp": "v=0\r\no=- 7342 2 IN IP4 127.0.0.1\r\ns=-\r\n"}
CANDIDATE = {
    "candidate": "candidate:842163049 1 udp 1677729535 192.0.2.7 54400 typ srflx raddr 0.0.0.0 rport 0",
    "sdpMid": "0",
    "sdpMLineIndex": 0,
    "usernameFragment": "EsTH",
}


async def next_frame(socket, type):
    frame = await socket.receive_json_from(timeout=FRAME)
    assert frame["type"] == type, frame
    return frame


def seat_id(user, call):
    return database_sync_to_async(lambda: Participant.objects.get(call=call, user=user, left_at=None).pk)()


def caller_seat_id(call):
    return database_sync_to_async(lambda: Participant.objects.get(call=call, is_caller=True).pk)()


def call_socket(sockets, cookie, slug, call_id):
    return sockets.socket(protocol.call_path(slug, call_id), cookie)


async def open_call_page(sockets, user, call, slug="sunrise"):
    """A team member's call page: connects and returns (socket, hello)."""
    page = call_socket(sockets, await staff_cookie(user), slug, call.pk)
    connected, _ = await page.connect(timeout=FRAME)
    assert connected
    hello = await next_frame(page, "hello")
    # The page's own arrival is announced to the call's pages, itself included.
    assert (await next_frame(page, "call"))["call"] == hello["call"]
    return page, hello


async def a_call(sockets, clinic, user, name="Ada Lovelace"):
    """A caller on their page in a call with `user`, whose call page is open."""
    visit = await enter(clinic, name)
    page, _ = await sockets.caller(visit)
    call, seat = await join(visit.caller_id, actor=user)
    assert (await next_frame(page, "visit"))["visit"]["status"] == "being_seen"
    await next_frame(page, "call")
    staff, hello = await open_call_page(sockets, user, call)
    await next_frame(page, "call")  # the team member's page is connected
    return SimpleNamespace(
        visit=visit, call=call, page=page, staff=staff, hello=hello, me=seat.pk, caller=await caller_seat_id(call)
    )


def signal(to, body):
    return {"type": "signal", "to": to, "signal": body}


async def error_code(socket):
    frame = await next_frame(socket, "error")
    assert frame["message"]
    return frame["code"]


async def still_served(socket):
    await socket.send_json_to({"type": "heartbeat"})
    assert await socket.receive_json_from(timeout=FRAME) == {"type": "heartbeat"}


def who(call_state):
    return [(p["name"], p["online"]) for p in call_state["participants"]]


# The call socket's hello -------------------------------------------------------


async def test_it_works(sockets, clinic, team_member, settings):
    settings.WAITROOM_ICE_SERVERS = [
        {"urls": "stun:stun.sunrise.test:3478"},
        {"urls": ["turn:turn.sunrise.test:3478"], "username": "u", "credential": "p"},
    ]
    c = await a_call(sockets, clinic, team_member)

    assert c.hello["me"] == c.me
    assert c.hello["ice_servers"] == settings.WAITROOM_ICE_SERVERS
    assert c.hello["heartbeat_seconds"] > 0
    state = c.hello["call"]
    assert (state["id"], state["open"], state["on_hold"]) == (c.call.pk, True, False)
    assert [(p["id"], p["is_caller"], p["name"], p["online"]) for p in state["participants"]] == [
        (c.caller, True, "Ada Lovelace", True),
        (c.me, False, "Dr Lee", True),
    ]


async def test_the_callers_page_says_hello_with_the_call(sockets, clinic, team_member):
    c = await a_call(sockets, clinic, team_member)
    await c.page.disconnect()
    await next_frame(c.staff, "call")

    _, hello = await sockets.caller(c.visit)
    assert hello["me"] == c.caller
    assert hello["call"]["id"] == c.call.pk
    assert who(hello["call"]) == [("Ada Lovelace", True), ("Dr Lee", True)]


# Signals between participants ---------------------------------------------------


async def test_a_signal_reaches_the_caller_and_back(sockets, clinic, team_member):
    c = await a_call(sockets, clinic, team_member)

    await c.staff.send_json_to(signal(c.caller, OFFER))
    assert await next_frame(c.page, "signal") == {"type": "signal", "from": c.me, "signal": OFFER}

    await c.page.send_json_to(signal(c.me, ANSWER))
    assert await next_frame(c.staff, "signal") == {"type": "signal", "from": c.caller, "signal": ANSWER}

    # A candidate goes as WebRTC made it, and nothing else goes with it.
    sent = {"kind": "candidate", "session": "c3d4", "candidate": CANDIDATE | {"note": "x" * 100}, "extra": 1}
    await c.page.send_json_to(signal(c.me, sent))
    received = await next_frame(c.staff, "signal")
    assert received["signal"] == {"kind": "candidate", "session": "c3d4", "candidate": CANDIDATE}
    # The end of the candidates.
    await c.page.send_json_to(signal(c.me, {"kind": "candidate", "session": "c3d4", "candidate": None}))
    assert (await next_frame(c.staff, "signal"))["signal"]["candidate"] is None

    assert await c.page.receive_nothing(timeout=QUIET)
    assert await c.staff.receive_nothing(timeout=QUIET)


async def test_a_signal_reaches_another_team_member(sockets, clinic, team_member, clinic_admin):
    c = await a_call(sockets, clinic, team_member)
    await join(c.visit.caller_id, actor=clinic_admin)
    await next_frame(c.staff, "call")
    alex, hello = await open_call_page(sockets, clinic_admin, c.call)
    await next_frame(c.staff, "call")

    await alex.send_json_to(signal(c.me, OFFER))
    assert await next_frame(c.staff, "signal") == {"type": "signal", "from": hello["me"], "signal": OFFER}


# Who may signal ----------------------------------------------------------------


async def test_it_refuses_a_team_member_who_is_not_in_the_call(sockets, clinic, team_member, clinic_admin):
    c = await a_call(sockets, clinic, team_member)
    alex = call_socket(sockets, await staff_cookie(clinic_admin), "sunrise", c.call.pk)
    assert (await alex.connect(timeout=FRAME))[0]
    assert await closed_with(alex) == CLOSE_NO_VISIT
    # Nothing of the call reached Alex, and the call goes on without him.
    assert await c.page.receive_nothing(timeout=QUIET)
    await still_served(c.staff)


async def test_it_refuses_staff_of_another_clinic(sockets, clinic, other_clinic, team_member, outsider):
    c = await a_call(sockets, clinic, team_member)
    cookie = await staff_cookie(outsider)
    for slug in ("sunrise", "harbour"):
        olli = call_socket(sockets, cookie, slug, c.call.pk)
        assert (await olli.connect(timeout=FRAME))[0]
        assert await closed_with(olli) == CLOSE_NO_VISIT
    assert await c.page.receive_nothing(timeout=QUIET)


async def test_it_refuses_a_visitor_who_is_not_signed_in(sockets, clinic, team_member):
    c = await a_call(sockets, clinic, team_member)
    # Not even the caller's own session opens the staff side of the call.
    for cookie in (None, c.visit.cookie):
        stranger = call_socket(sockets, cookie, "sunrise", c.call.pk)
        assert (await stranger.connect(timeout=FRAME))[0]
        assert await closed_with(stranger) == CLOSE_NOT_SIGNED_IN


async def test_it_refuses_a_call_that_has_ended_or_was_left(sockets, clinic, team_member, clinic_admin):
    c = await a_call(sockets, clinic, team_member)
    await join(c.visit.caller_id, actor=clinic_admin)
    await database_sync_to_async(do_leave_call)(c.call.pk, actor=clinic_admin)
    alex = call_socket(sockets, await staff_cookie(clinic_admin), "sunrise", c.call.pk)
    assert (await alex.connect(timeout=FRAME))[0]
    assert await closed_with(alex) == CLOSE_NO_VISIT

    await database_sync_to_async(do_leave_call)(c.call.pk, actor=team_member, then="wait")
    lee = call_socket(sockets, await staff_cookie(team_member), "sunrise", c.call.pk)
    assert (await lee.connect(timeout=FRAME))[0]
    assert await closed_with(lee) == CLOSE_NO_VISIT


async def test_it_refuses_a_signal_to_a_participant_of_another_call(sockets, clinic, team_member, clinic_admin):
    ada = await a_call(sockets, clinic, team_member, "Ada Lovelace")
    bob = await a_call(sockets, clinic, clinic_admin, "Bob Marley")

    for to in (bob.caller, bob.me):
        await ada.staff.send_json_to(signal(to, OFFER))
        assert await error_code(ada.staff) == "not_in_call"
    await ada.page.send_json_to(signal(bob.me, ANSWER))
    assert await error_code(ada.page) == "not_in_call"

    for socket in (bob.page, bob.staff, ada.page, ada.staff):
        assert await socket.receive_nothing(timeout=QUIET)


@pytest.mark.parametrize("to, code", [(None, "bad_signal"), ("1", "bad_signal"), (True, "bad_signal"),
                                      (1.5, "bad_signal"), (10**9, "not_in_call")])
async def test_it_refuses_a_signal_to_nobody(sockets, clinic, team_member, to, code):
    c = await a_call(sockets, clinic, team_member)
    await c.staff.send_json_to(signal(to, OFFER))
    assert await error_code(c.staff) == code
    assert await c.page.receive_nothing(timeout=QUIET)


async def test_it_refuses_a_signal_to_oneself(sockets, clinic, team_member):
    c = await a_call(sockets, clinic, team_member)
    await c.staff.send_json_to(signal(c.me, OFFER))
    assert await error_code(c.staff) == "bad_signal"
    await c.page.send_json_to(signal(c.caller, OFFER))
    assert await error_code(c.page) == "bad_signal"
    assert await c.staff.receive_nothing(timeout=QUIET)
    assert await c.page.receive_nothing(timeout=QUIET)


async def test_it_refuses_a_signal_to_one_who_left(sockets, clinic, team_member, clinic_admin):
    c = await a_call(sockets, clinic, team_member)
    _, alex = await join(c.visit.caller_id, actor=clinic_admin)
    await database_sync_to_async(do_leave_call)(c.call.pk, actor=clinic_admin)
    await next_frame(c.page, "call")
    await next_frame(c.page, "call")
    await c.page.send_json_to(signal(alex.pk, ANSWER))
    assert await error_code(c.page) == "not_in_call"


async def test_a_caller_not_in_a_call_cannot_signal(sockets, clinic, team_member):
    ada = await enter(clinic)
    page, _ = await sockets.caller(ada)
    await page.send_json_to(signal(1, OFFER))
    assert await error_code(page) == "not_in_call"

    # Nor after the call ended with the caller on hold.
    call, seat = await join(ada.caller_id, actor=team_member)
    await database_sync_to_async(do_hold)(call.pk, actor=team_member)
    await database_sync_to_async(do_leave_call)(call.pk, actor=team_member)
    frames = [await page.receive_json_from(timeout=FRAME) for _ in range(5)]
    # Joined (being seen, in the call), held (on hold, held), left (out of the call).
    assert [f["type"] for f in frames] == ["visit", "call", "visit", "call", "call"]
    assert frames[-1]["call"]["open"] is False
    await page.send_json_to(signal(seat.pk, ANSWER))
    assert await error_code(page) == "not_in_call"


# What a signal may be --------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "offer",
        None,
        ["offer"],
        {"kind": "hello", "session": "a1b2", "sdp": "v=0"},
        {"kind": "offer", "sdp": "v=0"},  # no session
        {"kind": "offer", "session": "s" * 33, "sdp": "v=0"},
        {"kind": "offer", "session": "a1b2"},  # no sdp
        {"kind": "answer", "session": "a1b2", "sdp": {"type": "answer"}},
        {"kind": "offer", "session": "a1b2", "sdp": "v" * (SDP_MAX + 1)},
        {"kind": "candidate", "session": "a1b2", "candidate": "candidate:1 1 udp 1 192.0.2.7 1 typ host"},
        {"kind": "candidate", "session": "a1b2", "candidate": [CANDIDATE]},
        {"kind": "candidate", "session": "a1b2", "candidate": CANDIDATE | {"candidate": 42}},
        {"kind": "candidate", "session": "a1b2", "candidate": CANDIDATE | {"candidate": "c" * 1001}},
        {"kind": "candidate", "session": "a1b2", "candidate": CANDIDATE | {"sdpMLineIndex": "0"}},
        {"kind": "candidate", "session": "a1b2", "candidate": CANDIDATE | {"sdpMLineIndex": True}},
        {"kind": "candidate", "session": "a1b2", "candidate": CANDIDATE | {"sdpMLineIndex": 64}},
        {"kind": "candidate", "session": "a1b2", "candidate": CANDIDATE | {"sdpMid": ["0"]}},
    ],
)
async def test_it_refuses_a_malformed_signal(sockets, clinic, team_member, body):
    c = await a_call(sockets, clinic, team_member)
    await c.staff.send_json_to(signal(c.caller, body))
    assert await error_code(c.staff) == "bad_signal"
    assert await c.page.receive_nothing(timeout=QUIET)
    await still_served(c.staff)


async def test_it_takes_an_offer_of_the_largest_size(sockets, clinic, team_member):
    c = await a_call(sockets, clinic, team_member)
    big = OFFER | {"sdp": "v" * SDP_MAX}
    await c.staff.send_json_to(signal(c.caller, big))
    assert (await next_frame(c.page, "signal"))["signal"] == big


async def test_it_refuses_a_malformed_signal_from_the_caller(sockets, clinic, team_member):
    c = await a_call(sockets, clinic, team_member)
    await c.page.send_json_to(signal(c.me, {"kind": "offer", "session": "a1b2", "sdp": "v" * (SDP_MAX + 1)}))
    assert await error_code(c.page) == "bad_signal"
    assert await c.staff.receive_nothing(timeout=QUIET)


# Floods ---------------------------------------------------------------------------


@pytest.fixture
def frozen_clock(monkeypatch):
    """The rate limits' clock stands still: no tokens come back while a test
    floods, however slowly the machine runs."""
    monkeypatch.setattr(limits, "time", SimpleNamespace(monotonic=lambda: 1000.0, time=lambda: 1000.0))


@pytest.mark.parametrize("side", ["staff", "caller"])
async def test_it_limits_a_flood_of_signals(sockets, clinic, team_member, frozen_clock, side):
    c = await a_call(sockets, clinic, team_member)
    sender, receiver, to = (c.staff, c.page, c.caller) if side == "staff" else (c.page, c.staff, c.me)
    burst = 80  # signals a page may send at once (an offer brings a burst of candidates)
    candidate = {"kind": "candidate", "session": "a1b2", "candidate": CANDIDATE}
    for _ in range(burst + 10):
        await sender.send_json_to(signal(to, candidate))

    for _ in range(burst):
        assert (await next_frame(receiver, "signal"))["from"] in (c.me, c.caller)
    assert await receiver.receive_nothing(timeout=QUIET)
    codes = [await error_code(sender) for _ in range(10)]
    assert codes == ["rate_limited"] * 10
    await still_served(sender)


# The pages follow the call ----------------------------------------------------------


async def test_the_callers_page_follows_who_is_in_the_call(sockets, clinic, team_member, clinic_admin):
    c = await a_call(sockets, clinic, team_member)

    await join(c.visit.caller_id, actor=clinic_admin)
    state = (await next_frame(c.page, "call"))["call"]
    assert who(state) == [("Ada Lovelace", True), ("Dr Lee", True), ("Alex", False)]

    alex, _ = await open_call_page(sockets, clinic_admin, c.call)
    assert who((await next_frame(c.page, "call"))["call"])[2] == ("Alex", True)

    await alex.disconnect()  # Alex's page goes away (a refresh, a network blip)
    assert who((await next_frame(c.page, "call"))["call"])[2] == ("Alex", False)

    alex, _ = await open_call_page(sockets, clinic_admin, c.call)
    assert who((await next_frame(c.page, "call"))["call"])[2] == ("Alex", True)

    await database_sync_to_async(do_leave_call)(c.call.pk, actor=clinic_admin)
    state = (await next_frame(c.page, "call"))["call"]
    assert state["open"] is True
    assert who(state) == [("Ada Lovelace", True), ("Dr Lee", True)]


async def test_the_call_page_sees_the_callers_page_go_and_come_back(sockets, clinic, team_member):
    c = await a_call(sockets, clinic, team_member)

    await c.page.disconnect()
    assert who((await next_frame(c.staff, "call"))["call"]) == [("Ada Lovelace", False), ("Dr Lee", True)]

    page, _ = await sockets.caller(c.visit)
    assert who((await next_frame(c.staff, "call"))["call"]) == [("Ada Lovelace", True), ("Dr Lee", True)]
    await next_frame(page, "call")  # the page's own return, announced to the call
    # The new page carries the call's signals.
    await c.staff.send_json_to(signal(c.caller, OFFER))
    assert (await next_frame(page, "signal"))["signal"] == OFFER


async def test_the_call_page_sees_hold_and_resume(sockets, clinic, team_member):
    c = await a_call(sockets, clinic, team_member)
    await database_sync_to_async(do_hold)(c.call.pk, actor=team_member)
    assert (await next_frame(c.staff, "call"))["call"]["on_hold"] is True
    assert (await next_frame(c.page, "visit"))["visit"]["status"] == "on_hold"
    assert (await next_frame(c.page, "call"))["call"]["on_hold"] is True


async def test_the_call_socket_closes_when_its_team_member_leaves(sockets, clinic, team_member, clinic_admin):
    c = await a_call(sockets, clinic, team_member)
    await join(c.visit.caller_id, actor=clinic_admin)
    await next_frame(c.staff, "call")
    alex, _ = await open_call_page(sockets, clinic_admin, c.call)
    await next_frame(c.staff, "call")

    await database_sync_to_async(do_leave_call)(c.call.pk, actor=clinic_admin)

    frames, code = await frames_until_close(alex)
    assert [json.loads(f)["type"] for f in frames] == ["call"]
    assert code == CLOSE_NO_VISIT
    # Dr Lee stays, and is told Alex left.
    assert who((await next_frame(c.staff, "call"))["call"]) == [("Ada Lovelace", True), ("Dr Lee", True)]
    await still_served(c.staff)


async def test_the_call_socket_closes_when_its_team_member_is_disconnected(
    sockets, clinic, team_member, clinic_admin
):
    c = await a_call(sockets, clinic, team_member)
    _, seat = await join(c.visit.caller_id, actor=clinic_admin)
    await next_frame(c.staff, "call")
    alex, _ = await open_call_page(sockets, clinic_admin, c.call)
    await next_frame(c.staff, "call")

    await database_sync_to_async(do_disconnect)(c.call.pk, seat.pk, actor=team_member)

    _, code = await frames_until_close(alex)
    assert code == CLOSE_NO_VISIT
    assert who((await next_frame(c.staff, "call"))["call"]) == [("Ada Lovelace", True), ("Dr Lee", True)]
    await still_served(c.staff)


async def test_the_call_sockets_close_when_the_call_ends(sockets, clinic, team_member, clinic_admin):
    c = await a_call(sockets, clinic, team_member)
    await join(c.visit.caller_id, actor=clinic_admin)
    await next_frame(c.staff, "call")
    alex, _ = await open_call_page(sockets, clinic_admin, c.call)
    await next_frame(c.staff, "call")

    await database_sync_to_async(do_end_call)(c.call.pk, actor=team_member)

    for socket in (c.staff, alex):
        frames, code = await frames_until_close(socket)
        assert json.loads(frames[-1])["call"]["open"] is False
        assert code == CLOSE_NO_VISIT
    frames, code = await frames_until_close(c.page)
    visit = [f["visit"] for f in map(json.loads, frames) if f["type"] == "visit"][-1]
    assert (visit["present"], visit["leave_reason"], code) == (False, "ended", CLOSE_NO_VISIT)


async def test_the_call_socket_closes_when_the_caller_is_put_on_hold_and_left(sockets, clinic, team_member):
    c = await a_call(sockets, clinic, team_member)
    await database_sync_to_async(do_leave_call)(c.call.pk, actor=team_member, then="hold")

    frames, code = await frames_until_close(c.staff)
    assert json.loads(frames[-1])["call"]["open"] is False and code == CLOSE_NO_VISIT
    # The caller's page stays: on hold, out of the call.
    assert (await next_frame(c.page, "visit"))["visit"]["status"] == "on_hold"
    assert (await next_frame(c.page, "call"))["call"]["open"] is False
    await still_served(c.page)
