"""The agent desk as a person uses it: a real `kb serve`, a real headless chromium, the keyboard.

One browser for the run, driven by Playwright (how to write a test: tests/browser.py). Each state worth seeing is saved as a PNG under
test-artifacts/browser/ (ignored by git) so a person can look at what the tests saw.
"""

from __future__ import annotations

import functools
import html
import json
import re
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from browser import BrowserError, Page, is_available
from conftest import ROOT, SAMPLE_DOCS

from kb_tools.content.card import read_card
from kb_tools.content.config import load_config
from kb_tools.site.pages import steps_script

SHOTS = ROOT / "test-artifacts" / "browser"
ARTICLE = "homehub/wifi-keeps-dropping/"
LINEAR = "account/reset-password/"  # steps without outcomes
CALLER_SAYS = "my internet keeps dropping"

pytestmark = pytest.mark.skipif(not is_available(), reason="chromium is not installed (run `make browser`)")


# --- fixtures ---------------------------------------------------------------------------------



@pytest.fixture(scope="module")
def served(served_kb: str) -> str:
    """The base URL of `kb serve`, ending with a slash."""
    return served_kb.rstrip("/") + "/"


@pytest.fixture(scope="module")
def static_site(sample_site: Path) -> Iterator[str]:
    """The same built site served as plain files (no API): Material's own search must still work."""

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(sample_site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()



def open_fresh(page: Page, url: str) -> None:
    """Open `url` as a first-time visitor: no depth remembered from an earlier test."""
    origin = "{0.scheme}://{0.netloc}".format(urllib.parse.urlsplit(url))
    page.context.new_cdp_session(page).send("Storage.clearDataForOrigin",
                                            {"origin": origin, "storageTypes": "local_storage"})
    page.goto(url)
    page.wait_for_function("!!document.documentElement.dataset.kbSearch")


def api_steps(served: str, article: str, depth: str) -> dict:
    query = urllib.parse.urlencode({"article": article, "depth": depth})
    with urllib.request.urlopen(f"{served}api/steps?{query}", timeout=10) as answer:
        return json.load(answer)


def text_of(page: Page, selector: str) -> str:
    return page.evaluate(f"document.querySelector({json.dumps(selector)}).textContent.trim()")


def checked_depth_tab(page: Page) -> str:
    """The label of the checked Beginner/Expert tab, as the page shows it."""
    return page.evaluate(
        "(() => { for (const input of document.querySelectorAll('.tabbed-set > input:checked')) {"
        " const text = document.querySelector(`label[for='${input.id}']`).textContent.trim();"
        " if (text === 'Beginner' || text === 'Expert') return text; } return null; })()"
    )


def search_for(page: Page, words: str) -> list[str]:
    """Press `/`, type the words, and return the result titles once they are on screen."""
    page.keyboard.press("/")
    page.wait_for_function("document.activeElement.matches('[data-md-component=search-query]')")
    page.keyboard.type(words)
    page.wait_for_function(f"document.querySelector('.kb-search__results') && "
                           f"document.querySelector('[data-md-component=search-query]').value === {json.dumps(words)} && "
                           "!document.querySelector('[data-md-component=search]').hasAttribute('aria-busy') && "
                           "document.querySelectorAll('.kb-result').length > 0")
    return page.evaluate("[...document.querySelectorAll('.kb-result__title')].map(e => e.textContent)")


# --- search through the API -------------------------------------------------------------------


def test_a_caller_phrase_finds_the_article_and_opens_its_section(page: Page, served: str):
    open_fresh(page, served)
    assert page.evaluate("document.documentElement.dataset.kbSearch") == "api"
    titles = search_for(page, CALLER_SAYS)
    assert titles[0] == "Wi-Fi keeps dropping"
    first = page.evaluate(
        "(() => { const r = document.querySelector('.kb-result'); return {"
        " href: r.querySelector('a').href, badge: r.querySelector('.kb-depth').textContent,"
        " section: r.querySelector('.kb-result__section')?.textContent || '',"
        " marks: r.querySelectorAll('.kb-result__snippet mark').length }; })()"
    )
    assert first["href"].startswith(served + ARTICLE + "#")
    assert first["badge"] in ("Beginner", "Both depths")  # the site-wide choice starts at Beginner
    assert first["section"] and first["marks"] > 0
    assert "at Beginner depth" in text_of(page, ".kb-search__status")
    page.screenshot(path=SHOTS / "01-search-results.png")

    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.href") == first["href"]
    page.screenshot(path=SHOTS / "02-search-first-result-focused.png")
    page.keyboard.press("Enter")
    anchor = first["href"].split("#", 1)[1]
    # Opened at the section: its heading is on screen, near the top, and search is closed.
    page.wait_for_function(f"location.pathname === '/{ARTICLE}' && location.hash === '#{anchor}' && (() => {{"
                           f" const heading = document.getElementById({json.dumps(anchor)}); if (!heading) return false;"
                           " const r = heading.getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight / 2; })()")
    assert page.evaluate("document.getElementById('__search').checked") is False
    page.wait_for_function("!!document.querySelector('.kb-walk')")  # the call tools came with the new page
    page.screenshot(path=SHOTS / "03-article-opened-at-section.png")


def test_enter_in_the_search_box_opens_the_best_result(page: Page, served: str):
    open_fresh(page, served)
    search_for(page, "forgot my password")
    best = page.evaluate("document.querySelector('.kb-result__link').href")
    page.keyboard.press("Enter")
    page.wait_for_function(f"location.href === {json.dumps(best)}")


def test_the_product_filter_keeps_only_that_product(page: Page, served: str):
    open_fresh(page, served)
    everything = search_for(page, "password")
    page.evaluate("document.querySelector('.kb-search__product').focus()")
    for _ in range(5):  # a closed <select> steps through its options with the arrow keys
        if page.evaluate("document.querySelector('.kb-search__product').value") == "account":
            break
        page.keyboard.press("ArrowDown")
    account = page.evaluate("[...document.querySelectorAll('.kb-search__product option')]"
                            ".find(o => o.value === 'account').textContent")
    # The options passed on the way (HomeHub, HomeHub 7) filtered too: wait for this one's answer.
    page.wait_for_function("name => document.querySelector('.kb-search__status').textContent.includes(' in ' + name)",
                           arg=account.split(" (")[0])
    products = page.evaluate("[...document.querySelectorAll('.kb-result__product')].map(e => e.textContent)")
    assert products and set(products) == {account.split(" (")[0]}
    assert len(products) <= len(everything)
    page.screenshot(path=SHOTS / "04-search-filtered-by-product.png")


def test_snippets_show_marks_but_never_run_markup(page: Page, served: str):
    open_fresh(page, served)
    search_for(page, "<img src=x onerror=alert(1)> wifi")
    assert page.evaluate("document.querySelectorAll('.kb-result__snippet *:not(mark)').length") == 0


def test_the_dropdown_shows_the_summary_the_callers_phrase_and_a_draft_badge(page: Page, served: str):
    """Before: a title, a section and a snippet only, so a draft looked like any validated answer."""
    open_fresh(page, served)
    titles = search_for(page, "cancel my contract")
    # The draft is found, below a validated answer ("When your contract ends"), and says it is a draft.
    draft = titles.index("Close your account")
    assert draft > 0
    shown = page.evaluate(
        "[...document.querySelectorAll('.kb-result')].map(r => ({"
        " badge: r.querySelector('.kb-badge.kb-status-draft')?.textContent || '',"
        " summary: r.querySelector('.kb-result__summary')?.textContent || '',"
        " phrase: r.querySelector('.kb-result__phrase')?.textContent || '' }))")
    assert shown[draft] == {"badge": "Draft", "phrase": "Caller: \u201ccancel my contract\u201d",
                            "summary": "Give notice to close a Brightwave account from My Brightwave and explain the final "
                                       "bill and equipment return."}
    assert shown[0]["badge"] == "" and shown[0]["summary"]  # a validated article carries no state badge
    assert "No good match" not in text_of(page, ".kb-search__status")
    page.screenshot(path=SHOTS / "04b-search-draft-badge-summary-phrase.png")


def test_a_weak_match_says_no_good_match(page: Page, served: str):
    """Hybrid search finds something for anything; before, nothing told the agent it was no answer."""
    open_fresh(page, served)
    search_for(page, "banana bread recipe for the wifi party")
    assert text_of(page, ".kb-search__status").startswith("No good match: try other words.")
    assert page.evaluate("document.querySelector('.kb-search__results').classList.contains('kb-search__results--weak')")
    page.screenshot(path=SHOTS / "04c-search-no-good-match.png")
    open_fresh(page, served)
    search_for(page, CALLER_SAYS)
    assert not text_of(page, ".kb-search__status").startswith("No good match")
    assert not page.evaluate("document.querySelector('.kb-search__results').classList.contains("
                             "'kb-search__results--weak')")


def test_a_weak_match_stands_out_from_an_answer(page: Page, served: str):
    """Before, "No good match" was the first words of the status line, in its small grey type, above a
    list drawn like any other (its class had no style): an agent glancing at it read out the first result."""
    looks = ("() => { const notice = document.querySelector('.kb-search__weak');"
             " const list = getComputedStyle(document.querySelector('.kb-search__results'));"
             " const style = notice && getComputedStyle(notice);"
             " return { notice: notice && notice.textContent, weight: style && Number(style.fontWeight),"
             " background: style && style.backgroundColor, edge: list.borderTopStyle }; }")
    open_fresh(page, served)
    search_for(page, "banana bread recipe for the wifi party")
    weak = page.evaluate(looks)
    assert weak["notice"] == "No good match: try other words."
    assert weak["weight"] >= 600 and weak["background"] not in ("rgba(0, 0, 0, 0)", "transparent")
    assert weak["edge"] == "solid"
    open_fresh(page, served)
    search_for(page, CALLER_SAYS)
    assert page.evaluate(looks) == {"notice": None, "weight": None, "background": None, "edge": "none"}


# --- the site-wide depth ----------------------------------------------------------------------


def test_search_follows_the_depth_chosen_on_an_article_and_remembers_it(page: Page, served: str):
    open_fresh(page, served + ARTICLE)
    assert checked_depth_tab(page) == "Beginner"
    page.click(".tabbed-labels label:nth-child(2)")  # the Expert tab, as a person clicks it
    page.wait_for_function("document.querySelector('.kb-count').textContent.includes('Expert')")
    assert checked_depth_tab(page) == "Expert"
    page.screenshot(path=SHOTS / "05-article-expert.png")

    search_for(page, "wifi keeps dropping channel")
    assert "at Expert depth" in text_of(page, ".kb-search__status")
    assert page.evaluate("document.querySelector('.kb-search__depth [aria-pressed=true]').textContent") == "Expert"
    assert page.evaluate("document.querySelector('.kb-result .kb-depth').textContent") == "Expert"
    page.screenshot(path=SHOTS / "06-search-at-expert.png")

    # Another page, a full load: Material remembered the choice, and the desk reads it.
    page.goto(served + "homehub/change-wifi-name-and-password/")
    page.wait_for_function("!!document.querySelector('.kb-count')")
    assert checked_depth_tab(page) == "Expert"
    assert "Expert" in text_of(page, ".kb-count")


def test_the_depth_switch_in_search_works_on_a_page_without_tabs(page: Page, served: str):
    open_fresh(page, served)  # the welcome page has no Beginner/Expert tabs
    search_for(page, CALLER_SAYS)
    page.click(".kb-search__depth [data-depth=expert]")
    page.wait_for_function("document.querySelector('.kb-search__status').textContent.includes('Expert depth')")
    page.keyboard.press("Escape")
    page.goto(served + ARTICLE)
    page.wait_for_function("!!document.querySelector('.kb-count')")
    assert checked_depth_tab(page) == "Expert"  # Material restored what the switch recorded


# --- call mode and Copy steps -----------------------------------------------------------------


def test_walk_me_through_one_step_at_a_time_with_the_keyboard(page: Page, served: str):
    open_fresh(page, served + LINEAR)
    steps = api_steps(served, "account/reset-password.md", "beginner")["steps"]
    assert not any(step["outcomes"] for step in steps)  # no answers to pick: arrows walk the list
    assert len(steps) == 5
    page.wait_for_function("!!document.querySelector('.kb-walk')")
    assert "5 steps, Beginner" in text_of(page, ".kb-walk")
    page.screenshot(path=SHOTS / "07-article-call-tools.png")

    page.evaluate("document.querySelector('.kb-walk').focus()")
    page.keyboard.press("Enter")
    page.wait_for_function("!!document.querySelector('dialog.kb-call[open]')")
    assert page.evaluate("document.activeElement.classList.contains('kb-call__next')")
    assert text_of(page, ".kb-call__progress") == "Step 1 of 5"
    assert text_of(page, ".kb-call__step") == steps[0]["text"]
    assert text_of(page, ".kb-call__checkpoint-text") == steps[0]["checkpoint"]
    page.screenshot(path=SHOTS / "08-call-step-1.png")

    page.keyboard.press("ArrowRight")
    page.keyboard.press("n")  # Material's "next page" key stays inside the dialog: it moves a step here
    assert text_of(page, ".kb-call__progress") == "Step 3 of 5"
    assert page.evaluate("location.pathname") == "/" + LINEAR
    page.keyboard.press("ArrowLeft")
    assert text_of(page, ".kb-call__step") == steps[1]["text"]
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    assert text_of(page, ".kb-call__progress") == "Step 5 of 5"
    assert text_of(page, ".kb-call__checkpoint-text") == steps[4]["checkpoint"]
    page.screenshot(path=SHOTS / "09-call-last-step.png")

    page.keyboard.press("ArrowRight")
    assert "Is the problem solved?" in text_of(page, ".kb-call__finish")
    assert page.evaluate("document.activeElement.classList.contains('kb-call__yes')")
    page.screenshot(path=SHOTS / "10-call-solved-prompt.png")
    page.keyboard.press("Enter")
    page.wait_for_function("!document.querySelector('dialog.kb-call[open]')")
    assert "solved" in text_of(page, ".kb-desk-actions__status")
    assert page.evaluate("document.activeElement.classList.contains('kb-walk')")  # focus came back


def test_escape_closes_call_mode_and_its_depth_switch_changes_the_site(page: Page, served: str):
    open_fresh(page, served + ARTICLE)
    expert = api_steps(served, "homehub/wifi-keeps-dropping.md", "expert")["steps"]
    page.click(".kb-walk")
    page.wait_for_function("!!document.querySelector('dialog.kb-call[open]')")
    page.click(".kb-call__depth [data-depth=expert]")
    page.wait_for_function(f"document.querySelector('.kb-call__progress').textContent === 'Step 1 of {len(expert)}'")
    assert text_of(page, ".kb-call__step") == expert[0]["text"]
    assert checked_depth_tab(page) == "Expert"  # the article behind switched too
    page.screenshot(path=SHOTS / "11-call-expert.png")
    page.keyboard.press("Escape")
    page.wait_for_function("!document.querySelector('dialog.kb-call[open]')")


def test_copy_steps_puts_numbered_plain_text_on_the_clipboard(page: Page, served: str):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=served.rstrip("/"))
    open_fresh(page, served + ARTICLE)
    page.click(".tabbed-labels label:nth-child(2)")
    page.wait_for_function("document.querySelector('.kb-count').textContent.includes('Expert')")
    page.click(".kb-copy")
    page.wait_for_function("document.querySelector('.kb-desk-actions__status').textContent.startsWith('Copied')")
    copied = page.evaluate("navigator.clipboard.readText()")
    expected = api_steps(served, "homehub/wifi-keeps-dropping.md", "expert")
    numbered = [line for line in copied.splitlines() if re.match(r"\d+\. ", line)]
    assert copied.splitlines()[0] == "Wi-Fi keeps dropping (Expert)"
    assert numbered == [f"{n}. {step['text']}" for n, step in enumerate(expected["steps"], start=1)]
    assert "<" not in copied
    page.screenshot(path=SHOTS / "12-steps-copied.png")


