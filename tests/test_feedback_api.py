"""The activity log through `kb serve`: searches, clicks and feedback over HTTP, the report, the desk's widget.

One real `kb serve` for the module, with its own log in a temporary folder, over the session's
built sample site and index. Browser states are saved under test-artifacts/activity/.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import http.client
import json
import logging
import sqlite3
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from browser import Browser, Page, is_available, new_page
from click.testing import CliRunner
from conftest import ROOT, SAMPLE_DOCS, SERVED_INDEXES, in_process, kb_serve

from kb_tools.cli import main
from kb_tools.measure.activity import ActivityLog, read_activity

SHOTS = ROOT / "test-artifacts" / "activity"
ARTICLE = "homehub/wifi-keeps-dropping/"
ARTICLE_PATH = "homehub/wifi-keeps-dropping.md"
# Call mode through its five steps: an answer at steps 1, 2 and 5, the arrow key where there is none.
WALK_TO_THE_END = ("1", "1", "ArrowRight", "ArrowRight", "2")
needs_chromium = pytest.mark.skipif(not is_available(), reason="chromium is not installed (run `make browser`)")


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self):  # noqa: ANN201 - whatever the API answered
        return json.loads(self.body)


def send(base: str, method: str, target: str, body: bytes | None = None, headers: dict[str, str] | None = None,
         connection: http.client.HTTPConnection | None = None) -> Answer:
    where = urlsplit(base)
    own = connection is None
    connection = connection or http.client.HTTPConnection(where.hostname, where.port, timeout=30)
    try:
        connection.request(method, target, body=body, headers=headers or {})
        response = connection.getresponse()
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        if own:
            connection.close()


def search(base: str, query: str, session: str, **params: str) -> Answer:
    return send(base, "GET", f"/api/search?{urlencode({'q': query, **params})}", headers={"X-KB-Session": session})


def post(base: str, endpoint: str, data: object, session: str = "tests-000001", *,
         connection: http.client.HTTPConnection | None = None, content_type: str = "application/json") -> Answer:
    body = data if isinstance(data, bytes) else json.dumps(data).encode()
    return send(base, "POST", f"/api/{endpoint}", body,
                {"Content-Type": content_type, "X-KB-Session": session}, connection)


def count(log: Path, table: str) -> int:
    with contextlib.closing(sqlite3.connect(log)) as db:
        return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608 - our own table names


@dataclass
class Desk:
    url: str
    log: Path
    site: Path
    index: Path


@pytest.fixture(scope="module")
def desk(served_kb: str, sample_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    """`kb serve` with its own activity log, over the sample site and the session's index."""
    index = SERVED_INDEXES[served_kb]
    log = tmp_path_factory.mktemp("desk-log") / "activity.sqlite"
    with kb_serve(sample_site, index, "--log", str(log), "--docs", str(SAMPLE_DOCS)) as (_, url):
        yield Desk(url, log, sample_site, index)


# --- over HTTP ------------------------------------------------------------------------------------


