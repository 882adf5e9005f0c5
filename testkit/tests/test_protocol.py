"""testkit speaks the server's protocol: its paths are the routing's, its
cookies open the sockets, the frames it sends are taken, and each socket's
first frame is the one it expects."""

import random

import pytest
from django.urls import resolve
from asgiref.sync import sync_to_async

from messaging.actions import do_notify
from testkit import inprocess, protocol
from testkit.sessions import caller_cookie, staff_cookie
from waiting.actions import do_enter_waiting_area
from calls.routing import call_socket_path
from waiting.routing import caller_socket_path, dashboard_socket_path
from waitroom import routing


def application():
    from waitroom.asgi import application  # after the settings fixture allowed "testserver"

    return application


def test_its_paths_are_the_routings():
    assert protocol.caller_path("demo") == caller_socket_path("demo")
    assert protocol.dashboard_path("demo") == dashboard_socket_path("demo")
    assert protocol.call_path("demo", 7) == call_socket_path("demo", 7)
    assert protocol.caller_path("demo", after=3) == "/ws/w/demo/?after=3"
    assert resolve(protocol.LOGOUT_PATH).url_name == "logout"
    for path, kind in ((protocol.caller_path("demo"), "caller"), (protocol.dashboard_path("demo"), "dashboard"),
                       (protocol.call_path("demo", 7), "call")):
        assert protocol.page_kind(path) == kind
        assert any(p.pattern.match(path.lstrip("/")) for p in routing.websocket_urlpatterns), path


def test_backoff_is_full_jitter_under_a_doubling_ceiling():
    rng = random.Random(1)
    assert all(0 <= protocol.backoff(0, rng=rng) < 0.5 for _ in range(100))
    assert max(protocol.backoff(10, rng=rng) for _ in range(100)) <= 15.0
    assert max(protocol.backoff(2, 0.1, 2.0, rng=rng) for _ in range(100)) <= 0.4


@pytest.mark.django_db(transaction=True)
async def test_a_caller_cookie_opens_the_caller_socket_and_resumes(clinic, team_member):
    caller = await sync_to_async(do_enter_waiting_area)(clinic, name="Ada")
    cookie = await sync_to_async(caller_cookie)(caller)
    for i in range(3):
        await sync_to_async(do_notify)(clinic, actor=team_member, caller_ids=[caller.pk], body=f"Number {i}", client_id=f"n{i}")

    page = inprocess.communicator(application(), protocol.caller_path(clinic.slug, after=1), cookie)
    hello = await inprocess.open_page(page)
    assert [m["seq"] for m in protocol.missed(hello, 1)] == [2, 3]
    assert protocol.heartbeat_seconds(hello) > 0
    await page.send_to(text_data=protocol.heartbeat())
    assert (await page.receive_json_from(timeout=inprocess.FRAME))["type"] == "heartbeat"
    await page.send_to(text_data=protocol.receipt(3, 3))
    assert await page.receive_nothing(0.3)
    await page.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_staff_cookie_opens_the_dashboard(clinic, team_member):
    cookie = await sync_to_async(staff_cookie)(team_member)
    page = inprocess.communicator(application(), protocol.dashboard_path(clinic.slug), cookie)
    snapshot = await inprocess.open_page(page)
    assert snapshot["cards"] == []
    await page.disconnect()


def test_a_first_frame_of_the_wrong_kind_is_refused():
    with pytest.raises(AssertionError):
        protocol.expect_first({"type": "hello"}, "dashboard")
