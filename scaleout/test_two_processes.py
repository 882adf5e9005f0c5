"""Two server processes sharing PostgreSQL (or SQLite) and Redis: a page on
one hears what staff do on the other; a killed process loses nothing; a
dashboard that reconnects shows exactly the current list."""

import asyncio

from messaging.models import Message
from waiting.actions import do_enter_waiting_area, do_leave_waiting_area, do_see_caller
from waiting.models import Caller

from testkit.live import Page, Staff
from testkit.protocol import caller_path, dashboard_path
from testkit.sessions import caller_cookie, staff_cookie

from .scenario import in_thread, run, until


def enter(clinic, count, prefix="Caller"):
    return [do_enter_waiting_area(clinic, name=f"{prefix} {i}") for i in range(count)]


def thread_of(caller):
    return [(m.seq, m.body) for m in Message.objects.filter(caller=caller).order_by("seq")]


def received(page):
    return [(m["seq"], m["body"]) for m in page.messages]


def test_a_caller_on_one_process_hears_staff_on_the_other(cluster, clinic, team_member):
    a, b = cluster.server("a"), cluster.server("b")
    (sue,) = enter(clinic, 1)
    cookie, staff = caller_cookie(sue), Staff(staff_cookie(team_member))

    async def scenario():
        page = Page([b.url], caller_path(clinic.slug), cookie).start()
        await page.connected()
        await staff.notify(a.url, clinic.slug, [sue.pk], "Dr Lee is running 15 minutes late")
        await until(lambda: page.messages, what="the notification")
        await page.stop()
        return page

    page = run(scenario)
    assert received(page) == [(1, "Dr Lee is running 15 minutes late")]


def test_killing_a_process_mid_traffic_loses_and_doubles_nothing(cluster, clinic, team_member):
    """500 notifications to 50 callers, half of them on process B; B is killed
    halfway. B's pages reconnect to A and every caller ends with every message
    of their thread exactly once, in order."""
    a, b = cluster.server("a"), cluster.server("b")
    callers = enter(clinic, 50)
    cookies = [caller_cookie(c) for c in callers]
    staff = Staff(staff_cookie(team_member))
    ids = [c.pk for c in callers]

    async def scenario():
        pages = [
            Page([a.url, b.url] if i < 25 else [b.url, a.url], caller_path(clinic.slug), cookie).start()
            for i, cookie in enumerate(cookies)
        ]
        await asyncio.gather(*(p.connected() for p in pages))
        for i in range(500):
            if i == 250:
                b.kill()
            if i % 10 == 9:
                await staff.notify(a.url, clinic.slug, ids, f"To everyone, number {i}", client_id=f"n{i}")
            else:
                await staff.notify(a.url, clinic.slug, [ids[i % 50]], f"To you, number {i}", client_id=f"n{i}")
        counts = dict(Caller.objects.values_list("pk", "message_count"))
        await until(lambda: all(p.last_seq == counts[c.pk] for p, c in zip(pages, callers)), what="every message")
        await asyncio.sleep(0.5)  # anything doubled would arrive now
        for p in pages:
            await p.stop()
        return pages

    pages = run(scenario)
    for page, caller in zip(pages, callers):
        assert received(page) == thread_of(caller)
    assert Message.objects.count() == 450 + 50 * 50  # 450 to one caller, 50 to all fifty
    moved = pages[25:]
    assert all(p.connects >= 2 for p in moved), "B's pages reconnected (to A)"


def test_a_reconnecting_dashboard_shows_exactly_the_current_list(cluster, clinic, team_member):
    a, b = cluster.server("a"), cluster.server("b")
    ada, bob = enter(clinic, 2)
    cookie = staff_cookie(team_member)

    async def scenario():
        dashboard = Page([b.url, a.url], dashboard_path(clinic.slug), cookie).start()
        first = await dashboard.connected()
        b.kill()
        # While the dashboard is cut off: one leaves, one is seen, one arrives.
        await in_thread(do_leave_waiting_area, ada.pk)
        await in_thread(do_see_caller, bob.pk, actor=team_member)
        await in_thread(do_enter_waiting_area, clinic, name="Cleo")
        second = await dashboard.connected()
        await dashboard.stop()
        return first, second

    first, second = run(scenario)
    assert [c["name"] for c in first["cards"]] == ["Caller 0", "Caller 1"]
    stored = {c.pk: (c.name, c.status, c.version) for c in Caller.objects.present()}
    assert {c["id"]: (c["name"], c["status"], c["version"]) for c in second["cards"]} == stored
    assert [c["name"] for c in second["cards"]] == ["Caller 1", "Cleo"]