# --- without the API --------------------------------------------------------------------------


def test_plain_static_files_keep_materials_search_and_call_mode(page: Page, static_site: str):
    open_fresh(page, static_site + ARTICLE)
    assert page.evaluate("document.documentElement.dataset.kbSearch") == "builtin"
    page.keyboard.press("/")
    page.keyboard.type("dropping")
    page.wait_for_function("document.querySelectorAll('.md-search-result__item').length > 0")
    assert page.evaluate("!document.querySelector('.kb-search')")
    assert "Wi-Fi keeps dropping" in page.evaluate("document.querySelector('.md-search-result__list').textContent")
    page.screenshot(path=SHOTS / "13-static-builtin-search.png")
    page.keyboard.press("Escape")
    page.click(".kb-walk")
    page.wait_for_function("!!document.querySelector('dialog.kb-call[open]')")
    assert text_of(page, ".kb-call__progress") == "Step 1 of 5"


def test_call_mode_works_from_a_file_url(page: Page, sample_site: Path):
    page.goto((sample_site / ARTICLE / "index.html").as_uri())
    page.wait_for_function("document.documentElement.dataset.kbSearch === 'builtin'")
    page.click(".kb-walk")
    page.wait_for_function("!!document.querySelector('dialog.kb-call[open]')")
    assert text_of(page, ".kb-call__progress") == "Step 1 of 5"


