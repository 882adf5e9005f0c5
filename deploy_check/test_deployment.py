"""docs/deploy.md followed on this machine: two Waitroom processes (one on
another address, as a second machine's would be) behind Debian's nginx with
TLS, on PostgreSQL and Redis. A caller enters over HTTPS, a team member signs
in and notifies her, the process that holds her page is killed: her page comes
back through nginx to the other one and has every message, once, in order."""

import asyncio
import ssl
import time

import pytest

from scaleout.scenario import run, until
from testkit.live import Page, Staff
from testkit.protocol import SESSION_COOKIE, caller_path, dashboard_path

from . import deployment, nginx
from .deployment import Browser, Deployment

SLUG = "demo"  # manage.py demo's clinic


@pytest.fixture
def deployed(tmp_path):
    nginx.binary()  # fails first, with what to install
    deployment.check_redis()
    database_url = deployment.fresh_database()
    site = Deployment(tmp_path)
    try:
        site.write_environment(database_url)
        site.manage("migrate", "--verbosity", "0")
        site.manage("collectstatic", "--noinput", "--verbosity", "0", STATIC_ROOT=str(tmp_path / "static"))
        site.manage("demo", "--password", deployment.PASSWORD)
        site.upstreams = [site.start_process("a"), site.start_process("b", listen_address="127.0.0.2")]
        site.start_nginx(site.upstreams)
        yield site
    except BaseException:
        print(site.logs())
        raise
    finally:
        site.stop()
        deployment.drop_database()


def test_a_caller_behind_nginx_loses_nothing_when_her_process_is_killed(deployed):
    started = time.monotonic()
    tls = ssl.create_default_context(cafile=str(deployed.cert))
    base = deployed.url

    # nginx serves the static files itself, with HSTS; plain HTTP goes to HTTPS.
    status, headers, _ = Browser(base, tls).request("/static/waitroom/socket.js")
    assert status == 200 and "public" in headers.get_all("Cache-Control"), headers.items()
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    plain = Browser(f"http://127.0.0.1:{deployed.http_port}", tls)
    status, headers, _ = plain.request(f"/w/{SLUG}/")
    assert status == 301 and headers["Location"].startswith(f"https://127.0.0.1/w/{SLUG}/"), (status, headers)

    # The caller enters over HTTPS; her session cookie is a secure one.
    caller = Browser(base, tls)
    status, headers, _ = caller.submit(f"/w/{SLUG}/", name="Sue Smith")
    assert status == 302 and headers["Location"].endswith(f"/w/{SLUG}/wait/"), (status, headers)
    assert "secure" in headers["Set-Cookie"].lower()

    # A team member signs in.
    staff = Browser(base, tls)
    status, headers, page = staff.submit("/login/", username="doctor@example.com", password=deployment.PASSWORD)
    assert status == 302, page[:2000]

    async def scenario():
        dashboard = Page([base], dashboard_path(SLUG), staff.cookies[SESSION_COOKIE], ssl=tls).start()
        snapshot = await dashboard.connected()
        (sue,) = [card["id"] for card in snapshot["cards"] if card["name"] == "Sue Smith"]
        page = Page([base], caller_path(SLUG), caller.cookies[SESSION_COOKIE], ssl=tls).start()
        await page.connected()
        notifier = Staff(staff.cookies[SESSION_COOKIE], ssl=tls)
        await notifier.notify(base, SLUG, [sue], "Dr Lee is running 15 minutes late", client_id="one")
        await until(lambda: page.messages, what="the first notification")

        # Kill the process that holds her page: b (the "second machine"), or
        # if her socket outlives it, a (b started again first).
        deployed.kill("b")
        try:
            await until(lambda: page.close_codes, timeout=3, what="her socket to close")
            killed = "b"
        except AssertionError:
            deployed.restart("b")
            deployed.kill("a")
            await until(lambda: page.close_codes, timeout=5, what="her socket to close")
            killed = "a"
        await notifier.notify(base, SLUG, [sue], "Dr Lee will see you now", client_id="two")
        await until(lambda: page.last_seq == 2, what="the second notification")
        await asyncio.sleep(0.5)  # anything doubled would arrive now
        await page.stop()
        await dashboard.stop()
        return page, killed

    page, killed = run(scenario)

    assert [(m["seq"], m["body"]) for m in page.messages] == [
        (1, "Dr Lee is running 15 minutes late"),
        (2, "Dr Lee will see you now"),
    ]
    assert page.connects >= 2, "her page came back"
    print(f"{nginx.version()}; killed {killed}; {time.monotonic() - started:.1f} s after the site was up")
