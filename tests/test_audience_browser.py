"""Who reads what, in a real chromium over a real `kb serve`: agent-only blocks on the agents' site,
and Copy for the customer (beside Copy steps, and at call mode's end) read back from the clipboard."""

from __future__ import annotations

import pytest
from browser import Page, is_available
from test_browser import SHOTS, api_steps, contrast, open_fresh, text_of

pytestmark = pytest.mark.skipif(not is_available(), reason="chromium is not installed (run `make browser`)")

LOST_PHONE = "account/lost-two-step-phone/"
DROPPING = "homehub/wifi-keeps-dropping/"
RESTATED = "You lost your phone and the sign-in page keeps asking for a code"


@pytest.fixture(scope="module")
def served(served_kb: str) -> str:
    return served_kb.rstrip("/") + "/"


def allow_clipboard(page: Page, served: str) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=served.rstrip("/"))


def copied_email(page: Page, scope: str) -> str:
    page.click(f"{scope} .kb-customer-copy__copy")
    page.wait_for_function(f"document.querySelector('{scope} .kb-customer-copy__status').textContent.startsWith('Copied')")
    return page.evaluate("navigator.clipboard.readText()")


def test_copy_for_the_customer_has_the_restated_problem_and_no_agent_text(page: Page, served: str):
    allow_clipboard(page, served)
    open_fresh(page, served + LOST_PHONE)
    steps = api_steps(served, "account/lost-two-step-phone.md", "beginner")["steps"]
    agent_only = [step["agent"] for step in steps if step["agent"]]
    assert agent_only and "account record" in agent_only[0]  # the article has agent-only text to keep out
    assert "account record" in page.inner_text(".md-content")  # ... which the agents' page shows
    page.evaluate("navigator.clipboard.writeText('before')")
    page.click(".kb-copy-customer")
    page.click(".md-content .kb-customer-copy__copy")  # no problem written yet: nothing is copied
    assert text_of(page, ".md-content .kb-customer-copy__status") == (
        "Write the problem as you restated it to the customer first.")
    assert page.evaluate("navigator.clipboard.readText()") == "before"
    page.fill(".md-content .kb-customer-copy__problem", RESTATED)
    email = copied_email(page, ".md-content")
    page.screenshot(path=SHOTS / "30-copy-for-the-customer.png")
    assert f"You told us: {RESTATED}" in email
    assert email.startswith("Subject: Your Brightwave support request: Lost the phone used for two-step verification")
    for number, step in enumerate(steps, start=1):
        assert f"{number}. {step['text']}" in email
    for text in agent_only:
        assert text not in email
    for agent_words in ("account record", "Verify the customer", "For agents", "Security panel"):
        assert agent_words not in email
    assert "I'll check in with you by e-mail within two working days" in email  # what happens next
    assert email.rstrip().endswith("Kind regards,\nBrightwave Support")
    assert "\u27e6" not in email and "<" not in email


def test_call_mode_shows_agent_notes_and_ends_with_the_email_for_a_solved_call(page: Page, served: str):
    allow_clipboard(page, served)
    open_fresh(page, served + DROPPING)
    page.click(".kb-walk")
    page.wait_for_function("!!document.querySelector('dialog.kb-call[open]')")
    for key in ("1", "1", "ArrowRight", "ArrowRight"):  # solid white, a green dot, optimise, move the hub
        page.keyboard.press(key)
    assert text_of(page, ".kb-call__progress") == "Step 5 of 5"
    assert page.is_visible(".kb-call__agent")
    assert "Agree when you will check in" in text_of(page, ".kb-call__agent")
    assert "Agree when you will check in" not in text_of(page, ".kb-call__step")
    page.screenshot(path=SHOTS / "31-call-agent-note.png")
    page.keyboard.press("1")  # it stays up -> solved
    page.wait_for_function("!document.querySelector('.kb-call__finish').hidden")
    page.click(".kb-call__customer > summary")
    page.fill(".kb-call .kb-customer-copy__problem", "Your Wi-Fi drops every evening in the back bedroom")
    email = copied_email(page, ".kb-call")
    page.screenshot(path=SHOTS / "32-call-end-copy-for-the-customer.png")
    assert "You told us: Your Wi-Fi drops every evening in the back bedroom" in email
    assert "We're glad it's working again" in email
    assert "Agree when you will check in" not in email and "For agents" not in email
    assert "1. Look at the front of the HomeHub" in email


def test_call_mode_handed_off_ends_with_the_email_naming_who_calls_back_and_when(page: Page, served: str):
    """Copy for the customer after a hand-off: what happens next is the article's hand-off (its
    `escalation:` and Network Support's response time in teams.yml), the same the page's data says."""
    allow_clipboard(page, served)
    open_fresh(page, served + DROPPING)
    page.click(".kb-walk")
    page.wait_for_function("!!document.querySelector('dialog.kb-call[open]')")
    for key in ("1", "1", "ArrowRight", "ArrowRight", "2"):  # ... then "It drops again during the call → hand off"
        page.keyboard.press(key)
    page.wait_for_function("!document.querySelector('.kb-call__finish').hidden")
    assert text_of(page, ".kb-call__question").startswith("Hand off to Network Support")
    handoff = page.evaluate("kbDesk.pageHandoff()")
    assert (handoff["who"], handoff["by_when"]) == ("Network Support", "4 hours")
    page.click(".kb-call__customer > summary")
    page.fill(".kb-call .kb-customer-copy__problem", "Your Wi-Fi drops every evening in the back bedroom")
    email = copied_email(page, ".kb-call")
    page.screenshot(path=SHOTS / "33-call-handed-off-copy-for-the-customer.png")
    assert ("What happens next\n" + handoff["what_happens_next"] + "\nWho will contact you: Network Support, "
            "within 4 hours.") in email
    assert "call you back within 4 hours" in email
    assert "I'll check in with you" not in email and "We're glad it's working again" not in email
    for internal in ("4410", "case tool", "Collect first", "which rooms and devices are affected"):
        assert internal not in email  # the hand-off card's how and collect are the agent's


@pytest.mark.parametrize("scheme", ["default", "slate"])
def test_agent_blocks_stand_apart_and_read_clearly_in_both_schemes(page: Page, served: str, scheme: str):
    open_fresh(page, served + LOST_PHONE)
    if scheme == "slate":
        page.evaluate("[...document.querySelectorAll('[data-md-component=palette] label')]"
                      ".find(l => l.getClientRects().length).click()")
    page.wait_for_function(f"document.body.getAttribute('data-md-color-scheme') === '{scheme}'")
    page.click(".tabbed-labels label:nth-child(2)")  # the Expert tab's ID check is an agent block too
    page.click(".tabbed-labels label:nth-child(1)")
    selectors = [".md-typeset .admonition.agent > .admonition-title", ".md-typeset .admonition.agent > p:not(.admonition-title)",
                 ".md-typeset .admonition.agent strong"]
    found = contrast(page, selectors)
    page.locator('.admonition.agent').first.scroll_into_view_if_needed()
    page.screenshot(path=SHOTS / f"33-agent-block-{scheme}.png")
    assert set(found) == set(selectors)
    assert {selector: ratio for selector, ratio in found.items() if ratio < 4.5} == {}
    colours = page.evaluate("""(() => {
      const block = getComputedStyle(document.querySelector('.admonition.agent'));
      const step = getComputedStyle(document.querySelector('.tabbed-block li'));
      return [block.backgroundColor, block.borderLeftColor, step.backgroundColor];
    })()""")
    assert colours[0] not in ("rgba(0, 0, 0, 0)", colours[2]) and colours[1] != colours[0]