# --- the steps the pages carry ----------------------------------------------------------------


def test_every_page_carries_the_steps_kb_steps_gives(sample_site: Path, served: str):
    pages = sorted(sample_site.glob("*/*/index.html"))
    archived = sample_site / "account" / "upgrade-from-fibre-70" / "index.html"  # an archived how-to with steps
    assert archived in pages and 'id="kb-steps"' not in archived.read_text("utf-8")
    carried = 0
    for built in pages:
        found = re.search(r'<div id="kb-steps" hidden data-kb-steps="([^"]*)"></div>', built.read_text("utf-8"))
        if not found:
            continue
        carried += 1
        embedded = json.loads(html.unescape(found.group(1)))
        article = embedded["beginner"]["path"]
        for depth in ("beginner", "expert"):
            assert embedded[depth] == api_steps(served, article, depth), (article, depth)
    assert carried >= 20


def test_the_steps_data_cannot_be_closed_by_step_text():
    card, _ = read_card("x/a.md", "---\ntitle: A\n---\n# A\n", load_config(SAMPLE_DOCS))
    script = steps_script("<h2 id='s'>S</h2><ol><li>Type &lt;/div&gt;&quot;&lt;b&gt; here</li></ol>", card, "x/a/")
    assert script.count("</div>") == 1 and script.count('"') == 4  # the two attributes' quotes: nothing else
    payload = json.loads(html.unescape(script.split('data-kb-steps="', 1)[1].rsplit('"></div>', 1)[0]))
    assert payload["beginner"]["steps"][0]["text"] == 'Type </div>"<b> here'
    assert steps_script("<p>No steps here.</p>", card, "x/a/") == ""


