"""axe-core in the browser tests: the rules accessibility auditors use.

axe-playwright-python ships axe-core and puts it into the page with
page.evaluate, which the pages' Content-Security-Policy (no script but our own
files) does not apply to, so the pages are checked as they are served.
"""

from axe_playwright_python.sync_playwright import Axe

_axe = Axe()


def violations(page):
    """axe-core's violations on the page as it is now, one line each."""
    results = _axe.run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"])
        for v in results.response["violations"]
    ]


def assert_accessible(page):
    found = violations(page)
    assert not found, f"axe-core found on {page.url}:\n  " + "\n  ".join(found)
