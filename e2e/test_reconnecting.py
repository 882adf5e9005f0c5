"""The connection, told honestly (issue 13, item 4): a caller whose network
drops stays in the clinician's call as a tile that says "Reconnecting…", and
the tile recovers — video again — when they are back."""

from playwright.sync_api import expect

from .helpers import expect_remote_video


SAW_RECONNECTING = """() => {
  window.__sawReconnecting = false;
  new MutationObserver(() => {
    if ([...document.querySelectorAll(".tile.remote .tile-state")].some((p) => p.textContent === "Reconnecting…")) {
      window.__sawReconnecting = true;
    }
  }).observe(document.getElementById("stage"), { subtree: true, childList: true, characterData: true });
}"""


def remote_tile(page, name):
    return page.locator(".tile.remote").filter(has=page.locator("figcaption", has_text=name))


def test_a_dropped_caller_shows_reconnecting_and_recovers(lee, sue, call_with_sue):
    tile = remote_tile(lee, "Sue Smith")
    expect(tile.locator(".quality")).to_contain_text("Good connection", timeout=10_000)

    sue.context.set_offline(True)
    # The caller's page is missed within the heartbeat's timeout (15 s).
    expect(tile.get_by_role("status")).to_have_text("Reconnecting…", timeout=25_000)
    expect(tile).to_have_count(1)  # the tile stays: she is still in the call
    expect(tile.locator(".quality")).to_be_hidden()

    sue.context.set_offline(False)
    # The page retries with a backoff of up to 15 s.
    expect(tile.get_by_text("Reconnecting…")).to_be_hidden(timeout=35_000)
    expect_remote_video(lee, names=["Sue Smith"])
    expect(tile.locator(".quality")).to_contain_text("connection", timeout=10_000)


def test_a_connection_closed_under_the_caller_is_restarted(lee, sue, call_with_sue):
    tile = remote_tile(lee, "Sue Smith")
    # The tile may say so only for a moment (an ICE restart is quick here): note it when it does.
    lee.evaluate(SAW_RECONNECTING)
    # The browser drops Sue's side of the connection (as a crashed media process would).
    sue.evaluate("window.__pcs.forEach((pc) => pc.close())")
    lee.wait_for_function("() => window.__sawReconnecting", timeout=25_000)
    expect_remote_video(lee, names=["Sue Smith"])
    expect(tile.get_by_text("Reconnecting…")).to_be_hidden()
    expect_remote_video(sue, names=["Dr Lee"])
