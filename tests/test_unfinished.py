"""Search as you type over the sample KB: any word may be unfinished, in the library and the API."""

from __future__ import annotations

import json
import urllib.request
from urllib.parse import urlencode

import pytest
from conftest import SAMPLE_DOCS

from kb_tools.search import Searcher, build_index
from kb_tools.search.analysis import terms
from kb_tools.search.suggest import suggest
from kb_tools.search.unfinished import completed_text


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory) -> Searcher:
    index = tmp_path_factory.mktemp("unfinished-index")
    build_index(SAMPLE_DOCS, index, semantic=False)
    return Searcher(index)


# (typed so far, the article that must come first)
FIRST = [
    ("firmw", "homehub/update-hub-firmware.md"),
    ("passw", "account/reset-password.md"),
    ("firmw updat", "homehub/update-hub-firmware.md"),  # the unfinished word is not the last
    ("firmw update ", "homehub/update-hub-firmware.md"),  # nor is it followed by nothing
    ("parental contr", "app/set-up-parental-controls.md"),
    ("resett passw", "account/reset-password.md"),
]


@pytest.mark.parametrize(("typed", "first"), FIRST)
def test_an_unfinished_word_matches_the_words_it_starts(searcher: Searcher, typed: str, first: str):
    results = searcher.search(typed, mode="lexical")
    assert results.hits and results.hits[0].path == first
    assert results.correction is None  # a word being typed is not a typo


def test_a_prefix_reaches_the_thesaurus_words_it_starts(searcher: Searcher):
    """The sample KB writes "Wi-Fi": "wif" starts the thesaurus word wifi, whose group holds wi-fi."""
    titles = [hit.title for hit in searcher.search("my wif", mode="lexical").hits[:3]]
    assert any("Wi-Fi" in title for title in titles)


def test_suggestions_for_half_typed_words(searcher: Searcher):
    assert suggest(searcher, "passw")[0].title == "Reset your password"
    assert suggest(searcher, "firmw")[0].title == "Update the HomeHub firmware"


def test_the_snippet_marks_the_completed_word(searcher: Searcher):
    hit = searcher.search("passw", mode="lexical").hits[0]
    assert "<mark>password</mark>" in hit.snippet.lower()


# (typed so far, what the semantic half embeds): a fragment is completed by the word found next to
# its neighbour in the articles, not by the most frequent word it starts ("par con" was "part confirm").
@pytest.mark.parametrize(("typed", "completed"), [
    ("par con", "parental controls"), ("gam con", "games console"), ("upd con det", "update contact details"),
    ("my wif", "my wifi"), ("firmw", "firmware"), ("reset passw", "reset password"),
])
def test_fragments_are_completed_by_the_words_beside_each_other(searcher: Searcher, typed: str, completed: str):
    plan = searcher.analyse(typed)
    assert terms(completed_text(plan.text, plan.prefixes, searcher.postings)) == terms(completed)  # any form


def test_two_letters_are_no_prefix(searcher: Searcher):
    assert searcher.analyse("wi fi").prefixes == ()
    assert searcher.analyse("my wif keeps").prefixes == ("wif",)


def test_the_api_finds_half_typed_words(served_kb: str):
    def get(path: str, query: str) -> dict:
        with urllib.request.urlopen(f"{served_kb}{path}?{urlencode({'q': query})}", timeout=30) as answer:
            return json.loads(answer.read())

    search = get("/api/search", "my wif")
    assert search["total"] > 0 and search["correction"] is None
    assert get("/api/search", "firmw")["hits"][0]["path"] == "homehub/update-hub-firmware.md"
    suggested = get("/api/suggest", "passw")
    titles = [s["title"] for s in (suggested["suggestions"] if isinstance(suggested, dict) else suggested)]
    assert titles[0] == "Reset your password"
