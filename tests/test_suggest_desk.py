"""What the agent sees while typing in the desk (a real `kb serve` and chromium): half-typed words
find their articles, correct words are never "corrected", a real typo offers a correction that,
clicked, searches again. The issue's cases, as a new agent typed them."""

from __future__ import annotations

import urllib.parse

import pytest
from browser import Page, is_available
from test_browser import SHOTS, open_fresh, text_of

pytestmark = pytest.mark.skipif(not is_available(), reason="chromium is not installed (run `make browser`)")


@pytest.fixture(scope="module")
def served(served_kb: str) -> str:
    return served_kb.rstrip("/") + "/"


def type_and_wait(page: Page, words: str) -> dict:
    """Press `/`, type `words` key by key, and wait until the answer to the whole text is on screen:
    its JSON (the desk searches as the agent pauses, so earlier answers may come first)."""
    def is_final(response) -> bool:  # noqa: ANN001 - Playwright's Response
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(response.url).query).get("q", [""])[0]
        return "/api/search" in response.url and query == words.strip()

    page.keyboard.press("/")
    page.wait_for_function("document.activeElement.matches('[data-md-component=search-query]')")
    with page.expect_response(is_final) as answer:
        page.keyboard.type(words)
    data = answer.value.json()
    page.wait_for_function("!document.querySelector('[data-md-component=search]').hasAttribute('aria-busy') && "
                           "!document.querySelector('.kb-search__status').textContent.startsWith('Type what')")
    return data


def titles(page: Page) -> list[str]:
    return page.evaluate("[...document.querySelectorAll('.kb-result__title')].map(e => e.textContent)")


# (typed so far, words of the title wanted, among how many first results): "my wif" says little yet.
@pytest.mark.parametrize(("typed", "title", "within"), [("my wif", "Wi-Fi", 3), ("firmw", "Update the HomeHub firmware", 1),
                                                        ("passw", "Reset your password", 1),
                                                        ("par con", "Set up parental controls", 1),
                                                        ("upd con det", "Update your contact details", 1),
                                                        ("my wifi ke", "Wi-Fi keeps dropping", 1),
                                                        ("reset my pa", "Reset your password", 1)])
def test_half_typed_words_find_their_article_in_the_desk(page: Page, served: str, typed: str, title: str, within: int):
    """Before: "my wif" and "firmw" showed "No articles found", "passw" offered "pass?" above "Bill
    payment failed"; "par con" and "upd con det" said "No good match" above "Change your plan"; "my wifi ke"
    and "reset my pa" said "No good match" above the right answer at each word's first two letters."""
    open_fresh(page, served)
    type_and_wait(page, typed)
    shown = titles(page)
    assert any(title in shown_title for shown_title in shown[:within]), shown
    assert not text_of(page, ".kb-search__status").startswith(("No articles found", "No good match"))
    assert page.evaluate("document.querySelector('.kb-search__correction').hidden")


@pytest.mark.parametrize("typed", ["my neighbour is stealing my wifi", "cancel my contract", "TV remote not working",
                                   "xyzzy plugh", "the landlor", "how much is internat"])
def test_correct_words_get_no_did_you_mean_in_the_desk(page: Page, served: str, typed: str):
    """Before: "my neighbours is streaming my wifi", "cancel my contact", "TV remove...", "xyzzy plug";
    and, as the agent paused in a word, "the handler", "how much is internet"."""
    open_fresh(page, served)
    data = type_and_wait(page, typed)
    assert data["correction"] is None
    assert page.evaluate("document.querySelector('.kb-search__correction').hidden")
    assert "Did you mean" not in text_of(page, ".kb-search")


def test_a_real_typo_offers_a_correction_that_searches_again(page: Page, served: str):
    open_fresh(page, served)
    type_and_wait(page, "pasword resett")
    assert text_of(page, ".kb-search__correction") == "Did you mean password reset?"
    page.screenshot(path=SHOTS / "04d-search-did-you-mean.png")
    with page.expect_response(lambda r: "/api/search" in r.url and "q=password+reset" in r.url):
        page.click(".kb-search__suggestion")
    page.wait_for_function("document.querySelector('[data-md-component=search-query]').value === 'password reset' && "
                           "!document.querySelector('[data-md-component=search]').hasAttribute('aria-busy')")
    assert titles(page)[0] == "Reset your password"
    assert page.evaluate("document.querySelector('.kb-search__correction').hidden")