# --- calls that branch ------------------------------------------------------------------------

NO_INTERNET = "homehub/no-internet-connection/"
SIGN_IN = "account/cant-sign-in/"


def wait_across_pages(page: Page, expression: str) -> None:
    """Wait for `expression` while the tab may load another page (call mode following an answer)."""
    for _ in range(20):
        try:
            page.wait_for_function(expression)
            return
        except BrowserError as error:
            if "navigat" not in str(error) and "context was destroyed" not in str(error):
                raise
    raise AssertionError(f"never true: {expression}")


def collect_errors(page: Page) -> None:
    page.evaluate("window.__errors = []; addEventListener('error', e => __errors.push(String(e.message)));"
                  "addEventListener('unhandledrejection', e => __errors.push(String(e.reason))); true")


def mark_content(page: Page) -> None:
    """Mark the article so a test can wait for instant navigation to swap it for a new one."""
    page.evaluate("document.querySelector('.md-content__inner').dataset.old = '1'")


def wait_for_new_content(page: Page) -> None:
    page.wait_for_function("!document.querySelector('.md-content__inner[data-old]')")


def jump_by_contents(page: Page, served: str) -> None:
    page.evaluate("document.querySelector(\"a.md-nav__link[href$='#cause']\").click()")


def jump_by_skip_link(page: Page, served: str) -> None:
    page.evaluate("document.querySelector('.md-skip').click()")


