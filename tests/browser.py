"""Debian's chromium for the browser tests, driven by Playwright for Python.

Playwright's wheel ships its driver; the browser is the system's /usr/bin/chromium (never run
`playwright install`: it downloads a browser of its own, and nothing is downloaded here).

How to write a browser test: take the `page` fixture (a fresh tab in a context of its own, so no
localStorage or permission from another test) and use Playwright's sync API as a person would:

    def test_something(page: Page, served: str):
        page.goto(served + "homehub/wifi-keeps-dropping/")
        page.keyboard.press("/")                     # keys go to the focused element
        page.keyboard.type("wifi keeps dropping")
        page.click(".kb-walk")                       # waits until the element can take the click
        page.wait_for_function("!!document.querySelector('dialog.kb-call[open]')")
        assert page.evaluate("document.querySelector('.kb-call__progress').textContent") == "Step 1 of 5"
        page.screenshot(path=SHOTS / "name.png")

`browser` is the one Playwright Browser of the run; `page.context` is the test's own context
(e.g. `page.context.grant_permissions([...], origin=...)`). Timeouts are 10 s, not Playwright's 30.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from playwright.sync_api import Browser, Page, Playwright
from playwright.sync_api import Error as BrowserError

__all__ = ["Browser", "BrowserError", "Page", "is_available", "launch", "new_page"]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-quic", "--disable-dev-shm-usage",
         "--hide-scrollbars", "--mute-audio"]
VIEWPORT = {"width": 1280, "height": 860}
TIMEOUT_MS = 10_000


def is_available() -> bool:
    return Path(CHROMIUM).exists()


def launch(playwright: Playwright) -> Browser:
    """Debian's chromium, headless."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)


def new_page(browser: Browser, *, bypass_csp: bool = True) -> Page:
    """A tab in a fresh context (closing the page's context closes both).

    kb serve's Content-Security-Policy forbids eval, which Playwright's string predicates
    (`wait_for_function("...")`) use in the page: tests bypass it, except those that check the policy.
    """
    context = browser.new_context(viewport=VIEWPORT, bypass_csp=bypass_csp)  # type: ignore[arg-type]
    context.set_default_timeout(TIMEOUT_MS)
    return context.new_page()
