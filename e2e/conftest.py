"""Browser tests: the real server (uvicorn, in its own process) on the test
database, driven by Debian's Chromium through Playwright."""

import os

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from .helpers import caller_in_call, enter_waiting_area, expect_remote_video, join_call, set_guest_messaging, sign_in
from .servers import Server

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def mail_dir(tmp_path_factory):
    """Where the server writes the mails it sends, one file per sending."""
    return tmp_path_factory.mktemp("mail")


@pytest.fixture(scope="session")
def server(django_db_setup, django_db_blocker, tmp_path_factory, mail_dir):
    """The app as a clinic runs it: one uvicorn process, in-memory channel layer."""
    app = Server(tmp_path_factory.mktemp("server") / "server.log", EMAIL_URL=f"file://{mail_dir}").start()
    yield app.url
    app.stop()


@pytest.fixture
def mailbox(mail_dir):
    """The mails the server sends during this test (e2e/helpers.py: Mailbox)."""
    from .helpers import Mailbox

    for old in mail_dir.iterdir():
        old.unlink()
    return Mailbox(mail_dir)


class QuickPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    """The same algorithm with few rounds, for the users the tests make: the
    server checks such a hash as it is (then stores a full-strength one)."""

    iterations = 1000


@pytest.fixture(autouse=True)
def quick_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["e2e.conftest.QuickPBKDF2PasswordHasher"]


@pytest.fixture(autouse=True)
def live(server, transactional_db, monkeypatch):
    # For every test, before any other fixture of it: the fixtures that
    # arrange data (a clinic, guest messaging) run once the browser is up.
    # Playwright's sync API runs an event loop in this thread; the ORM calls a
    # test makes to arrange data are still plain synchronous calls.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # The server is another process with its own channel layer: what a test
    # arranges through the action functions reaches pages when they (re)load,
    # never live. Announcing it here could only fail (and log a traceback).
    monkeypatch.setattr("realtime.events._send", lambda group, event: None)
    return server


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--autoplay-policy=no-user-gesture-required",
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            "--allow-loopback-in-peer-connection",
        ],
    }


# Counts the tones the page's audible alert starts, so a test can tell that
# the alert really played (the page does not know it is being watched).
COUNT_TONES = """
  window.__tones = 0;
  const start = OscillatorNode.prototype.start;
  OscillatorNode.prototype.start = function (...args) { window.__tones += 1; return start.apply(this, args); };
"""


# Keeps the page's WebRTC connections in `window.__pcs`, so a failing call test
# can say how far each connection got.
WATCH_PEERS = """
  window.__pcs = [];
  const NativePeerConnection = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends NativePeerConnection {
    constructor(...args) { super(...args); window.__pcs.push(this); }
    restartIce() { window.__iceRestarts = (window.__iceRestarts || 0) + 1; return super.restartIce(); }
  };
  // The signals the page sent and got, and the errors the server answered.
  window.__signals = { sent: {}, got: {}, errors: [] };
  const tally = (where, frame) => {
    const key = frame.signal.kind + (frame.signal.kind === "candidate" && !frame.signal.candidate ? ":end" : "");
    where[key] = (where[key] || 0) + 1;
  };
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    try { const f = JSON.parse(data); if (f.type === "signal") tally(window.__signals.sent, f); } catch (e) {}
    return send.call(this, data);
  };
  const NativeSocket = window.WebSocket;
  window.WebSocket = class extends NativeSocket {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (e) => {
        try {
          const f = JSON.parse(e.data);
          if (f.type === "signal") tally(window.__signals.got, f);
          if (f.type === "error") window.__signals.errors.push(f.code);
        } catch (error) {}
      });
      this.addEventListener("close", (e) => window.__signals.errors.push(`closed ${e.code}`));
    }
  };
"""


@pytest.fixture
def new_page(live, browser):
    """Pages in separate browser contexts: a caller and staff never share cookies."""
    contexts = []

    def make(**options):
        # options for the browser context, e.g. locale="de-DE" (Accept-Language)
        context = browser.new_context(base_url=live, **options)
        context.add_init_script(COUNT_TONES)
        context.add_init_script(WATCH_PEERS)
        contexts.append(context)
        page = context.new_page()
        # The page's warnings and errors, for a failing test to show.
        page.console_lines = []
        page.on("console", lambda m: m.type in ("warning", "error") and page.console_lines.append(m.text))
        page.on("pageerror", lambda e: page.console_lines.append(f"pageerror: {e}"))
        page.set_default_timeout(10_000)
        return page

    yield make
    for context in contexts:
        context.close()


# The scenes many tests start from ------------------------------------------
#
# Each person has a browser of their own. A page learns what is true when it
# loads: what a test arranges in the database reaches open pages only on a
# reload (see `live`). So whatever a page must find when it opens (guest
# messaging on, a second clinic) comes first: list `guest_messaging` before
# the pages, and the dashboards before the callers they should see arrive.


@pytest.fixture
def dashboard(new_page, clinic):
    """Signs a staff member in, in a browser of their own; returns their
    dashboard page (of `clinic` unless `at` says which)."""

    def open_dashboard(user, at=clinic):
        return sign_in(new_page(), user, at)

    return open_dashboard


@pytest.fixture
def waiting_caller(new_page, clinic):
    """A caller enters the waiting area (of `clinic` unless `at` says which)
    in a browser of their own; returns their waiting page, open."""

    def enter(name, at=clinic, **fields):
        return enter_waiting_area(new_page(), at, name, **fields)

    return enter


@pytest.fixture
def guest_messaging(clinic, clinic_admin):
    """The clinic takes messages from its callers (General configuration)."""
    set_guest_messaging(clinic, clinic_admin, True)


@pytest.fixture
def lee(dashboard, team_member):
    """Dr Lee, a team member, signed in with the waiting area's dashboard open."""
    return dashboard(team_member)


@pytest.fixture
def alex(dashboard, clinic_admin):
    """Alex, the clinic admin, with the dashboard open too: a second team member."""
    return dashboard(clinic_admin)


@pytest.fixture
def olli(dashboard, outsider, other_clinic):
    """Olli, staff of another clinic (Harbour Practice), with Harbour's dashboard open."""
    return dashboard(outsider, at=other_clinic)


@pytest.fixture
def sue(lee, waiting_caller):
    """Sue Smith entered the waiting area while Dr Lee's dashboard was open:
    her waiting page, open."""
    return waiting_caller("Sue Smith", **{"Phone number": "+49 30 123456"})


@pytest.fixture
def tom(sue, waiting_caller):
    """Tom Berg entered after Sue: the second caller on the list."""
    return waiting_caller("Tom Berg")


@pytest.fixture
def call_with_sue(lee, sue):
    """Dr Lee pressed Join on Sue's card: his page is the call screen, hers
    shows the call, and each shows the other's video with frames arriving."""
    join_call(lee, "Sue Smith")
    caller_in_call(sue)
    expect_remote_video(lee, names=["Sue Smith"])
    expect_remote_video(sue, names=["Dr Lee"])