def jump_by_searching_the_open_page(page: Page, served: str) -> None:
    search_for(page, CALLER_SAYS)
    page.keyboard.press("Enter")


def jump_back_to_resolution(page: Page, served: str) -> None:
    page.evaluate("document.querySelector(\"a.md-nav__link[href$='#resolution']\").click()")
    wait_for_new_content(page)
    page.evaluate("document.querySelector(\"a.md-nav__link[href$='#cause']\").click()")
    page.wait_for_function("location.hash === '#cause'")
    page.evaluate("history.back()")
    page.wait_for_function("location.hash === '#resolution'")


@pytest.mark.parametrize("jump", [jump_by_contents, jump_by_skip_link, jump_by_searching_the_open_page,
                                  jump_back_to_resolution], ids=lambda f: f.__name__)
def test_the_call_tools_survive_every_same_page_navigation(page: Page, served: str, jump):
    open_fresh(page, served + ARTICLE)
    page.wait_for_function("!!document.querySelector('.kb-walk')")
    collect_errors(page)
    mark_content(page)
    jump(page, served)
    wait_for_new_content(page)
    page.wait_for_function("location.hash !== ''")
    page.wait_for_function("!!document.querySelector('.kb-walk') && !!document.querySelector('.kb-copy')")
    assert page.evaluate("__errors") == []
    page.click(".kb-walk")
    page.wait_for_function("!!document.querySelector('dialog.kb-call[open]')")
    assert text_of(page, ".kb-call__progress").startswith("Step 1 of")


