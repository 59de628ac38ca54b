"""Search over real Whoosh indexes in tmp_path: ranking, depth, vocabulary, typos, hostile input."""

from __future__ import annotations

import concurrent.futures
import json
import math
import shutil
import urllib.parse
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from browser import Page, is_available
from click.testing import CliRunner
from conftest import SAMPLE_DOCS, article, copy_docs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb_tools.cli import main
from kb_tools.errors import IndexMissingError
from kb_tools.search import Searcher, build_index, index_exists, storage
from kb_tools.search.postings import BM25_B, BM25_K1, FIELDS, Postings
from kb_tools.search.postings_write import ArticleTerms, write_postings
from kb_tools.search.store import READS_BEFORE_TABLE, ArticleStore

TABS = ('## Steps\n\n=== "Beginner"\n\n    1. Tap **Settings**, the gear icon, then **Restart**.\n\n'
        '        Checkpoint: the light blinks.\n\n=== "Expert"\n\n    1. Issue a soft reboot via the admin API.\n')


@pytest.fixture(scope="module")
def sample_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    index = tmp_path_factory.mktemp("sample-index")
    build_index(SAMPLE_DOCS, index)
    return index


@pytest.fixture(scope="module")
def searcher(sample_index: Path) -> Searcher:
    return Searcher(sample_index)


def test_customer_words_find_the_article_first(searcher: Searcher):
    assert searcher.search("my internet keeps dropping").hits[0].path == "homehub/wifi-keeps-dropping.md"
    assert searcher.search("forgot login").hits[0].path == "account/reset-password.md"


def test_title_match_beats_body_mentions(write_docs, tmp_path: Path):
    docs = write_docs({
        "router/blinking.md": article("Router light blinking", body=TABS),
        "router/other.md": article("Change the channel", body="The light may be blinking while it works.\n\n" + TABS),
    })
    build_index(docs, tmp_path / "ix")
    assert [h.path for h in Searcher(tmp_path / "ix").search("light blinking").hits][0] == "router/blinking.md"


def test_depth_links_the_right_tab(searcher: Searcher):
    beginner = searcher.search("wifi keeps dropping optimise", depth="beginner").hits[0]
    expert = searcher.search("wifi keeps dropping channel", depth="expert").hits[0]
    assert (beginner.anchor, beginner.depth) == ("resolution", "beginner")
    assert (expert.anchor, expert.depth) == ("resolution", "expert")
    assert "<mark>" in beginner.snippet and beginner.url == "homehub/wifi-keeps-dropping/#resolution"


def test_thesaurus_and_customer_says(write_docs, tmp_path: Path):
    docs = write_docs({
        "portal/sign-in.md": article("Sign in to the portal", body=TABS, customer_says="[cannot get into my stuff]"),
        "portal/invoices.md": article("Download invoices", body=TABS),
    })
    (docs / "synonyms.yml").write_text("groups:\n  - [gizmo, portal]\n")
    build_index(docs, tmp_path / "ix")
    search = Searcher(tmp_path / "ix").search
    assert search("log in problem").hits[0].path == "portal/sign-in.md"
    assert search("cannot get into my stuff").hits[0].path == "portal/sign-in.md"
    assert search("gizmo").total == 1


def test_the_kb_vocabulary_travels_with_the_index(write_docs, tmp_path: Path):
    """A server host has the index, not docs/: synonyms.yml must reach it inside the index, and a
    change to it applies with the next `kb index` (as any change to the content does)."""
    docs = write_docs({"portal/sign-in.md": article("Sign in to the portal", body=TABS)})
    (docs / "synonyms.yml").write_text("groups:\n  - [gizmo, portal]\n")
    build_index(docs, tmp_path / "ix")
    searcher = Searcher(tmp_path / "ix")
    (docs / "synonyms.yml").write_text("groups:\n  - [widget, portal]\n")
    searcher.refresh()
    assert searcher.search("gizmo").total == 1 and searcher.search("widget").total == 0
    build_index(docs, tmp_path / "ix")
    shutil.rmtree(docs)
    assert searcher.refresh() and searcher.search("widget").total == 1 and searcher.search("gizmo").total == 0
    assert Searcher(tmp_path / "ix").search("widget").hits[0].path == "portal/sign-in.md"


