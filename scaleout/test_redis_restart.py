"""Redis restarts while notifications flow: delivery resumes, and nothing is
lost or doubled. The database's catch-up is switched off here, so this shows
the channel layer itself coming back, and the consumers filling the gap the
outage left from the database when the next message arrives."""

import asyncio

from messaging.models import Message
from waiting.actions import do_enter_waiting_area

from testkit.live import Page, Staff
from testkit.protocol import caller_path
from testkit.sessions import caller_cookie, staff_cookie

from .scenario import run, until


def test_restarting_redis_loses_and_doubles_nothing(cluster, clinic, team_member):
    quiet = {"WAITROOM_CATCH_UP_SECONDS": "3600"}
    a, b = cluster.server("a", **quiet), cluster.server("b", **quiet)
    callers = [do_enter_waiting_area(clinic, name=f"Caller {i}") for i in range(10)]
    cookies = [caller_cookie(c) for c in callers]
    ids = [c.pk for c in callers]
    staff = Staff(staff_cookie(team_member))

    async def send(start, count):
        for i in range(start, start + count):
            await staff.notify(a.url, clinic.slug, ids, f"Number {i}", client_id=f"n{i}")

    async def scenario():
        pages = [Page([a.url] if i % 2 else [b.url], caller_path(clinic.slug), cookie).start()
                 for i, cookie in enumerate(cookies)]
        await asyncio.gather(*(p.connected() for p in pages))
        await send(0, 10)
        await until(lambda: all(p.last_seq == 10 for p in pages), what="the first ten")

        cluster.redis.stop()
        await send(10, 5)  # stored; the announcements are lost with Redis
        cluster.redis.start()

        # Delivery resumes: later messages arrive live, and the consumers
        # fill what the outage swallowed from the database.
        async def resumed():
            sent = 15
            while not all(p.last_seq == sent for p in pages):
                await send(sent, 1)
                sent += 1
                await asyncio.sleep(0.5)
            return sent

        sent = await asyncio.wait_for(resumed(), timeout=60)
        await asyncio.sleep(0.5)
        for p in pages:
            await p.stop()
        return pages, sent

    pages, sent = run(scenario)
    for page, caller in zip(pages, callers):
        stored = [(m.seq, m.body) for m in Message.objects.filter(caller=caller).order_by("seq")]
        assert [(m["seq"], m["body"]) for m in page.messages] == stored
        assert len(stored) == sent
        assert page.connects == 1  # the pages never noticed: no reconnect was needed
