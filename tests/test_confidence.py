"""Match confidence over the sample KB's real hybrid index: an answer says so, no answer says none."""

from __future__ import annotations

import csv

import pytest
from conftest import SAMPLE_DOCS

from kb_tools.search import Searcher, build_index
from kb_tools.search.confidence import LEVELS

LABELLED = SAMPLE_DOCS.parent / "tests" / "data" / "sample-confidence.tsv"


@pytest.fixture(scope="module")
def searcher(tmp_path_factory: pytest.TempPathFactory) -> Searcher:
    index = tmp_path_factory.mktemp("confidence-index")
    build_index(SAMPLE_DOCS, index)
    return Searcher(index)


@pytest.mark.parametrize("query", ["xyzzy plugh", "recipe for banana bread", "who won the match last night",
                                   "my dishwasher is leaking all over the kitchen"])
def test_questions_without_an_answer_say_none(searcher: Searcher, query: str):
    assert searcher.search(query).confidence == "none"


@pytest.mark.parametrize("query", ["brightwave app closes itself the second i open it",
                                   "cant remember what password i used for the brightwave website"])
def test_an_answer_is_a_strong_match(searcher: Searcher, query: str):
    results = searcher.search(query)
    assert results.mode == "hybrid" and results.confidence == "strong"


@pytest.mark.parametrize("query", ["firmware", "firmw", "passw"])
def test_a_word_naming_the_first_article_is_no_weak_match(searcher: Searcher, query: str):
    """A lone word is far from whole sections in meaning (0.3-0.4): "firmware", and "firmw" while it is
    typed, said `none` above "Update the HomeHub firmware"; a title holding every word is a match."""
    results = searcher.search(query)
    assert results.mode == "hybrid" and results.confidence != "none", results.hits[0].title


# (the words so far, the first letter or two of the next): those letters mean nothing yet.
@pytest.mark.parametrize(("settled", "begun"), [("my wifi", "ke"), ("reset my", "pa"), ("set up parental", "co"),
                                                ("book an engineer", "vi"), ("my wifi", "k")])
def test_a_word_just_begun_changes_nothing(searcher: Searcher, settled: str, begun: str):
    """Typing "my wifi ke" on the way to "keeps" said `none` (the desk's "No good match") above the
    results of "my wifi": "ke" counted as a word no article holds, and was embedded with the others.
    A word matches the words it starts from its third letter on (unfinished.py)."""
    typing, before = searcher.search(f"{settled} {begun}", typing=True), searcher.search(settled, typing=True)
    assert typing.confidence == before.confidence
    assert [(hit.path, hit.score) for hit in typing.hits] == [(hit.path, hit.score) for hit in before.hits]


def test_short_words_that_mean_something_stay(searcher: Searcher):
    assert searcher.analyse("zq", typing=True).terms == ["zq"]  # the only word: nothing else to search
    assert searcher.analyse("my wifi zq", typing=True).terms == ["wifi"]
    assert searcher.analyse("my wifi zq").terms == ["wifi", "zq"]  # a finished query: "samsung tv"
    for whole in ("homehub 7", "the hub light is on", "wifi tv"):  # a number, a stop word, a word of the index
        assert searcher.analyse(whole, typing=True).begun == "", whole


def test_every_result_set_has_a_level(searcher: Searcher):
    for query, mode in (("", "hybrid"), ("wifi", "lexical"), ("wifi", "semantic"), ("zzkx", "hybrid")):
        assert searcher.search(query, mode=mode).confidence in LEVELS
    assert searcher.search("").confidence == "none"
    assert searcher.search("reset my password", mode="lexical").confidence == "strong"


def test_none_is_mostly_right_on_the_labelled_set(searcher: Searcher):
    """The calibration set: `none` must catch most unanswerable queries and rarely an answerable one
    (bench/confidence.py prints both corpora). Measured 0.92 precision, 0.87 recall on the 35-article
    sample; 0.74 and 0.83 once it grew to 87 articles (14 questions it now answers relabelled `yes`):
    the thresholds were fitted to the small sample and are due a recalibration (issue 15)."""
    with LABELLED.open(encoding="utf-8", newline="") as handle:
        rows = [(r["query"], r["answerable"] == "yes") for r in csv.DictReader(handle, delimiter="\t")]
    said_none = [answerable for query, answerable in rows if searcher.search(query, limit=3).confidence == "none"]
    unanswerable = sum(not answerable for _, answerable in rows)
    precision = said_none.count(False) / len(said_none)
    recall = said_none.count(False) / unanswerable
    assert precision >= 0.7 and recall >= 0.8, (precision, recall)


def test_kb_search_says_when_nothing_matches_well(searcher: Searcher):
    from click.testing import CliRunner

    from kb_tools.cli import main

    index = str(searcher.index_dir)
    weak = CliRunner().invoke(main, ["search", "my dishwasher is leaking all over the kitchen", "--index", index,
                                     "--no-log"])
    good = CliRunner().invoke(main, ["search", "brightwave app closes itself the second i open it", "--index", index,
                                     "--no-log"])
    assert weak.exit_code == 0 and "No good match: try other words" in weak.output
    assert good.exit_code == 0 and "No good match" not in good.output
