"""axe-core, the rules accessibility auditors use, run on a page as it is now.

axe-playwright-python puts axe-core into the page with `page.evaluate`,
which the page's Content Security Policy does not apply to (a script tag
would be refused)."""

from axe_playwright_python.sync_playwright import Axe

_axe = Axe()


def assert_accessible(page):
    """Fails listing every violation: rule, impact, where, and how to fix it."""
    results = _axe.run(page)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"