def test_number_keys_walk_a_branch_across_two_articles_and_back(page: Page, served: str):
    here = api_steps(served, "homehub/no-internet-connection.md", "beginner")["steps"]
    there = api_steps(served, "homehub/wifi-keeps-dropping.md", "beginner")["steps"]
    open_fresh(page, served + NO_INTERNET)
    page.click(".kb-walk")
    page.wait_for_function("!!document.querySelector('dialog.kb-call[open]')")
    labels = page.evaluate("[...document.querySelectorAll('.kb-call__outcome')].map(b => b.dataset.key)")
    assert labels == ["1", "2", "3"]
    assert page.evaluate("document.querySelector('.kb-call__next').hidden")  # the answer decides
    assert "Internet" in page.evaluate("document.querySelector('.kb-call__step strong').textContent")

    page.keyboard.press("2")  # orange: on to step 2 of the same article
    assert text_of(page, ".kb-call__progress") == f"Step 2 of {len(here)}"
    assert text_of(page, ".kb-call__trail") == "Step 1: Orange, or flashing"
    page.keyboard.press("Backspace")  # back one answer
    assert text_of(page, ".kb-call__progress") == f"Step 1 of {len(here)}"
    assert page.evaluate("document.querySelector('.kb-call__trail').hidden")

    page.keyboard.press("1")  # solid white: the Wi-Fi article, at its step 2
    wait_across_pages(page, f"location.pathname === '/{ARTICLE}' && !!document.querySelector('dialog.kb-call[open]')")
    page.wait_for_function(f"document.querySelector('.kb-call__progress').textContent === 'Step 2 of {len(there)}'")
    assert text_of(page, ".kb-call__step") == there[1]["text"]
    assert "No internet connection" in text_of(page, ".kb-call__trail")
    page.screenshot(path=SHOTS / "14-call-followed-to-another-article.png")

    page.keyboard.press("ArrowLeft")  # back across the articles, to the answer's step
    wait_across_pages(page, f"location.pathname === '/{NO_INTERNET}' && !!document.querySelector('dialog.kb-call[open]')")
    page.wait_for_function(f"document.querySelector('.kb-call__progress').textContent === 'Step 1 of {len(here)}'")
    assert page.evaluate("document.querySelector('.kb-call__trail').hidden")


def test_the_start_key_opens_call_mode_at_the_section_a_search_opened(page: Page, served: str):
    open_fresh(page, served)
    search_for(page, "this sign-in link has expired AUTH-410")
    path = page.evaluate("document.querySelector('.kb-result__link').dataset.path")
    page.keyboard.press("Enter")
    page.wait_for_function("location.pathname !== '/' && !!document.querySelector('.kb-walk')")
    anchor = page.evaluate("decodeURIComponent(location.hash.slice(1))")
    page.keyboard.press("w")
    page.wait_for_function("!!document.querySelector('dialog.kb-call[open]')")
    steps = api_steps(served, path, "beginner")["steps"]
    first = next((s["position"] for s in steps if s["section"] == anchor), 1)
    assert anchor  # the search opened a section of the article
    assert text_of(page, ".kb-call__progress") == f"Step {first} of {len(steps)}"


def test_closing_and_reopening_resumes_the_call(page: Page, served: str):
    open_fresh(page, served + SIGN_IN)
    page.click(".kb-walk")
    page.wait_for_function("!!document.querySelector('dialog.kb-call[open]')")
    page.keyboard.press("1")  # "The email or password ... incorrect." -> step 2
    page.keyboard.press("ArrowRight")
    assert text_of(page, ".kb-call__progress").startswith("Step 3 of")
    page.keyboard.press("Escape")
    page.wait_for_function("!document.querySelector('dialog.kb-call[open]')")
    page.click(".kb-walk")
    page.wait_for_function("!!document.querySelector('dialog.kb-call[open]')")
    assert text_of(page, ".kb-call__progress").startswith("Step 3 of")
    assert "incorrect" in text_of(page, ".kb-call__trail")
    page.keyboard.press("Home")
    assert text_of(page, ".kb-call__progress").startswith("Step 1 of")
    page.keyboard.press("1")
    page.keyboard.press("Escape")
    # Another article is another call: it starts at its first step, with no answers.
    assert page.evaluate("sessionStorage.getItem('kb-call') !== null")  # this call is kept
    page.goto(served + NO_INTERNET)
    page.wait_for_function("!!document.querySelector('.kb-walk')")
    page.click(".kb-walk")
    page.wait_for_function("!!document.querySelector('dialog.kb-call[open]')")
    assert text_of(page, ".kb-call__progress").startswith("Step 1 of")
    assert page.evaluate("document.querySelector('.kb-call__trail').hidden")
    # A call that ended ("Yes, it's solved") is over: the next one starts at step 1.
    page.keyboard.press("2")
    page.keyboard.press("Escape")
    page.click(".kb-walk")
    page.wait_for_function("!!document.querySelector('dialog.kb-call[open]')")
    assert text_of(page, ".kb-call__progress").startswith("Step 2 of")  # resumed
    page.evaluate("(() => { const n = [...document.querySelectorAll('.kb-call__outcome')]; n[n.length - 1].click(); })()")
    page.wait_for_function("!document.querySelector('.kb-call__finish').hidden")
    page.click(".kb-call__yes")
    page.wait_for_function("!document.querySelector('dialog.kb-call[open]')")
    page.click(".kb-walk")
    page.wait_for_function("!!document.querySelector('dialog.kb-call[open]')")
    assert text_of(page, ".kb-call__progress").startswith("Step 1 of")
    assert page.evaluate("document.querySelector('.kb-call__trail').hidden")


