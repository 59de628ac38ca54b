"""`kb report` over a real activity log and a real knowledge base, and `kb search` writing the log."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import PRODUCTS_YML, SITE_YML, article

from kb_tools.cli import main
from kb_tools.measure.activity import LOG_FILE, ActivityLog, read_activity
from kb_tools.search import build_index

TODAY = dt.date.today()


def noon(days_ago: int) -> float:
    return dt.datetime.combine(TODAY - dt.timedelta(days=days_ago), dt.time(12)).timestamp()


# Three articles about red lights; router/b.md only lists the phrase, so it is not found in the top 3.
DOCS = {
    **{f"router/red{n}.md": article(f"Hub lights are red {n}", summary="When the hub lights are red.",
                                    customer_says="[hub lights are red]") for n in range(3)},
    "router/b.md": article("Change the Wi-Fi password", customer_says="[hub lights are red]"),
    "router/lights.md": article("Router lights", reviewed="2000-01-01", review_every=30, customer_says="[lights]"),
    "portal/sign-in.md": article("Sign in to the portal", product="portal", owner="bo", customer_says="[log in]"),
    "portal/close.md": article("Close the account", product="portal", owner="bo", status="draft",
                               customer_says="[close account]"),
    "portal/orphan.md": article("Orphan answer", product="portal", owner=None, customer_says="[orphan]"),
}


@dataclass
class KB:
    docs: Path
    index: Path
    log: Path


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> KB:
    """A small knowledge base, its index, and a log of two weeks of desk activity."""
    root = tmp_path_factory.mktemp("report-kb")
    docs = root / "docs"
    for relative, text in DOCS.items():
        (docs / relative).parent.mkdir(parents=True, exist_ok=True)
        (docs / relative).write_text(text, encoding="utf-8")
    (docs / "products.yml").write_text(PRODUCTS_YML, encoding="utf-8")
    (root / "mkdocs.yml").write_text(SITE_YML, encoding="utf-8")
    build_index(docs, root / "ix", semantic=False)
    log = ActivityLog(root / "activity.sqlite")
    # No results, three times, typed two ways.
    for n, text in enumerate(["wifi password forgotten", "WiFi password  forgotten", "wifi password forgotten"]):
        log.record_search(text, results=0, session=f"desk-000{n}", at=noon(0) + n)
    # Results shown, nothing opened, and none matched well.
    log.record_search("router lights", results=2, shown=["router/lights.md", "router/red0.md"], session="desk-0010",
                      confidence="none", at=noon(1))
    # Reworded, then opened.
    log.record_search("portal locked out", results=1, shown=["router/red1.md"], session="desk-0020", at=noon(1) + 100,
                      confidence="partial")
    final = log.record_search("cannot log in portal", results=1, shown=["portal/sign-in.md"], session="desk-0020",
                              at=noon(1) + 120)
    log.record_click(final, "portal/sign-in.md", rank=1, at=noon(1) + 125)
    # Before the default week.
    log.record_search("reset the router", results=3, shown=["router/red2.md"], session="desk-0030", at=noon(10))
    log.record_feedback("router/lights.md", helpful=False, reason="missing-step", comment="step 2 screen differs",
                        step=2, via="call", at=noon(0))
    log.record_feedback("router/lights.md", helpful=True, at=noon(1))
    log.record_feedback("portal/sign-in.md", helpful=True, at=noon(1))
    log.record_feedback("router/red0.md", helpful=False, reason="inaccurate", at=noon(10))
    log.close()
    return KB(docs, root / "ix", root / "activity.sqlite")


def kb_report(kb: KB, *args: str) -> Result:
    return CliRunner().invoke(main, ["report", "--docs", str(kb.docs), "--index", str(kb.index), "--log", str(kb.log),
                                     *args], catch_exceptions=False)


def report_json(kb: KB, *args: str) -> dict:
    result = kb_report(kb, "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# --- the report ----------------------------------------------------------------------------------


def test_the_text_report_shows_gaps_usage_helpfulness_and_health(kb: KB):
    result = kb_report(kb)
    assert result.exit_code == 0, result.output
    text = result.stdout
    week = TODAY - dt.timedelta(days=6)
    assert text.startswith(f"kb report: {week} to {TODAY}  (log: {kb.log})\n")
    assert "6 searches by 5 sessions: 3 with no results (50%), 4 with no good match (67%), 1 desk search with nothing " \
           "opened, 1 reworded; 3 feedback votes." in text
    # Searches with results that answered badly are gaps too (before: only the zero-result ones).
    assert ("Content gaps: no good match (no results, or none answering well)\n    3  'wifi password forgotten'  "
            "(last ") in text
    assert re.search(r"none answering well\)\n.*\n    1  'router lights'  \(last ", text)
    assert "Content gaps: results shown, none opened\n    1  'router lights'  first result router/lights.md" in text
    assert ("Reworded searches, by the query that ended them\n    1  'cannot log in portal'  after "
            "'portal locked out' (1); opened 1 of 1") in text
    assert "Top articles, opened from search\n    1  portal/sign-in.md  Sign in to the portal  [bo]" in text
    assert re.search(r"yes   1  no   1  router/lights.md  Router lights  \[ana\]\n +reasons: missing step 1\n"
                     r" +calls stuck at: step 2 \(1\)\n +\S+ missing step, step 2: 'step 2 screen differs'", text)
    assert "Overdue reviews, by owner\n       ana (1): router/lights.md (due 2000-01-31)" in text
    assert "Drafts\n       portal/close.md  Close the account  [bo]" in text
    assert "Without an owner\n       portal/orphan.md  Orphan answer" in text
    assert re.search(r"Customer phrases not found in the top 3\n +router/b.md: customer phrase \"hub lights are red\" "
                     r"finds it only at rank [45]", text)
    assert "reset the router" not in text  # ten days ago: before the period


def test_a_search_without_words_is_no_content_gap(kb: KB, tmp_path: Path):
    """Searches of punctuation alone ("...", a lone quote) ask nothing the content could answer; they
    came first among the content gaps, grouped as one query shown as '...'."""
    log = ActivityLog(tmp_path / "activity.sqlite")
    for n, text in enumerate(["...", '"', ":", "?!"]):
        log.record_search(text, results=0, confidence="none", session=f"desk-01{n}", at=noon(0) + 100 * n)
    log.record_search("wifi password forgotten", results=0, confidence="none", session="desk-0200", at=noon(0) + 900)
    log.close()
    data = report_json(KB(kb.docs, kb.index, tmp_path / "activity.sqlite"), "--no-findability")
    assert [q["query"] for q in data["no_match_queries"]] == ["wifi password forgotten"]
    assert [q["query"] for q in data["zero_result_queries"]] == ["wifi password forgotten"]


def test_json_has_every_list(kb: KB):
    data = report_json(kb, "--no-findability")
    assert data["searches"] == 6 and data["zero_results"] == 3 and data["votes"] == 3
    assert data["zero_result_queries"][0]["query"] == "wifi password forgotten"
    assert data["zero_result_queries"][0]["count"] == 3 and data["zero_result_queries"][0]["example"] == "wifi password forgotten"
    assert data["no_good_match"] == 4
    assert [(q["query"], q["count"]) for q in data["no_match_queries"]] == [("wifi password forgotten", 3),
                                                                          ("router lights", 1)]
    assert data["unopened_queries"] == [{"query": "router lights", "count": 1, "example": "router lights",
                                         "last": (TODAY - dt.timedelta(days=1)).isoformat(), "opened": 0,
                                         "top_result": "router/lights.md"}]
    assert data["rewordings"] == [{"final": "cannot log in portal", "count": 1, "opened": 1,
                                   "earlier": [{"query": "portal locked out", "count": 1}]}]
    lights = next(h for h in data["helpfulness"] if h["path"] == "router/lights.md")
    assert (lights["yes"], lights["no"], lights["reasons"], lights["stuck_steps"]) == (1, 1, {"missing-step": 1}, {"2": 1})
    # router/red2.md was found ten days ago, before the period.
    assert [a["path"] for a in data["never_found"]] == ["portal/close.md", "portal/orphan.md", "router/b.md",
                                                        "router/red2.md"]
    assert [d["searches"] for d in data["days"]] == [0, 0, 0, 0, 0, 3, 3]
    assert [i["path"] for i in data["overdue"]["ana"]] == ["router/lights.md"]
    assert data["findability"] == [] and data["findability_checked"] is False


def test_since_widens_the_period(kb: KB):
    since = TODAY - dt.timedelta(days=12)
    data = report_json(kb, "--since", since.isoformat(), "--no-findability")
    assert data["since"] == since.isoformat() and len(data["days"]) == 13
    assert data["searches"] == 7 and "reset the router" in [q["query"] for q in data["top_queries"]]
    assert {h["path"] for h in data["helpfulness"]} == {"router/lights.md", "portal/sign-in.md", "router/red0.md"}


def test_owner_narrows_everything_to_their_articles(kb: KB):
    result = kb_report(kb, "--owner", "BO", "--no-findability")
    assert result.exit_code == 0, result.output
    assert "\nTo do: 1 reworded search, 1 draft\n" in result.stdout
    data = report_json(kb, "--owner", "bo", "--no-findability")
    assert data["owner"] == "bo"
    assert data["zero_result_queries"] == []  # nobody's article
    assert data["searches"] == 1 and [q["query"] for q in data["top_queries"]] == ["cannot log in portal"]
    assert [r["final"] for r in data["rewordings"]] == ["cannot log in portal"]
    assert [h["path"] for h in data["helpfulness"]] == ["portal/sign-in.md"]
    assert data["overdue"] == {} and [d["path"] for d in data["drafts"]] == ["portal/close.md"]
    assert [a["path"] for a in data["never_found"]] == ["portal/close.md"]
    ana = report_json(kb, "--owner", "ana", "--no-findability")
    assert [i["path"] for i in ana["overdue"]["ana"]] == ["router/lights.md"]
    assert {h["path"] for h in ana["helpfulness"]} == {"router/lights.md"}


def test_an_unknown_owner_or_a_bad_date_is_one_clear_line(kb: KB):
    result = kb_report(kb, "--owner", "nobody")
    assert result.exit_code == 1
    assert result.output == "Error: no article has the owner 'nobody'; the owners are: ana, bo.\n"
    bad = kb_report(kb, "--since", "2026-02-30")
    assert bad.exit_code == 2 and "Invalid value for '--since'" in bad.output
    later = kb_report(kb, "--since", (TODAY + dt.timedelta(days=2)).isoformat())
    assert later.exit_code == 1 and "is after" in later.output and "Traceback" not in later.output


def test_html_is_one_self_contained_page_with_its_charts(kb: KB, tmp_path: Path):
    result = kb_report(kb, "--html", str(tmp_path / "out"), "--no-findability")
    assert result.exit_code == 0, result.output
    page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert page.count('class="kb-chart"') == 3 and page.count("<svg ") == 3
    assert page.count('<g class="bar" data-day=') == 7
    assert '<g class="bar" data-article="router/lights.md" data-yes="1" data-no="1">' in page
    # Nothing to fetch: no scripts, stylesheets, images, fonts or imports; the only URL is SVG's namespace.
    assert not re.search(r"<script|<link|<img|src=|url\(|@import", page)
    assert set(re.findall(r"https?://[^\s\"'<>]+", page)) == {"http://www.w3.org/2000/svg"}
    assert "cannot log in portal" in page and "step 2 screen differs" in page
    gaps = page[page.index("<h3>No good match (no results, or none answering well)</h3>"):page.index("<h3>Results shown")]
    assert "wifi password forgotten" in gaps and "router lights" in gaps


def test_without_a_log_the_report_still_shows_content_health(kb: KB, tmp_path: Path):
    result = CliRunner().invoke(main, ["report", "--docs", str(kb.docs), "--index", str(kb.index), "--no-log",
                                       "--no-findability"], catch_exceptions=False)
    assert result.exit_code == 0
    assert "Note: the activity log is off" in result.stdout and "ana (1): router/lights.md" in result.stdout
    missing = CliRunner().invoke(main, ["report", "--docs", str(kb.docs), "--log", str(tmp_path / "none.sqlite"),
                                        "--no-findability"], catch_exceptions=False)
    assert f"no activity log at {tmp_path / 'none.sqlite'} yet" in missing.stdout


# --- kb search writes the log ------------------------------------------------------------------


@pytest.fixture
def searched(kb: KB, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.delenv("KB_LOG", raising=False)
    yield tmp_path / "searches.sqlite"


def kb_search(kb: KB, *args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner(env=env).invoke(main, ["search", *args, "--index", str(kb.index)], catch_exceptions=False)


def test_kb_search_records_each_search_and_rewordings(kb: KB, searched: Path):
    assert kb_search(kb, "hub lights red", "--log", str(searched)).exit_code == 0
    assert kb_search(kb, "zzqqxx nothing", "--log", str(searched), "--product", "portal").exit_code == 0
    rows = read_activity(searched).searches
    assert [(r.source, r.query, r.results > 0) for r in rows] == [("cli", "hub lights red", True),
                                                                    ("cli", "zzqqxx nothing", False)]
    assert rows[0].shown[0].startswith("router/red") and rows[1].filters == {"product": "portal"}
    assert rows[0].reworded_as == rows[1].id and rows[0].session == rows[1].session  # one user, within a minute
    assert rows[0].confidence in ("strong", "partial") and rows[1].confidence == "none"  # kept for kb report's gaps


def test_no_log_and_kb_log_off_record_nothing(kb: KB, searched: Path):
    kb_search(kb, "hub lights red", "--log", str(searched))
    assert kb_search(kb, "router lights", "--log", str(searched), "--no-log").exit_code == 0
    assert kb_search(kb, "router lights", env={"KB_LOG": "off"}).exit_code == 0
    assert [r.query for r in read_activity(searched).searches] == ["hub lights red"]
    assert not (kb.index.parent / LOG_FILE).exists()
    assert kb_search(kb, "router lights", env={"KB_LOG": str(searched)}).exit_code == 0
    assert len(read_activity(searched).searches) == 2


def test_kb_search_logs_beside_the_index_by_default(kb: KB, searched: Path):
    beside = kb.index.parent / LOG_FILE
    try:
        assert kb_search(kb, "sign in portal").exit_code == 0
        with sqlite3.connect(beside) as db:
            assert db.execute("SELECT query, source FROM searches").fetchall() == [("sign in portal", "cli")]
    finally:
        for leftover in kb.index.parent.glob(LOG_FILE + "*"):
            leftover.unlink()


def test_a_log_that_cannot_be_written_does_not_stop_the_search(kb: KB, tmp_path: Path):
    unwritable = tmp_path / "missing-folder" / "log.sqlite"
    result = kb_search(kb, "hub lights red", "--log", str(unwritable))
    assert result.exit_code == 0
    assert "1. Hub lights are red" in result.stdout
    assert (f"Note: this search was not recorded: cannot open the activity log {unwritable}: its folder is missing "
            "or not writable") in result.stderr


def test_the_report_page_is_kept_for_its_seconds_per_owner_and_date(kb: KB, tmp_path: Path):
    from kb_tools.measure.report_page import ReportPage

    log = tmp_path / "activity.sqlite"
    shutil.copy(kb.log, log)

    def searches(page: str) -> int:
        return int(re.search(r"<li><b>(\d+)</b>searches</li>", page).group(1))

    kept, fresh = (ReportPage(log, None, kb.index, cache_seconds=seconds) for seconds in (3600, 0))
    before = searches(kept.html("gen-1"))
    assert searches(fresh.html("gen-1")) == before
    ActivityLog(log).record_search("one more", results=0)
    assert searches(kept.html("gen-1")) == before  # the kept page
    assert searches(fresh.html("gen-1")) == before + 1
    # Another period is another page, built now.
    assert searches(kept.html("gen-1", since=(TODAY - dt.timedelta(days=2)).isoformat())) == before + 1