def test_typo_gives_a_correction_and_results(searcher: Searcher):
    results = searcher.search("pasword resett")
    assert results.correction == "password reset"
    assert results.hits[0].path == "account/reset-password.md"


def test_last_word_matches_as_a_prefix(searcher: Searcher):
    paths = [h.path for h in searcher.search("parental contr").hits[:3]]
    assert "app/set-up-parental-controls.md" in paths


def test_filters_and_facets(searcher: Searcher):
    results = searcher.search("password", product="account")
    assert results.hits and {h.product for h in results.hits} == {"account"}
    everything = searcher.search("password")
    assert everything.facets["product"]["account"] >= len(results.hits)
    assert set(everything.facets) == {"product", "type"}
    assert all(h.type == "playbook" for h in searcher.search("caller", article_type="playbook").hits)
    nobody = searcher.search("password", product="no-such-product")  # answered before any ranking
    assert (nobody.hits, nobody.total, nobody.query) == ([], 0, "password")


def test_archived_hidden_unless_asked(write_docs, tmp_path: Path):
    docs = write_docs({"router/old.md": article("Old router reset", status="archived", body=TABS)})
    build_index(docs, tmp_path / "ix")
    searcher = Searcher(tmp_path / "ix")
    assert searcher.search("router reset").hits == []
    assert searcher.search("router reset", include_archived=True).hits[0].status == "archived"


HOSTILE = ['"', '"unclosed phrase', "AND OR NOT", "wifi AND", "*", "wi*", "title:wifi", "(((", ")",
           "!!!???", "", "   ", "a" * 10_000, "\x00\x01\x1b[31m", "Wi‑Fi ÄÖÜ 日本語 🙂", "NOT NOT NOT", "-", "~2"]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_queries_never_raise(searcher: Searcher, text: str):
    results = searcher.search(text)
    assert isinstance(results.hits, list)
    assert len(results.query) <= 500


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=300))
def test_any_text_is_a_query(searcher: Searcher, text: str):
    results = searcher.search(text, depth="beginner")
    assert all(h.path.endswith(".md") for h in results.hits)


def test_snippets_escape_article_html(write_docs, tmp_path: Path):
    body = "Type `<script>alert(1)</script>` in the router box.\n\n" + TABS
    docs = write_docs({"router/x.md": article("Script box", body=body)})
    build_index(docs, tmp_path / "ix")
    snippet = Searcher(tmp_path / "ix").search("router box script").hits[0].snippet
    assert "<script" not in snippet and "&lt;<mark>script</mark>&gt;alert(1)" in snippet
    assert snippet.replace("<mark>", "").replace("</mark>", "").count("<") == 0


def test_incremental_update_after_edit_add_delete(write_docs, tmp_path: Path):
    docs = write_docs({"router/a.md": article("Alpha router", body=TABS), "router/b.md": article("Beta router", body=TABS)})
    index = tmp_path / "ix"
    first = build_index(docs, index)
    assert (first.full_rebuild, first.added) == (True, 2)
    (docs / "router/a.md").write_text(article("Alpha router zebra", body=TABS))
    (docs / "router/c.md").write_text(article("Gamma router", body=TABS))
    (docs / "router/b.md").unlink()
    second = build_index(docs, index)
    assert (second.full_rebuild, second.added, second.updated, second.deleted, second.unchanged) == (False, 1, 1, 1, 0)
    searcher = Searcher(index)
    assert [h.path for h in searcher.search("zebra").hits] == ["router/a.md"]
    assert searcher.search("beta").hits == []
    assert searcher.search("gamma").hits[0].path == "router/c.md"
    assert build_index(docs, index).unchanged == 2
    # After enough reads a process looks articles up in a table of paths: the same live records
    # (the edited article's new version, none for the deleted one) as the lookup by key.
    store = ArticleStore(storage.open_generation(index).path, index_dir=index)
    looked_up = {path: store._read_article(path) for path in ("router/a.md", "router/b.md", "router/c.md")}
    for _ in range(READS_BEFORE_TABLE):
        store._read_article("router/c.md")
    assert store._numbers is not None
    assert {path: store._read_article(path) for path in looked_up} == looked_up
    edited = looked_up["router/a.md"]
    assert looked_up["router/b.md"] is None and edited is not None and "zebra" in edited["meta"]["title"].lower()