def test_a_click_on_an_outcome_goes_where_it_leads(page: Page, served: str):
    open_fresh(page, served + NO_INTERNET)
    page.click(".kb-walk")
    page.wait_for_function("!!document.querySelector('dialog.kb-call[open]')")
    page.click(".kb-call__outcomes li:nth-child(2) .kb-call__outcome")  # "Orange, or flashing" -> step 2
    assert text_of(page, ".kb-call__progress").startswith("Step 2 of")
    assert text_of(page, ".kb-call__trail") == "Step 1: Orange, or flashing"


def test_links_and_bold_labels_stay_live_in_the_dialog(page: Page, served: str):
    open_fresh(page, served + "app/app-crashes-on-open/")
    page.click(".kb-walk")
    page.wait_for_function("!!document.querySelector('dialog.kb-call[open]')")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    link = page.evaluate("document.querySelector('.kb-call__step a').href")
    assert link == served + "app/update-the-app/#steps"
    assert page.evaluate("[...document.querySelectorAll('.kb-call__outcome strong')].map(e => e.textContent)") == ["Home"]
    # A link in a checkpoint is live, and bold labels in a checkpoint and an outcome keep their bold.
    open_fresh(page, served + NO_INTERNET)
    page.click(".kb-walk")
    page.wait_for_function("!!document.querySelector('dialog.kb-call[open]')")
    assert page.evaluate("[...document.querySelectorAll('.kb-call__outcome strong')].map(e => e.textContent)") == ["Power"]
    assert page.evaluate("document.querySelector('.kb-call__checkpoint-text a').href") == \
        served + "homehub/homehub-lights-explained/#the-four-lights"
    page.click(".kb-call__checkpoint-text a")
    wait_across_pages(page, "location.pathname === '/homehub/homehub-lights-explained/'")


CONTRAST_JS = """(() => {
  const rgba = c => { const p = c.match(/[\\d.]+/g).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const over = (top, under) => [0, 1, 2].map(i => top[i] * top[3] + under[i] * (1 - top[3])).concat([1]);
  const background = el => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c[3] > 0) layers.push(c);
      if (c[3] >= 1) break;
    }
    return layers.reverse().reduce((under, top) => over(top, under), [255, 255, 255, 1]);
  };
  const opacity = el => {
    let o = 1;
    for (let e = el; e; e = e.parentElement) o *= +getComputedStyle(e).opacity;
    return o;
  };
  const channel = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  const luminance = c => { const [r, g, b] = c.slice(0, 3).map(channel); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const out = {};
  for (const selector of SELECTORS) {
    for (const el of document.querySelectorAll(selector)) {
      if (!el.getClientRects().length || el.disabled || !el.textContent.trim()) continue;
      if (opacity(el) < 0.05 || getComputedStyle(el).visibility === 'hidden') continue;  // not on screen
      const bg = background(el);
      const fg = rgba(getComputedStyle(el).color); fg[3] *= opacity(el);
      const a = luminance(over(fg, bg)), b = luminance(bg);
      const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      out[selector] = Math.min(out[selector] || 99, Math.round(ratio * 100) / 100);
    }
  }
  return out;
})()"""
ARTICLE_CONTROLS = [".kb-walk", ".kb-walk .kb-count", ".kb-copy", ".tabbed-labels label"]
CALL_CONTROLS = [".kb-call__title", ".kb-call__close", ".kb-call__progress", ".kb-call__step", ".kb-call__checkpoint-label",
                 ".kb-call__checkpoint-text", ".kb-call__outcome", ".kb-call__outcome-to", ".kb-call__keys",
                 ".kb-call__next", ".kb-call__trail li", ".kb-call__depth button"]