def test_searches_clicks_and_feedback_posted_over_http_appear_in_the_report(desk: Desk):
    first = search(desk.url, "router keeps dropping my wifi", "tests-report-1", depth="beginner")
    assert first.status == 200 and first.headers["x-kb-search-id"].isdigit()
    top = first.json()["hits"][0]
    assert top["path"] == ARTICLE_PATH
    clicked = post(desk.url, "click", {"search": int(first.headers["x-kb-search-id"]), "article": top["path"], "rank": 1})
    assert (clicked.status, clicked.json()) == (201, {"search": int(first.headers["x-kb-search-id"]),
                                                      "article": ARTICLE_PATH})
    nothing = search(desk.url, "qqzzxv blorfengast", "tests-report-2")
    assert nothing.json()["hits"] == []
    badly = search(desk.url, "banana bread recipe for the wifi party", "tests-report-3")  # results, none of them an answer
    assert badly.json()["hits"] and badly.json()["confidence"] == "none"
    voted = post(desk.url, "feedback", {"article": ARTICLE, "helpful": False, "reason": "hard-to-follow",
                                        "comment": "caller jo@example.com got lost", "step": 4, "via": "call",
                                        "depth": "beginner"})
    assert voted.status == 201 and voted.json()["article"] == ARTICLE_PATH  # the page URL, resolved

    report = CliRunner().invoke(main, ["report", "--log", str(desk.log), "--docs", str(SAMPLE_DOCS), "--json",
                                       "--no-findability"], catch_exceptions=False)
    data = json.loads(report.stdout)
    queries = {q["query"]: q for q in data["top_queries"]}
    assert queries["router keeps dropping my wifi"]["opened"] == 1
    assert "qqzzxv blorfengast" in [q["query"] for q in data["zero_result_queries"]]
    # The content gaps: no results, or results that answer badly (the desk records each search's confidence).
    assert {"qqzzxv blorfengast", "banana bread recipe for the wifi party"} <= {q["query"] for q in data["no_match_queries"]}
    assert "router keeps dropping my wifi" not in {q["query"] for q in data["no_match_queries"]}
    assert ARTICLE_PATH in [a["path"] for a in data["top_articles"]]
    wifi = next(h for h in data["helpfulness"] if h["path"] == ARTICLE_PATH)
    assert wifi["reasons"]["hard-to-follow"] >= 1 and wifi["stuck_steps"]["4"] >= 1
    assert "caller [email] got lost" in [c["text"] for c in wifi["comments"]]

    page = send(desk.url, "GET", "/report")
    assert page.status == 200 and page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.headers["cache-control"] == "no-store" and "default-src 'none'" in page.headers["content-security-policy"]
    text = page.body.decode()
    assert "qqzzxv blorfengast" in text and "caller [email] got lost" in text and "jo@example.com" not in text
    assert f'<a href="/{ARTICLE}">Wi-Fi keeps dropping</a>' in text
    mine = send(desk.url, "GET", "/report?owner=priya.natarajan")
    assert mine.status == 200 and "articles of priya.natarajan" in mine.body.decode()
    assert "qqzzxv" not in mine.body.decode()  # a query with no results is nobody's article
    assert send(desk.url, "GET", "/report?owner=nobody").status == 400
    assert send(desk.url, "GET", "/report?since=yesterday").status == 400


TOO_BIG = json.dumps({"article": ARTICLE_PATH, "helpful": False, "comment": "x" * 5000}).encode()


@pytest.mark.parametrize(("body", "content_type", "status", "message"), [
    (b"not json", "application/json", 400, "the body must be a JSON object (UTF-8)"),
    (b"[1, 2]", "application/json", 400, "the body must be a JSON object"),
    (b"", "application/json", 400, "the body must be a JSON object"),
    ({}, "application/json", 400, "article is required"),
    ({"article": ARTICLE_PATH}, "application/json", 400, "helpful is required"),
    ({"article": ARTICLE_PATH, "helpful": "yes"}, "application/json", 400, "helpful must be true or false"),
    ({"article": ARTICLE_PATH, "helpful": False, "reason": "boring"}, "application/json", 400,
     "reason must be one of inaccurate, missing-step, hard-to-follow, other"),
    ({"article": ARTICLE_PATH, "helpful": True, "reason": "inaccurate"}, "application/json", 400,
     "reason is for helpful: false only"),
    ({"article": ARTICLE_PATH, "helpful": False, "comment": "x" * 1001}, "application/json", 400,
     "comment must be text of at most 1000 characters"),
    ({"article": ARTICLE_PATH, "helpful": False, "step": 0}, "application/json", 400,
     "step must be a whole number from 1 to 500"),
    ({"article": ARTICLE_PATH, "helpful": False, "step": "3"}, "application/json", 400,
     "step must be a whole number from 1 to 500"),
    ({"article": ARTICLE_PATH, "helpful": True, "depth": "guru"}, "application/json", 400,
     "depth must be one of beginner, expert"),
    ({"article": ARTICLE_PATH, "helpful": True, "rating": 5}, "application/json", 400,
     "unknown field 'rating'; the fields are article, helpful, reason, comment, step, depth, via, session, trail"),
    ({"article": ARTICLE_PATH, "helpful": False, "trail": "Blinking red"}, "application/json", 400,
     "trail must be a list of at most 50 answers, each [article path, step, outcome number]"),
    ({"article": ARTICLE_PATH, "helpful": False, "trail": [[ARTICLE_PATH, 1, "my customer Jo said no"]]},
     "application/json", 400, "trail outcome must be a whole number from 1 to 50"),  # typed text is never stored
    ({"article": ARTICLE_PATH, "helpful": False, "trail": [[ARTICLE_PATH, 1, 1], [ARTICLE_PATH, 3, 1]]},
     "application/json", 400, f"trail answer 2: step 3 of {ARTICLE_PATH} has no outcome 1"),
    ({"article": ARTICLE_PATH, "helpful": False, "trail": [["no/such.md", 1, 1]]}, "application/json", 400,
     "trail answer 1: 'no/such.md' is not an article of the index"),
    ({"article": "no/such-article.md", "helpful": True}, "application/json", 400,
     "article must be an article of the index (a path from the search results or its page URL), "
     "not 'no/such-article.md'"),
    ({"article": "start-here/", "helpful": True}, "application/json", 400, "article must be an article of the index"),
    (TOO_BIG, "application/json", 413, f"the body is {len(TOO_BIG)} bytes; at most 4096"),
    ({"article": ARTICLE_PATH, "helpful": True}, "text/plain", 415,
     "send the body as JSON with Content-Type: application/json, not 'text/plain'"),
])
def test_bad_feedback_is_refused_and_nothing_is_stored(desk: Desk, body: object, content_type: str, status: int,
                                                       message: str):
    before = count(desk.log, "feedback")
    answer = post(desk.url, "feedback", body, "tests-bad-0001", content_type=content_type)
    assert answer.status == status
    assert answer.headers["content-type"] == "application/json; charset=utf-8"
    assert answer.json()["error"].startswith(message)
    assert count(desk.log, "feedback") == before