def test_updated_postings_equal_those_of_a_full_build(tmp_path: Path):
    """An update merges into the kept postings instead of re-sorting them; it must give exactly
    what a full build of the same files gives (article numbers aside)."""
    docs = copy_docs(tmp_path)
    updated, full = tmp_path / "updated", tmp_path / "full"
    build_index(docs, updated, semantic=False)
    edited = sorted(docs.rglob("*.md"))
    edited[3].write_text(edited[3].read_text(encoding="utf-8") + "\nA zebracorn walks past the router.\n")
    edited[5].unlink()
    (docs / "homehub" / "zebracorn.md").write_text(article("The zebracorn light", body=TABS, product="homehub"))
    assert build_index(docs, updated, semantic=False).full_rebuild is False
    build_index(docs, full, rebuild=True, semantic=False)

    def entries(index: Path) -> tuple[set, dict]:
        postings = Postings.open(storage.open_generation(index).path)
        found = set()
        for field in FIELDS:
            for term in postings.vocabulary:
                lo, hi = postings._run(field, term)
                found |= {(field, term, postings.paths[d], float(f))
                          for d, f in zip(postings.docs[lo:hi], postings.freq[lo:hi], strict=False)}
        lengths = {path: postings.lengths[:, number].tolist() for number, path in enumerate(postings.paths)}
        return found, lengths

    assert entries(updated) == entries(full)


def test_searcher_keeps_its_generation_until_refresh(write_docs, tmp_path: Path):
    docs = write_docs({"router/a.md": article("Alpha router", body=TABS)})
    build_index(docs, tmp_path / "ix")
    searcher = Searcher(tmp_path / "ix")
    (docs / "router/a.md").write_text(article("Omega router", body=TABS))
    build_index(docs, tmp_path / "ix")
    assert searcher.search("alpha").hits  # still the old generation
    assert searcher.refresh() is True
    assert searcher.search("omega").hits and not searcher.search("alpha").hits


def test_missing_and_damaged_index_say_what_to_run(tmp_path: Path, write_docs):
    with pytest.raises(IndexMissingError, match="build it with `kb index`"):
        Searcher(tmp_path / "none")
    docs = write_docs({"router/a.md": article(body=TABS)})
    build_index(docs, tmp_path / "ix")
    live = next((tmp_path / "ix").glob("gen-*"))
    (live / "manifest.json").write_text("{broken")
    with pytest.raises(IndexMissingError, match="kb index --rebuild"):
        Searcher(tmp_path / "ix")
    assert index_exists(tmp_path / "ix")


def test_cli_search_json_schema(sample_index: Path):
    result = CliRunner().invoke(main, ["search", "forgot login", "--index", str(sample_index), "--json", "--limit", "2"],
                                catch_exceptions=False)
    data = json.loads(result.output)
    assert set(data) == {"query", "total", "correction", "confidence", "facets", "generation", "mode", "notice", "hits",
                         "pinned"}
    assert set(data["hits"][0]) == {"path", "title", "summary", "product", "type", "status", "section", "anchor",
                                    "depth", "url", "score", "snippet", "badge", "customer_phrase"}
    assert len(data["hits"]) == 2
    assert data["mode"] == "hybrid" and data["notice"] is None


