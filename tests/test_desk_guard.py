"""A desk on a shared network: the Host allow-list, a Content-Security-Policy on every answer (that the
site's own scripts live with, in a real browser), /api/health without the index's absolute path."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from browser import Browser, new_page
from conftest import SAMPLE_DOCS, in_process

from kb_tools.desk.guard import Guard, allowed_hosts, host_name

ARTICLE = "homehub/wifi-keeps-dropping/"


@pytest.fixture(scope="module")
def served(sample_site: Path, lexical_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("guard-log") / "log.sqlite"
    with in_process(sample_site, lexical_index, app={"docs_dir": SAMPLE_DOCS, "activity": log,
                                             "allowed_hosts": ["kb.floor.example"]}) as url:
        yield url


def get(base: str, target: str, host: str | None = None) -> tuple[int, dict[str, str], bytes]:
    where = urlsplit(base)
    connection = http.client.HTTPConnection(where.hostname, where.port, timeout=30)
    try:
        connection.putrequest("GET", target, skip_host=host is not None)
        if host is not None:
            connection.putheader("Host", host)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "127.0.0.1.evil.example", "10.0.0.7"])
@pytest.mark.parametrize("target", ["/report", "/api/search?q=wifi", "/api/health", "/"])
def test_another_host_name_is_refused_on_every_path(served: str, host: str, target: str):
    status, headers, body = get(served, target, host)
    assert status == 421
    assert b"--allowed-host" in body and b"report" not in body.lower()
    assert "frame-ancestors 'none'" in headers["content-security-policy"]


@pytest.mark.parametrize("host", ["localhost", "localhost:8000", "127.0.0.1:1234", "[::1]:80", "KB.Floor.Example",
                                  "kb.floor.example:8000"])
def test_loopback_names_and_allowed_hosts_are_answered(served: str, host: str):
    assert get(served, "/api/health", host)[0] == 200


@pytest.mark.parametrize("target", ["/", f"/{ARTICLE}", "/api/search?q=wifi", "/api/health", "/report",
                                    "/assets/kb/desk.json", "/no-such-page/", "/api/nope"])
def test_every_answer_has_a_policy_that_forbids_frames(served: str, target: str):
    status, headers, _ = get(served, target)
    assert status < 500
    policy = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and headers["x-frame-options"] == "DENY"
    assert "unsafe-eval" not in policy and "script-src 'self' 'unsafe-inline'" not in policy


def test_a_page_allows_exactly_its_own_inline_scripts(served: str):
    _, headers, page = get(served, f"/{ARTICLE}")
    policy = headers["content-security-policy"]
    hashes = policy.split("script-src ", 1)[1].split(";", 1)[0].split()[1:]
    assert len(hashes) == page.count(b"<script>")  # the theme's inline scripts; JSON data blocks need none
    assert "connect-src 'self'" in policy and "default-src 'self'" in policy


def test_health_does_not_show_where_the_index_is(served: str, lexical_index: Path):
    _, _, body = get(served, "/api/health")
    health = json.loads(body)
    assert str(lexical_index) not in body.decode() and str(lexical_index.parent) not in body.decode()
    assert health["index"] == lexical_index.name and health["status"] == "ok"


def test_host_names_and_the_allow_list():
    assert host_name("KB.local:8000") == "kb.local" and host_name("[::1]:80") == "::1" and host_name("::1") == "::1"
    assert allowed_hosts("0.0.0.0", ["kb.floor"]) == {"localhost", "127.0.0.1", "::1", "kb.floor"}
    assert "10.0.0.5" in allowed_hosts("10.0.0.5")
    guard = Guard(lambda environ, start: [], hosts=allowed_hosts("127.0.0.1"))
    assert guard.is_allowed(None) and guard.is_allowed("127.0.0.2") and not guard.is_allowed("localhost.evil")


VIOLATIONS = """
window.kbViolations = [];
document.addEventListener('securitypolicyviolation', e => window.kbViolations.push(
  e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sourceFile || '') + ':' + e.lineNumber));
"""


def test_the_desk_works_under_its_policy_in_a_real_browser(browser: Browser, served: str):
    page = new_page(browser, bypass_csp=False)  # the policy as an agent's browser applies it
    try:
        page.add_init_script(VIOLATIONS)
        page.goto(served + "/")
        page.wait_for_selector("html[data-kb-search='api']", state="attached")  # the desk's scripts ran, found the API
        page.keyboard.press("/")
        page.wait_for_selector("[data-md-component=search-query]:focus")
        page.keyboard.type("wifi keeps dropping")
        page.wait_for_selector(".kb-result")
        assert page.evaluate("window.kbViolations") == []
        page.goto(served + "/" + ARTICLE)
        page.wait_for_selector(".kb-walk")  # call mode's tools came with the page
        page.click(".kb-walk")
        page.wait_for_selector("dialog.kb-call[open]")
        assert page.evaluate("window.kbViolations") == []
        page.goto(served + "/report")
        page.wait_for_load_state("load")
        assert page.evaluate("window.kbViolations") == []
    finally:
        page.context.close()
