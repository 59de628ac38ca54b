"""Write limits on a shared network: keyed by desk, the log's growth bounded per client, and the desk
sending a refused post again after the server's Retry-After (in a real browser)."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from browser import Page
from conftest import SAMPLE_DOCS, in_process

from kb_tools.desk.api import PER_ADDRESS, RATES
from kb_tools.desk.rate_limit import RateLimiter
from kb_tools.measure.activity import read_activity

ARTICLE = "homehub/wifi-keeps-dropping.md"


@pytest.fixture
def desk(sample_site: Path, lexical_index: Path, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    log = tmp_path / "log.sqlite"
    with in_process(sample_site, lexical_index, app={"docs_dir": SAMPLE_DOCS, "activity": log}) as url:
        yield url, log


def send(base: str, method: str, target: str, session: str | None, body: dict | None = None) -> int:
    where = urlsplit(base)
    connection = http.client.HTTPConnection(where.hostname, where.port, timeout=30)
    headers = {"Content-Type": "application/json"} | ({"X-KB-Session": session} if session else {})
    try:
        connection.request(method, target, body=json.dumps(body).encode() if body else None, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def test_the_searches_logged_per_desk_are_bounded_and_every_search_answers(desk: tuple[str, Path]):
    url, log = desk
    allowed = RATES["/api/search"]
    statuses = [send(url, "GET", f"/api/search?{urlencode({'q': f'router {n} lights'})}", "desk-flood-0001")
                for n in range(allowed + 15)]
    statuses += [send(url, "GET", f"/api/search?{urlencode({'q': f'modem {n}'})}", None) for n in range(5)]
    assert set(statuses) == {200}
    rows = read_activity(log).searches
    assert sum(row.session == "desk-flood-0001" for row in rows) == allowed  # the rest answered, unrecorded
    assert sum(row.session is None for row in rows) == 5  # another client (no session: its address) is not held back


def test_the_search_bound_is_counted_in_the_log_across_servers(sample_site: Path, lexical_index: Path,
                                                               tmp_path: Path):
    # Two servers writing one log (as two workers or two hosts do): a desk's searches spread over
    # both are recorded up to the one limit, not up to the limit per server.
    log = tmp_path / "log.sqlite"
    allowed = RATES["/api/search"]
    app = {"docs_dir": SAMPLE_DOCS, "activity": log}
    with in_process(sample_site, lexical_index, app=app) as first, in_process(sample_site, lexical_index, app=app) as second:
        statuses = [send((first, second)[n % 2], "GET", f"/api/search?{urlencode({'q': f'router {n} lights'})}",
                         "desk-spread-0001") for n in range(allowed + 10)]
    assert set(statuses) == {200}
    assert sum(row.session == "desk-spread-0001" for row in read_activity(log).searches) == allowed


def test_the_handoff_limit_holds_across_servers_writing_one_log(sample_site: Path, lexical_index: Path,
                                                                tmp_path: Path):
    # A desk's hand-offs spread over two servers (two workers, or two hosts) are refused past the one
    # limit, and nothing past it is stored.
    log = tmp_path / "log.sqlite"
    allowed = RATES["/api/handoff"]
    app = {"docs_dir": SAMPLE_DOCS, "activity": log}
    body = {"article": ARTICLE, "team": "network-support"}
    with in_process(sample_site, lexical_index, app=app) as first, in_process(sample_site, lexical_index, app=app) as second:
        statuses = [send((first, second)[n % 2], "POST", "/api/handoff", "desk-handoff-0001", body)
                    for n in range(allowed + 4)]
    assert statuses == [201] * allowed + [429] * 4
    assert len(read_activity(log).handoffs) == allowed


def test_feedback_limits_are_per_desk_not_per_address(desk: tuple[str, Path]):
    url, log = desk
    per_desk = RATES["/api/feedback"]
    desks = 11  # a floor behind one address: with 10 desks' worth per address, the 11th was refused
    assert PER_ADDRESS >= desks
    answers = [send(url, "POST", "/api/feedback", f"desk-floor-{number:04}", {"article": ARTICLE, "helpful": True})
               for number in range(desks) for _ in range(per_desk)]
    assert set(answers) == {201}
    assert send(url, "POST", "/api/feedback", "desk-floor-0000", {"article": ARTICLE, "helpful": True}) == 429
    assert len(read_activity(log).feedback) == desks * per_desk


def test_the_desk_sends_a_refused_post_again_after_retry_after(page: Page, sample_site: Path, lexical_index: Path,
                                                               tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(RateLimiter, "WINDOW", 2.0)  # a two-second minute: Retry-After is a second or two
    log = tmp_path / "log.sqlite"
    with in_process(sample_site, lexical_index, app={"docs_dir": SAMPLE_DOCS, "activity": log}) as url:
        page.goto(url + "/")
        page.wait_for_function("document.documentElement.dataset.kbSearch === 'api'")
        posts = RATES["/api/feedback"] + 3
        sent = page.evaluate(f"Promise.all(Array.from({{length: {posts}}}, () => window.kbDesk.postJson("
                             f"'api/feedback', {{article: {json.dumps(ARTICLE)}, helpful: true}})"
                             ".then(() => 'saved', error => String(error))))")
    assert sent == ["saved"] * posts
    assert len(read_activity(log).feedback) == posts