def test_cli_search_no_results_and_missing_index(sample_index: Path, tmp_path: Path):
    runner = CliRunner()
    empty = runner.invoke(main, ["search", "zzzzqqq", "--index", str(sample_index)])
    assert empty.exit_code == 0 and "No articles found for 'zzzzqqq'." in empty.output
    missing = runner.invoke(main, ["search", "wifi", "--index", str(tmp_path / "none")])
    assert missing.exit_code == 1 and "build it with `kb index`" in missing.output
    assert "Traceback" not in missing.output


def test_cli_steps_by_path_and_by_words(sample_index: Path):
    runner = CliRunner()
    by_path = runner.invoke(main, ["steps", "homehub/wifi-keeps-dropping.md", "--index", str(sample_index), "--json"])
    data = json.loads(by_path.output)
    assert data["title"] == "Wi-Fi keeps dropping" and len(data["steps"]) == 5
    assert data["steps"][0]["checkpoint"].startswith("the Internet light is solid white")
    by_words = runner.invoke(main, ["steps", "forgot my password", "--index", str(sample_index), "--depth", "expert"])
    assert by_words.exit_code == 0 and "Reset your password" in by_words.output and "\n1. Sign-in page" in by_words.output


def test_result_urls_exist_in_the_built_site(searcher: Searcher, sample_site: Path):
    for query in ("wifi dropping", "password", "app crash", "refund", "angry caller", "lights"):
        for hit in searcher.search(query, depth="beginner").hits:
            page = sample_site / hit.url.split("#")[0] / "index.html"
            assert page.is_file(), hit.url
            if hit.anchor:
                assert f'id="{hit.anchor}"' in page.read_text(encoding="utf-8"), hit.url


SAMPLE_QUERIES = Path(__file__).parent / "sample-queries.tsv"
# Measured 0.891 (P@1 0.844) when the set was written on 35 articles; 0.765 on the 87-article sample
# with 98 rows (session 5: unjudged correct answers among the new articles, and the playbook rule's
# misses on service questions); 0.790 (P@1 0.653) once service questions are told by the kind of the
# closest section (tests/test_standing.py). A floor against regressions, not a target.
SAMPLE_MRR_FLOOR = 0.775


def test_sample_kb_query_set_stays_above_its_floor(sample_index: Path):
    result = CliRunner().invoke(main, ["eval", str(SAMPLE_QUERIES), "--index", str(sample_index), "--json"],
                                catch_exceptions=False)
    data = json.loads(result.output)
    assert data["queries"] >= 40
    assert data["mrr@10"] >= SAMPLE_MRR_FLOOR, [q for q in data["per_query"] if q["rank"] is None]
    assert set(data) >= {"mrr@10", "ndcg@10", "recall@10", "p@1", "per_query"}


def test_eval_rejects_a_malformed_query_file(tmp_path: Path, sample_index: Path):
    bad = tmp_path / "q.tsv"
    bad.write_text("qid\tquery\trelevant\nq1\tsome words\thomehub/x.md:two\n")
    result = CliRunner().invoke(main, ["eval", str(bad), "--index", str(sample_index)])
    assert result.exit_code == 1
    assert f"{bad}:2: judgment 'homehub/x.md:two' should be `path:grade`" in result.output


# --- phrase and field queries (Whoosh's query language) ----------------------------------------

PAYMENT = ('## Steps\n\n=== "Beginner"\n\n    1. Read the message on the **Payment status** screen: '
           '"Error PAY-051: card declined".\n\n=== "Expert"\n\n    1. Look up PAY-051 in the billing console.\n')
SCATTERED = ('## Steps\n\n=== "Beginner"\n\n    1. Tap **Cards**. A declined payment may need a new card.\n\n'
             '        Checkpoint: the error is gone.\n\n=== "Expert"\n\n    1. Card on file: check PAY-051 there.\n')
OPTIMISE = ('## Steps\n\n=== "Beginner"\n\n    1. Tap **Wi-Fi**, then **Optimise Wi-Fi**.\n\n'
            '        Checkpoint: the light is white.\n\n=== "Expert"\n\n    1. Run the channel scan.\n')