def test_a_stuck_calls_trail_is_stored_with_the_articles_labels_and_reported_per_branch(desk: Desk):
    steps = json.loads(send(desk.url, "GET", f"/api/steps?article={ARTICLE_PATH}&depth=beginner").body)["steps"]
    first, second = steps[0]["outcomes"][1]["label"], steps[1]["outcomes"][0]["label"]
    for _ in range(2):
        voted = post(desk.url, "feedback", {"article": ARTICLE_PATH, "helpful": False, "step": 3, "via": "call",
                                            "depth": "beginner", "trail": [[ARTICLE_PATH, 1, 2], [ARTICLE_PATH, 2, 1]]})
        assert voted.status == 201
    row = latest_feedback(desk, voted.json()["id"] - 1)[0]
    assert row.trail == ((ARTICLE_PATH, 1, first), (ARTICLE_PATH, 2, second))  # the article's own words

    branch = f"step 1 \u201c{first}\u201d \u2192 step 2 \u201c{second}\u201d \u2192 stuck at step 3"
    text = CliRunner().invoke(main, ["report", "--log", str(desk.log), "--docs", str(SAMPLE_DOCS), "--no-findability"],
                              catch_exceptions=False).stdout
    assert f"stuck after: {branch} (2)" in text
    data = json.loads(CliRunner().invoke(main, ["report", "--log", str(desk.log), "--docs", str(SAMPLE_DOCS), "--json",
                                                "--no-findability"], catch_exceptions=False).stdout)
    wifi = next(h for h in data["helpfulness"] if h["path"] == ARTICLE_PATH)
    assert {"trail": [{"article": ARTICLE_PATH, "step": 1, "outcome": first},
                      {"article": ARTICLE_PATH, "step": 2, "outcome": second}], "step": 3, "count": 2} \
        in wifi["stuck_branches"]
    # /report keeps a page for 30 s per (owner, since): a since no other test asks for is built afresh.
    since = (dt.date.today() - dt.timedelta(days=2)).isoformat()
    page = send(desk.url, "GET", f"/report?since={since}").body.decode()
    assert f'<span class="branch">after {html.escape(branch)} (2)</span>' in page


def test_bad_clicks_and_wrong_methods_are_refused(desk: Desk):
    before = count(desk.log, "clicks")
    missing = post(desk.url, "click", {"search": 999_999, "article": ARTICLE_PATH})
    assert (missing.status, missing.json()["error"]) == (
        400, "search must be the X-KB-Search-Id of a search; there is no search 999999")
    assert post(desk.url, "click", {"search": "1", "article": ARTICLE_PATH}).status == 400
    assert count(desk.log, "clicks") == before
    get = send(desk.url, "GET", "/api/feedback")
    assert (get.status, get.headers["allow"]) == (405, "POST")
    assert send(desk.url, "POST", "/api/search?q=wifi", b"{}", {"Content-Type": "application/json"}).status == 405