def contrast(page: Page, selectors: list[str]) -> dict[str, float]:
    """The lowest contrast ratio of each selector's visible elements, in their settled state."""
    page.add_style_tag(content="*, *::before, *::after { transition: none !important; }")  # no colour mid-way
    return page.evaluate(CONTRAST_JS.replace("SELECTORS", json.dumps(selectors)))


@pytest.mark.parametrize("scheme", ["default", "slate"])
def test_call_mode_and_article_controls_have_enough_contrast(page: Page, served: str, scheme: str):
    open_fresh(page, served + NO_INTERNET)
    if scheme == "slate":  # as a person switches: Material's palette toggle in the header
        page.evaluate("[...document.querySelectorAll('[data-md-component=palette] label')]"
                      ".find(l => l.getClientRects().length).click()")
    page.wait_for_function(f"document.body.getAttribute('data-md-color-scheme') === '{scheme}'")
    found = contrast(page, ARTICLE_CONTROLS)
    page.click(".kb-walk")
    page.wait_for_function("!!document.querySelector('dialog.kb-call[open]')")
    page.keyboard.press("2")  # an answer, so the trail shows too
    found.update(contrast(page, CALL_CONTROLS))
    page.keyboard.press("1")  # a step without outcomes: Next and Back show
    for selector, ratio in contrast(page, CALL_CONTROLS + [".kb-call__back"]).items():
        found[selector] = min(ratio, found.get(selector, ratio))
    page.screenshot(path=SHOTS / f"15-call-contrast-{scheme}.png")
    assert set(found) == set(ARTICLE_CONTROLS + CALL_CONTROLS + [".kb-call__back"])  # every control was measured
    low = {selector: ratio for selector, ratio in found.items() if ratio < 4.5}
    assert low == {}


def test_a_call_through_every_control_raises_no_script_error(page: Page, served: str):
    # Call mode is four scripts sharing one call (call-store, call-view, call-end, call-mode.js): a name
    # one of them no longer finds fails only when its control is used, so use each one.
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    open_fresh(page, served + NO_INTERNET)
    page.click(".kb-walk")
    page.wait_for_function("!!document.querySelector('dialog.kb-call[open]')")
    for key in ("2", "1", "Backspace", "ArrowRight", "ArrowLeft", "Home"):
        page.keyboard.press(key)
    page.click(".kb-call__depth [data-depth=expert]")
    page.wait_for_function("document.querySelector('.kb-call__depth [aria-pressed=true]').dataset.depth === 'expert'")
    page.click(".kb-call__depth [data-depth=beginner]")
    # Each control redraws the call: wait for it, or the next key lands on the steps drawn before.
    page.wait_for_function("document.querySelector('.kb-call__depth [aria-pressed=true]').dataset.depth === 'beginner'")
    page.keyboard.press("2")  # "Orange, or flashing" -> step 2, whose last answer is "solved"
    page.wait_for_function("document.querySelector('.kb-call__progress').textContent.startsWith('Step 2 of')")
    page.evaluate("(() => { const n = [...document.querySelectorAll('.kb-call__outcome')]; n[n.length - 1].click(); })()")
    page.wait_for_function("!document.querySelector('.kb-call__finish').hidden")
    page.click(".kb-call__no")
    page.wait_for_function("!document.querySelector('.kb-call__stuck').hidden")
    page.click(".kb-call__skip")
    page.wait_for_function("!document.querySelector('dialog.kb-call[open]')")
    page.click(".kb-walk")
    page.wait_for_function("!!document.querySelector('dialog.kb-call[open]')")
    assert text_of(page, ".kb-call__progress").startswith("Step 1 of")  # the call ended: a new one
    page.keyboard.press("2")
    page.evaluate("(() => { const n = [...document.querySelectorAll('.kb-call__outcome')]; n[n.length - 1].click(); })()")
    page.wait_for_function("!document.querySelector('.kb-call__finish').hidden")
    page.click(".kb-call__yes")
    page.wait_for_function("document.querySelector('.kb-desk-actions__status').textContent.startsWith('Marked solved')")
    assert errors == []