MENTIONS = ('## Steps\n\n=== "Beginner"\n\n    1. Tap **Settings**. Optimise Wi-Fi is not needed here.\n\n'
            '        Checkpoint: done.\n\n=== "Expert"\n\n    1. Optimise Wi-Fi from the admin API.\n')


@pytest.fixture(scope="module")
def syntax_searcher(tmp_path_factory: pytest.TempPathFactory) -> Searcher:
    root = tmp_path_factory.mktemp("syntax")
    docs = root / "docs"
    files = {
        "portal/card-declined.md": article("Card payment fails", body=PAYMENT, product="portal"),
        "portal/cards.md": article("Manage saved cards", body=SCATTERED, product="portal"),
        "router/refund-fees.md": article("Refund of router fees", body=TABS),
        "router/optimise.md": article("Wi-Fi is slow", body=OPTIMISE, owner="priya"),
        "router/mentions.md": article("Router settings", body=MENTIONS, tags="[wifi, billing]"),
    }
    for path, text in files.items():
        (docs / path).parent.mkdir(parents=True, exist_ok=True)
        (docs / path).write_text(text, encoding="utf-8")
    (docs / "products.yml").write_text("products:\n  - id: router\n    name: Router\n  - id: portal\n    name: Portal\n")
    build_index(docs, root / "ix", semantic=False)
    return Searcher(root / "ix")


def paths(results) -> list[str]:  # noqa: ANN001 - SearchResults
    return [h.path for h in results.hits]


def test_a_quoted_phrase_finds_only_the_words_side_by_side(syntax_searcher: Searcher):
    search = syntax_searcher.search
    assert set(paths(search("card declined PAY-051"))) >= {"portal/card-declined.md", "portal/cards.md"}
    exact = search('"Error PAY-051: card declined"')
    assert paths(exact) == ["portal/card-declined.md"] and exact.total == 1
    assert exact.query == '"Error PAY-051: card declined"'  # shown as typed, quotes and all
    assert "<mark>" in exact.hits[0].snippet
    typed_quotes = search("\u201cError PAY-051: card declined\u201d")  # as a phone keyboard types them
    assert paths(typed_quotes) == ["portal/card-declined.md"]
    assert search('"declined card"').hits == []  # the other order is another phrase


def test_field_queries_look_in_one_field(syntax_searcher: Searcher):
    search = syntax_searcher.search
    assert paths(search("title:refund")) == ["router/refund-fees.md"]
    # Every article naming the on-screen label, not those that only mention its words.
    assert paths(search('label:"Optimise Wi-Fi"')) == ["router/optimise.md"]
    assert set(paths(search('"Optimise Wi-Fi"'))) == {"router/optimise.md", "router/mentions.md"}
    assert paths(search("owner:priya")) == ["router/optimise.md"]
    assert paths(search("tags:billing")) == ["router/mentions.md"]
    assert set(paths(search("title:refund OR title:slow"))) == {"router/refund-fees.md", "router/optimise.md"}
    assert paths(search('"Optimise Wi-Fi" NOT label:optimise')) == ["router/mentions.md"]


def test_filters_and_facets_apply_to_phrase_matches(syntax_searcher: Searcher):
    results = syntax_searcher.search('"Optimise Wi-Fi"', product="portal")
    assert results.hits == [] and results.total == 0
    results = syntax_searcher.search("PAY-051 title:card")
    assert results.facets == {"product": {"portal": 2}, "type": {"how-to": 2}}


BAD_SYNTAX = ['"unclosed phrase', 'label:"', "title:", 'title:"', "AND OR", "NOT", '""', '" "', "title:(", "((",
              '"the of"', "label:", "NOT title:router", 'wifi "', ':"', "title::", "*:*", "title:*", 'label:"Optimise',
              'router "card declined', 'label:""']


@pytest.mark.parametrize("text", BAD_SYNTAX)
def test_bad_syntax_reads_as_plain_words(syntax_searcher: Searcher, text: str):
    words = " ".join(text.replace('"', " ").replace(":", " ").replace("*", " ").split())
    assert paths(syntax_searcher.search(text)) == paths(syntax_searcher.search(words))


