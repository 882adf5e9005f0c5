"""A sign-in that ends on one server process closes the staff pages another
process holds: announced through Redis, and without any announcement by each
process's own check of its staff pages."""

from django.contrib.sessions.models import Session

from testkit.live import Page, Staff
from testkit.protocol import dashboard_path
from testkit.sessions import staff_cookie

from .scenario import in_thread, run, until

CHECKED = 10  # seconds: generous on a busy machine; the check itself runs every 2 s


def test_signing_out_on_one_process_closes_the_dashboard_on_the_other(cluster, clinic, team_member):
    a, b = cluster.server("a"), cluster.server("b")
    cookie = staff_cookie(team_member)
    staff = Staff(cookie)

    async def scenario():
        dashboard = Page([b.url], dashboard_path(clinic.slug), cookie).start()
        await dashboard.connected()
        await staff.sign_out(a.url)
        await until(lambda: dashboard.close_codes, timeout=CHECKED, what="the dashboard to close")
        await dashboard.stop()
        return dashboard

    dashboard = run(scenario)
    assert dashboard.close_codes == [4401]
    assert dashboard.connects == 1  # it did not come back


def test_a_session_deleted_without_a_word_closes_the_dashboard_on_every_process(cluster, clinic, team_member):
    a, b = cluster.server("a"), cluster.server("b")
    cookie = staff_cookie(team_member)

    async def scenario():
        pages = [Page([server.url], dashboard_path(clinic.slug), cookie).start() for server in (a, b)]
        for page in pages:
            await page.connected()
        await in_thread(Session.objects.filter(session_key=cookie).delete)  # no announcement: only the checks can tell
        await until(lambda: all(page.close_codes for page in pages), timeout=CHECKED, what="both dashboards to close")
        for page in pages:
            await page.stop()
        return pages

    assert [page.close_codes for page in run(scenario)] == [[4401], [4401]]