def test_one_desk_posting_too_fast_gets_429_and_others_are_not_held_up(desk: Desk):
    answers = [post(desk.url, "feedback", {"article": ARTICLE_PATH, "helpful": True}, "tests-rate-0001").status
               for _ in range(31)]
    assert answers == [201] * 30 + [429]
    refused = post(desk.url, "feedback", {"article": ARTICLE_PATH, "helpful": True}, "tests-rate-0001")
    assert refused.status == 429 and 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.json()["error"].startswith("too many requests to /api/feedback (at most 30 a minute)")
    assert post(desk.url, "feedback", {"article": ARTICLE_PATH, "helpful": True}, "tests-rate-0002").status == 201


def test_clients_posting_at_once_lose_nothing(desk: Desk):
    clients, each = 6, 20
    before_searches = count(desk.log, "searches")

    def client(number: int) -> list[int]:
        where = urlsplit(desk.url)
        connection = http.client.HTTPConnection(where.hostname, where.port, timeout=30)  # one keep-alive desk
        session = f"tests-busy-{number:04}"
        try:
            statuses = []
            for n in range(each):
                statuses.append(post(desk.url, "feedback", {"article": ARTICLE_PATH, "helpful": n % 2 == 0,
                                                            "comment": f"busy {number}-{n}"}, session,
                                     connection=connection).status)
                if n % 5 == 0:  # searches are recorded too, in between
                    statuses.append(send(desk.url, "GET", f"/api/search?{urlencode({'q': f'busy {number} {n} wifi'})}",
                                         headers={"X-KB-Session": f"tests-busyq-{number:03}-{n:03}"},
                                         connection=connection).status)
            return statuses
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=clients) as pool:
        statuses = [s for result in pool.map(client, range(clients)) for s in result]
    assert statuses.count(201) == clients * each and statuses.count(200) == clients * each // 5
    stored = [f.comment for f in read_activity(desk.log).feedback if (f.comment or "").startswith("busy ")]
    assert sorted(stored) == sorted(f"busy {c}-{n}" for c in range(clients) for n in range(each))
    assert count(desk.log, "searches") == before_searches + clients * each // 5


# --- when the log is off or cannot be written ---------------------------------------------------------



def test_a_locked_log_never_stops_a_search(desk: Desk, tmp_path: Path, caplog: pytest.LogCaptureFixture):
    path = tmp_path / "activity.sqlite"
    log = ActivityLog(path, busy_timeout=0.2)
    caplog.set_level(logging.WARNING, logger="kb_tools.desk.api")
    with in_process(desk.site, desk.index, {"activity": log}) as url:
        assert "x-kb-search-id" in search(url, "wifi", "tests-lock-0001").headers
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another program holds the write lock
        try:
            locked = [search(url, "wifi keeps dropping", "tests-lock-0001") for _ in range(3)]
            feedback = post(url, "feedback", {"article": ARTICLE_PATH, "helpful": True})
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        again = search(url, "password reset", "tests-lock-0002")
    log.close()
    assert all(a.status == 200 and a.json()["hits"] and "x-kb-search-id" not in a.headers for a in locked)
    assert feedback.status == 503
    assert feedback.json()["error"].startswith(f"the feedback was not saved: the activity log {path} is locked")
    assert "x-kb-search-id" in again.headers
    warnings = [r.getMessage() for r in caplog.records if r.name.startswith("kb_tools")]  # not waitress's queue notes
    assert len([w for w in warnings if "searches are not being recorded" in w]) == 1  # once, not per search
    assert f"the activity log {path} is locked by another program" in warnings[0]
    assert warnings[-1] == f"kb serve: searches are recorded again in {path}"
    assert [s.query for s in read_activity(path).searches] == ["wifi", "password reset"]


def test_kb_log_off_records_nothing_and_the_desk_is_told(desk: Desk, monkeypatch: pytest.MonkeyPatch,
                                                         tmp_path: Path):
    monkeypatch.setenv("KB_LOG", "off")
    with kb_serve(desk.site, desk.index, log=tmp_path / "serve.log") as (_, url):
        assert send(url, "GET", "/api/health").json()["activity_log"] is False
        assert "x-kb-search-id" not in search(url, "wifi", "tests-off-0001").headers
        refused = post(url, "feedback", {"article": ARTICLE_PATH, "helpful": True})
        assert (refused.status, refused.json()["error"]) == (
            503, "this server keeps no activity log (it runs with --no-log or KB_LOG=off)")
    assert "Recording nothing (activity log off)." in (tmp_path / "serve.log").read_text()