QUERY_PIECES = st.sampled_from(['"', "title:", "label:", "tags:", "owner:", "AND", "OR", "NOT", "(", ")", "*", "?",
                                "wifi", "card", "declined", "Optimise", "Wi-Fi", "PAY-051", ":", "\\", "'", "~", "^2",
                                "[", "]", "to", "\u201c", " "])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(QUERY_PIECES, max_size=12).map(" ".join) | st.lists(QUERY_PIECES, max_size=12).map("".join))
def test_any_syntax_is_a_query(syntax_searcher: Searcher, text: str):
    results = syntax_searcher.search(text, depth="beginner")
    assert all(h.path.endswith(".md") for h in results.hits) and results.total >= len(results.hits)


def test_cli_and_api_accept_the_syntax(sample_index: Path, served_kb: str):
    result = CliRunner().invoke(main, ["search", 'label:"Optimise Wi-Fi"', "--index", str(sample_index), "--json",
                                       "--no-log"], catch_exceptions=False)
    assert {h["path"] for h in json.loads(result.output)["hits"]} == {"homehub/wifi-keeps-dropping.md",
                                                                      "homehub/slow-wifi-speeds.md"}
    query = urllib.parse.urlencode({"q": '"declined by your bank"'})
    with urllib.request.urlopen(f"{served_kb.rstrip('/')}/api/search?{query}", timeout=10) as answer:
        data = json.load(answer)
    assert data["query"] == '"declined by your bank"'
    # the two articles that quote the PAY-051 message: the troubleshooting and the error-code reference
    assert {h["path"] for h in data["hits"]} == {"account/payment-failed.md", "policies/error-codes.md"}
    assert data["total"] == 2


# --- the postings against a brute-force BM25F ---------------------------------------------------

CORPUS_WORDS = ["router", "light", "blink", "reset", "card", "pay", "wifi", "slow", "cabl", "port"]


def brute_force_bm25f(articles: list[ArticleTerms], weighted: list[tuple[str, str, float]]) -> dict[str, float]:
    """BM25F by the book, one article and one term at a time."""
    count = len(articles)
    scores = {a.path: 0.0 for a in articles}
    for field, term, weight in weighted if articles else []:
        lengths = [len(a.fields.get(field, [])) for a in articles]
        average = max(sum(lengths) / count, 1.0)
        frequency = sum(term in a.fields.get(field, []) for a in articles)
        if not frequency:
            continue
        idf = math.log(1 + (count - frequency + 0.5) / (frequency + 0.5))
        for terms_of, length in zip(articles, lengths, strict=True):
            tf = terms_of.fields.get(field, []).count(term)
            if tf:
                scores[terms_of.path] += weight * idf * tf * (BM25_K1 + 1) / (
                    tf + BM25_K1 * (1 - BM25_B + BM25_B * length / average))
    return scores


def corpus_article(path: str, title: list[str], body: list[str]) -> ArticleTerms:
    return ArticleTerms.from_texts(path, {"title": " ".join(title), "body": " ".join(body)}, product="router",
                                   type="how-to", status="validated", tags=["router"])


ARTICLE_WORDS = st.tuples(st.lists(st.sampled_from(CORPUS_WORDS), min_size=1, max_size=4),
                          st.lists(st.sampled_from(CORPUS_WORDS), max_size=30))


@settings(max_examples=40, deadline=None)
@given(first=st.lists(ARTICLE_WORDS, min_size=1, max_size=8), second=st.lists(ARTICLE_WORDS, max_size=4),
       replaced=st.sets(st.integers(0, 7)),
       query=st.lists(st.tuples(st.sampled_from(["title", "body", "pairs"]),
                                st.sampled_from(CORPUS_WORDS + ["router_light", "card_pay"]),
                                st.floats(0.1, 2.0)), min_size=1, max_size=6))
