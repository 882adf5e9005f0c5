import email
import re
import time

from playwright.sync_api import expect

from clinics.actions import do_change_configuration
from conftest import PASSWORD
from waiting.models import Caller

# The badge's colours (app.css: --clinic and --caller), as the browser computes them.
BLUE = "rgb(31, 111, 209)"
ORANGE = "rgb(180, 83, 9)"

# Keeps every websocket a page opens in `window.__sockets`, so a test can use the
# page's own connection the way a tampering caller could (DevTools, a script).
WATCH_SOCKETS = """
  window.__sockets = [];
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) { super(...args); window.__sockets.push(this); }
  };
"""


def sign_in(page, user, clinic):
    """Sign in on the login page and land on the clinic's dashboard."""
    page.goto(f"/login/?next=/clinics/{clinic.slug}/")
    page.get_by_label("Email").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Waiting area", level=1)).to_be_visible()
    assert page.url.endswith(f"/clinics/{clinic.slug}/")
    return page


class Mailbox:
    """The mails the e2e server wrote (EMAIL_URL=file://...), in order."""

    SEPARATOR = b"-" * 79  # Django's file backend writes this line after each mail

    def __init__(self, folder):
        self.folder = folder

    def mails(self):
        found = []
        for path in sorted(self.folder.iterdir()):
            data = path.read_bytes()
            # Only mails written whole, each followed by the separator (a mail
            # may be sent after the page's answer, and be on its way).
            whole = data[:max(data.rfind(self.SEPARATOR), 0)]
            for raw in whole.split(self.SEPARATOR):
                if raw.strip():
                    found.append(email.message_from_bytes(raw.strip()))
        return found

    def wait_for_mail(self, seconds=10):
        """The one mail sent, once the server has written it."""
        deadline = time.monotonic() + seconds
        while not (mails := self.mails()):
            assert time.monotonic() < deadline, "no mail was sent"
            time.sleep(0.1)
        (mail,) = mails
        return mail


def body_of(mail):
    return mail.get_payload(decode=True).decode(mail.get_content_charset() or "utf-8")


def enter_waiting_area(page, clinic, name, **fields):
    page.goto(f"/w/{clinic.slug}/")
    page.get_by_label("Your name").fill(name)
    for label, value in fields.items():
        page.get_by_label(label).fill(value)
    page.get_by_role("button", name="Enter the waiting area").click()
    expect(page.get_by_role("heading", name="Waiting for call")).to_be_visible()
    return page


def caller_of(clinic, name):
    return Caller.objects.get(clinic=clinic, name=name)


def card(page, name):
    return page.locator("#callers > li").filter(has=page.get_by_role("heading", name=name, exact=True))


def card_names(page):
    """The names on the dashboard's cards, in the order shown."""
    return page.get_by_role("list", name="Callers").get_by_role("heading")


def badge(card_locator, text):
    """The card's message counter, found by what a screen reader says of it."""
    return card_locator.get_by_role("button", name=text, exact=True)


def expect_badge(card_locator, count, last_from):
    """The counter shows `count`, blue when the clinic wrote last, orange when the caller did."""
    noun = "message" if count == 1 else "messages"
    b = badge(card_locator, f"{count} {noun}, last from the {last_from}")
    expect(b).to_have_text(str(count))
    expect(b).to_have_class(f"badge from-{last_from}")
    expect(b).to_have_css("background-color", BLUE if last_from == "clinic" else ORANGE)
    return b


def status_filter(page, label):
    """A status checkbox of the filter; its name ends with the live count ("Waiting 2")."""
    return page.get_by_role("group", name="Show").get_by_role("checkbox", name=label)


def notify_one(staff, name, text):
    staff.get_by_role("button", name=f"Actions for {name}").click()
    staff.get_by_role("menuitem", name="Notify").click()
    dialog = staff.get_by_role("dialog", name=f"Notify {name}")
    dialog.get_by_role("textbox").fill(text)
    dialog.get_by_role("button", name="Send").click()
    expect(dialog).to_be_hidden()


def open_notify_many(staff):
    staff.get_by_role("button", name="Notify", exact=True).click()
    dialog = staff.get_by_role("dialog", name="Notify the callers shown")
    expect(dialog).to_be_visible()
    return dialog


def open_thread(staff, name):
    staff.get_by_role("button", name=f"Actions for {name}").click()
    staff.get_by_role("menuitem", name="Messages").click()
    dialog = staff.get_by_role("dialog", name=f"Messages – {name}")
    expect(dialog).to_be_visible()
    return dialog


def thread_items(page):
    """The messages a page shows in its thread log (caller page or thread dialog)."""
    return page.get_by_role("log").get_by_role("listitem")


def expect_thread(page, texts):
    """The thread shows exactly these messages, in this order, once each."""
    items = thread_items(page)
    expect(items).to_have_count(len(texts))
    expect(items).to_contain_text(texts)


def compose(page):
    return page.get_by_role("textbox", name="Type a message")


def caller_writes(page, text):
    compose(page).fill(text)
    page.get_by_role("button", name="Send", exact=True).click()


def set_guest_messaging(clinic, admin, enabled):
    do_change_configuration(clinic.pk, actor=admin, guest_messaging_enabled=enabled)


def tones(page):
    return page.evaluate("window.__tones")


# Calls -----------------------------------------------------------------------

VIDEO_TIMEOUT = 20_000  # ms: ICE, the first keyframe and decoding on a busy 2-core machine