def test_the_report_page_searches_customer_phrases_in_the_background(desk: Desk):
    with in_process(desk.site, desk.index, {"docs_dir": SAMPLE_DOCS}) as url:
        first = send(url, "GET", "/report")
        assert first.status == 200  # at once: no request waits for the findability check
        assert "Customer phrases are being searched in the background" in first.body.decode()
        deadline = time.monotonic() + 120
        while "being searched in the background" in (page := send(url, "GET", "/report").body.decode()):
            assert time.monotonic() < deadline, "the findability check did not finish"
            time.sleep(0.5)
    # The list is there, as kb check's findability finds it (on the 87-article sample a few new
    # playbook phrases rank 4th or 5th: kb check docs warns about the same ones).
    assert "<h3>Customer phrases not found in the top 3</h3>" in page
    assert "take-ownership" in page or "Take ownership" in page
    assert "activity log is off" in page and "Overdue reviews" in page


# --- the desk in a real browser ---------------------------------------------------------------------




def open_article(page: Page, desk: Desk) -> None:
    page.goto(f"{desk.url}/{ARTICLE}")
    page.wait_for_function("!!document.querySelector('.kb-feedback') && !!document.querySelector('.kb-walk')")


def latest_feedback(desk: Desk, after: int) -> list:
    return [f for f in read_activity(desk.log).feedback if f.id > after]


@needs_chromium
def test_the_widget_records_a_no_with_its_reason_and_comment(page: Page, desk: Desk):
    last = max([f.id for f in read_activity(desk.log).feedback] + [0])
    open_article(page, desk)
    assert page.evaluate("document.querySelector('.kb-feedback__question').textContent") == \
        "Did this solve the caller's problem?"
    assert page.evaluate("document.querySelector('.kb-feedback__details').hidden")
    page.click(".kb-feedback__no")
    page.wait_for_function("!document.querySelector('.kb-feedback__details').hidden")
    page.click("input[value=missing-step]")
    page.click(".kb-feedback__comment")
    page.keyboard.type("Step 3 has no Optimise button, mail jo@example.com")
    page.screenshot(path=SHOTS / "01-widget-no-with-reason.png")
    page.click(".kb-feedback__send")
    page.wait_for_function("document.querySelector('.kb-feedback').dataset.state === 'sent'")
    assert page.evaluate("document.querySelector('.kb-feedback__status').textContent") == "Thank you: recorded."
    assert page.evaluate("document.querySelector('.kb-feedback__no').getAttribute('aria-pressed')") == "true"  # shown
    page.screenshot(path=SHOTS / "02-widget-sent.png")
    (row,) = latest_feedback(desk, last)
    assert (row.article, row.helpful, row.reason, row.via) == (ARTICLE_PATH, False, "missing-step", "article")
    assert row.comment == "Step 3 has no Optimise button, mail [email]" and row.depth == "beginner"


@needs_chromium
def test_call_mode_not_yet_asks_where_the_call_got_stuck(page: Page, desk: Desk):
    last = max([f.id for f in read_activity(desk.log).feedback] + [0])
    open_article(page, desk)
    page.click(".kb-walk")
    page.wait_for_function("!!document.querySelector('dialog.kb-call[open]')")
    for key in WALK_TO_THE_END:
        page.keyboard.press(key)
    page.wait_for_function("!document.querySelector('.kb-call__finish').hidden")
    page.click(".kb-call__no")
    page.wait_for_function("!document.querySelector('.kb-call__stuck').hidden")
    assert page.evaluate("document.querySelector('.kb-call__stuck-step').value") == "5"  # the step just done
    assert page.evaluate("document.activeElement.classList.contains('kb-call__stuck-step')")
    page.evaluate("(() => { const s = document.querySelector('.kb-call__stuck-step'); s.value = '3';"
                  " s.dispatchEvent(new Event('change', {bubbles: true})); })()")
    page.screenshot(path=SHOTS / "03-call-stuck-step.png")
    page.click(".kb-call__send")
    page.wait_for_function("!document.querySelector('dialog.kb-call[open]')")
    assert "recorded as stuck at step 3" in page.evaluate("document.querySelector('.kb-desk-actions__status').textContent")
    page.wait_for_function("document.querySelector('.kb-feedback').dataset.state === 'sent'")  # the widget knows it was answered
    assert page.evaluate("[...document.querySelectorAll('.kb-feedback__answers button')]"
                         ".map(b => b.getAttribute('aria-pressed'))") == ["false", "true"]  # the picked answer shows
    (row,) = latest_feedback(desk, last)
    assert (row.helpful, row.step, row.via, row.depth) == (False, 3, "call", "beginner")
    steps = json.loads(send(desk.url, "GET", f"/api/steps?article={ARTICLE_PATH}&depth=beginner").body)["steps"]
    assert row.trail == tuple((ARTICLE_PATH, step, steps[step - 1]["outcomes"][outcome - 1]["label"])
                              for step, outcome in ((1, 1), (2, 1), (5, 2)))  # the answers of WALK_TO_THE_END


