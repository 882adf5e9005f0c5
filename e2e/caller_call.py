"""What the tests of the caller's device check and call screen share."""

from playwright.sync_api import expect

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}

# The browser's autoplay rule as a patient's browser applies it (the test
# browser is launched with autoplay allowed): a video with sound starts only
# after the person has touched the page.
AUTOPLAY_NEEDS_A_TAP = """
  let tapped = false;
  for (const type of ["pointerdown", "keydown"]) addEventListener(type, () => { tapped = true; }, true);
  const play = HTMLMediaElement.prototype.play;
  HTMLMediaElement.prototype.play = function () {
    if (!this.muted && !tapped) {
      return Promise.reject(new DOMException("play() needs a user gesture", "NotAllowedError"));
    }
    return play.call(this);
  };
"""

# Headless Chromium keeps every tab visible, whichever is in front: a test
# puts the page "in the background" as the browser would tell it, by its
# visibility and the visibilitychange event.
BACKGROUND_TAB = """
  let background = false;
  Object.defineProperty(Document.prototype, "visibilityState", { configurable: true, get: () => (background ? "hidden" : "visible") });
  Object.defineProperty(Document.prototype, "hidden", { configurable: true, get: () => background });
  window.__background = (on) => { background = on; document.dispatchEvent(new Event("visibilitychange")); };
"""


def enter_in_german(page, clinic, name):
    """A caller whose browser speaks German fills in the entry form."""
    page.goto(f"/w/{clinic.slug}/")
    page.locator("#id_name").fill(name)
    page.locator("form button[type=submit]").click()
    expect(page.get_by_role("heading", name="Warten auf Anruf")).to_be_visible()
    return page


def box(page, selector):
    return page.locator(selector).first.bounding_box()