# Remote videos that show real frames: every `.tile.remote video` (exactly
# `count` of them, with those names if given) has a size and, between two polls,
# both more decoded frames and a later currentTime. The previous poll's numbers
# live in window.__frames, which each wait starts afresh.
FRAMES_ARRIVE = """([count, names]) => {
  const videos = [...document.querySelectorAll(".tile.remote video")];
  if (videos.length !== count) return false;
  if (names.length && names.some((n) => !videos.some((v) => v.getAttribute("aria-label") === n))) return false;
  const before = window.__frames;
  window.__frames = new Map(videos.map((v) => [v, [v.getVideoPlaybackQuality().totalVideoFrames, v.currentTime]]));
  return Boolean(before) && videos.every((v) => {
    const [frames, time] = before.get(v) || [Infinity, Infinity];
    return v.videoWidth > 0 && v.getVideoPlaybackQuality().totalVideoFrames > frames && v.currentTime > time;
  });
}"""


DESCRIBE_VIDEOS = """() => ({
  videos: [...document.querySelectorAll(".tile.remote video")].map((v) => ({
    name: v.getAttribute("aria-label"), width: v.videoWidth, time: v.currentTime,
    frames: v.getVideoPlaybackQuality().totalVideoFrames, paused: v.paused,
    tracks: v.srcObject?.getTracks().map((t) => `${t.kind}:${t.readyState}${t.muted ? ":muted" : ""}`),
  })),
  peers: (window.__pcs || []).map((pc) => ({
    connection: pc.connectionState, ice: pc.iceConnectionState, signaling: pc.signalingState,
    gathering: pc.iceGatheringState, local: pc.localDescription?.type, remote: pc.remoteDescription?.type,
    senders: pc.getSenders().map((s) => s.track?.kind || null),
    receivers: pc.getReceivers().map((r) => `${r.track.kind}:${r.track.muted ? "muted" : "live"}`),
  })),
  signals: window.__signals,
  iceRestarts: window.__iceRestarts || 0,
})"""


def expect_remote_video(page, count=1, names=()):
    """The page shows `count` remote videos (named `names`), with frames arriving."""
    page.evaluate("window.__frames = null")
    try:
        page.wait_for_function(FRAMES_ARRIVE, arg=[count, list(names)], polling=250, timeout=VIDEO_TIMEOUT)
    except Exception:
        state = page.evaluate(DESCRIBE_VIDEOS)
        console = getattr(page, "console_lines", [])[-20:]
        raise AssertionError(f"no remote video frames on {page.url}: {state}; console: {console}") from None


# The page's remote videos get no new frames: none decoded between two polls
# half a second apart (a live camera sends 15–30 a second).
FRAMES_STOPPED = """() => {
  const videos = [...document.querySelectorAll(".tile.remote video")];
  const before = window.__frames;
  window.__frames = new Map(videos.map((v) => [v, v.getVideoPlaybackQuality().totalVideoFrames]));
  return Boolean(before) && videos.length > 0 && videos.every((v) => before.get(v) === window.__frames.get(v));
}"""


def expect_remote_video_paused(page):
    """Media is paused (hold): the remote videos are still there but get no frames."""
    page.evaluate("window.__frames = null")
    page.wait_for_function(FRAMES_STOPPED, polling=500, timeout=VIDEO_TIMEOUT)


def join_call(staff, name):
    """The card's Join button: the team member's page becomes the call screen.
    On a colleague's call Join asks first (naming them): the answer is yes."""
    staff.get_by_role("button", name=f"Join the call with {name}").click()
    heading = staff.get_by_role("heading", name=f"Call with {name}", exact=True)
    question = staff.get_by_role("dialog", name=f"Join the call with {name}?")
    expect(heading.or_(question)).to_be_visible()
    if question.is_visible():
        question.get_by_role("button", name="Join", exact=True).click()
    expect(heading).to_be_visible()
    return staff


def caller_in_call(page):
    expect(page.get_by_role("heading", name="You are in a call")).to_be_visible()
    expect(page.get_by_role("region", name="Video call")).to_be_visible()


def expect_status(card_locator, text):
    expect(card_locator.locator(".status")).to_have_text(text)


def status_chip(page, label):
    """A status checkbox of the filter by its label alone, whatever its count."""
    return page.get_by_role("group", name="Show").get_by_role("checkbox", name=re.compile(rf"^{re.escape(label)} \d+$"))


def call_manager(staff):
    """Opens the Call Manager drawer (if closed) and returns it."""
    drawer = staff.get_by_role("complementary", name="Call Manager")
    # The call page's script is running (and has the call) once Hang up is enabled:
    # a click before that would go nowhere.
    expect(staff.get_by_role("button", name="Hang up", exact=True)).to_be_enabled()
    if staff.get_by_role("button", name="Call Manager").get_attribute("aria-expanded") != "true":
        staff.get_by_role("button", name="Call Manager").click()
    expect(drawer).to_be_visible()
    return drawer


def participant(drawer, name):
    return drawer.get_by_role("listitem").filter(has_text=name)


def hang_up(staff):
    """Opens the hang-up dialog and returns it."""
    staff.get_by_role("button", name="Hang up", exact=True).click()
    dialog = staff.get_by_role("dialog", name="Hang up")
    expect(dialog).to_be_visible()
    return dialog


def hang_up_choices(dialog):
    """The hang-up dialog's visible choices, in order."""
    return dialog.locator("[data-choice]:visible")


def back_on_dashboard(staff, clinic):
    expect(staff.get_by_role("heading", name="Waiting area", level=1)).to_be_visible()
    assert staff.url.endswith(f"/clinics/{clinic.slug}/")