@needs_chromium
def test_opening_a_search_result_is_recorded(page: Page, desk: Desk):
    page.goto(desk.url + "/")
    page.wait_for_function("document.documentElement.dataset.kbSearch === 'api'")
    page.keyboard.press("/")
    page.keyboard.type("parental controls for the kids")
    page.wait_for_function("document.querySelectorAll('.kb-result').length > 0 && "
                           "!document.querySelector('[data-md-component=search]').hasAttribute('aria-busy') && "
                           "document.querySelector('[data-md-component=search-query]').value === 'parental controls for the kids'")
    first = page.evaluate("document.querySelector('.kb-result__link').dataset.path")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_function("location.pathname !== '/'")

    def opened() -> list:
        return [s for s in read_activity(desk.log).searches if s.query == "parental controls for the kids" and s.opened]

    page.wait_for_function("true")  # the click is sent with keepalive as the page changes; give the log a moment
    for _ in range(200):  # up to 20 s: the click is sent as the page unloads; a loaded machine is slow
        if opened():
            break
        page.evaluate("new Promise(r => setTimeout(r, 100))")
    (search_row,) = opened()
    assert search_row.opened == (first,) and search_row.source == "api"
    # One search, typed letter by letter: the intermediate queries were merged into it, not logged apart.
    assert not [s for s in read_activity(desk.log).searches if s.query.startswith("parental controls for the k")
                and s.query != "parental controls for the kids"]


@needs_chromium
def test_the_report_page_renders_its_charts_and_fetches_nothing(browser: Browser, desk: Desk):
    page = new_page(browser, bypass_csp=False)  # the page's own policy, as a team lead's browser applies it
    page.goto(f"{desk.url}/report")
    page.wait_for_load_state("load")
    charts = page.evaluate("[...document.querySelectorAll('.kb-chart')].map(f => ({name: f.dataset.chart,"
                           " width: f.querySelector('svg').getBoundingClientRect().width,"
                           " bars: f.querySelectorAll('.bar').length}))")
    assert [c["name"] for c in charts] == ["searches-per-day", "zero-result-rate", "helpfulness"]
    assert all(c["width"] > 200 for c in charts)
    assert charts[0]["bars"] == 7 and charts[2]["bars"] >= 1
    today_bar = page.evaluate("(() => { const bars = [...document.querySelectorAll('[data-chart=searches-per-day] .bar')];"
                              " const last = bars[bars.length - 1]; return {n: +last.dataset.searches,"
                              " h: last.querySelector('rect').getBoundingClientRect().height}; })()")
    assert today_bar["n"] > 0 and today_bar["h"] > 10  # drawn, not just present
    assert page.evaluate("performance.getEntriesByType('resource').length") == 0
    assert page.evaluate("document.querySelector('[data-chart=helpfulness] .bar').dataset.article") == ARTICLE_PATH
    page.screenshot(path=SHOTS / "04-report.png")
    page.context.close()


@needs_chromium
def test_no_widget_without_the_api(page: Page, desk: Desk):
    page.goto((desk.site / ARTICLE / "index.html").as_uri())
    page.wait_for_function("document.documentElement.dataset.kbSearch === 'builtin' && !!document.querySelector('.kb-walk')")
    assert page.evaluate("document.querySelector('.kb-feedback')") is None
    page.click(".kb-walk")
    for key in WALK_TO_THE_END:
        page.keyboard.press(key)
    page.click(".kb-call__no")
    page.wait_for_function("!document.querySelector('dialog.kb-call[open]')")  # no step question without a log
    assert page.evaluate("document.querySelector('.kb-desk-actions__status').textContent").startswith("Not solved yet")


@needs_chromium
def test_a_playbook_an_onboarding_path_reads_is_not_asked_about_the_callers_problem(page: Page, desk: Desk):
    page.goto(f"{desk.url}/service-skills/show-empathy/")
    page.wait_for_function("!!document.querySelector('.kb-feedback') && !!document.querySelector('.kb-path-nav')")
    assert page.evaluate("document.querySelector('.kb-feedback__question').textContent") == "Was this article useful?"