def test_postings_score_as_a_brute_force_bm25f(tmp_path_factory: pytest.TempPathFactory, first: list, second: list,
                                               replaced: set[int], query: list[tuple[str, str, float]]):
    """Built in full, then updated (some articles replaced, others added: the merge of the kept
    entries), the postings give every article the score BM25F gives it computed by hand."""
    directory = tmp_path_factory.mktemp("postings")
    articles = [corpus_article(f"a{n}.md", title, body) for n, (title, body) in enumerate(first)]
    write_postings(directory, articles, set())
    updated = [corpus_article(f"a{n}.md", title, body) for n, (title, body) in zip(sorted(replaced), second,
                                                                                  strict=False)]
    updated += [corpus_article(f"new{n}.md", title, body) for n, (title, body) in enumerate(second[len(updated):])]
    gone = {f"a{n}.md" for n in replaced if n < len(first)} - {a.path for a in updated}
    write_postings(directory, updated, {a.path for a in updated} | gone)
    live = [a for a in articles if a.path not in gone and a.path not in {u.path for u in updated}] + updated
    postings = Postings.open(directory)
    assert sorted(postings.paths) == sorted(a.path for a in live)
    scores = postings.score(query)
    expected = brute_force_bm25f(live, query)
    for number, path in enumerate(postings.paths):
        assert scores[number] == pytest.approx(expected[path], rel=1e-5, abs=1e-6), path
    # Presence without scoring (match confidence) agrees with the scores, term by term.
    for field, term, _ in query:
        holding = {a.path for a in live if term in a.fields.get(field, [])}
        assert {postings.paths[n] for n in np.flatnonzero(postings.holding(term, [field]))} == holding


def test_a_field_query_lists_every_match_asked_for(write_docs, tmp_path: Path):
    """A writer renaming a label wants every article that names it, beyond the 50 candidates of everyday ranking."""
    docs = write_docs({f"router/a{n}.md": article(f"Router task {n}", body=OPTIMISE) for n in range(60)}
                      | {"router/other.md": article("Router settings", body=MENTIONS)})
    build_index(docs, tmp_path / "ix", semantic=False)
    results = Searcher(tmp_path / "ix").search('label:"Optimise Wi-Fi"', limit=100)
    assert results.total == 60 and len(results.hits) == 60 and "router/other.md" not in paths(results)


def test_one_searcher_serves_many_threads(syntax_searcher: Searcher):
    queries = ['"Error PAY-051: card declined"', "card declined", 'label:"Optimise Wi-Fi"', "router refund",
               "title:refund OR title:slow", "wifi slow"] * 8
    alone = {q: paths(syntax_searcher.search(q)) for q in set(queries)}
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        together = list(pool.map(lambda q: (q, paths(syntax_searcher.search(q))), queries))
    assert all(found == alone[q] for q, found in together) and any(alone.values())


@pytest.mark.skipif(not is_available(), reason="chromium is not installed (run `make browser`)")
def test_the_desk_sends_quotes_as_typed(page: Page, served_kb: str):
    """The desk's search box passes the syntax through the API untouched: the quoted message finds
    the two articles holding it (the same words unquoted find many more)."""
    page.goto(served_kb.rstrip("/") + "/")
    page.wait_for_function("document.documentElement.dataset.kbSearch === 'api'")
    page.keyboard.press("/")
    page.wait_for_function("document.activeElement.matches('[data-md-component=search-query]')")
    typed = '"declined by your bank"'
    page.keyboard.type(typed[:-1])

    def sent_as_typed(response) -> bool:  # noqa: ANN001 - a Playwright Response
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(response.url).query).get("q")
        return "/api/search" in response.url and query == [typed]

    with page.expect_response(sent_as_typed) as answer:
        page.keyboard.type(typed[-1])
    assert answer.value.json()["total"] == 2  # unquoted, the same words find many more
    page.wait_for_function("!document.querySelector('[data-md-component=search]').hasAttribute('aria-busy')"
                           " && document.querySelectorAll('.kb-result').length === 2")
    assert page.evaluate("document.querySelector('.kb-result__title').textContent") == "Bill payment failed"
