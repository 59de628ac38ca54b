"""`kb serve` over real sockets: the API, the static files, bad input, index refresh, shutdown."""

from __future__ import annotations

import collections
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

import pytest
from click.testing import CliRunner
from conftest import SAMPLE_DOCS, SERVED_INDEXES, article, copy_docs, free_port, in_process, kb_serve

from kb_tools.cli import main
from kb_tools.desk.app import create_app
from kb_tools.desk.server import Server
from kb_tools.search import Searcher, build_index
from kb_tools.search.analysis import MAX_QUERY_CHARS


class Answer:
    def __init__(self, response: http.client.HTTPResponse) -> None:
        self.status = response.status
        self.headers = {name.lower(): value for name, value in response.getheaders()}
        self.body = response.read()

    def json(self):  # noqa: ANN201 - whatever the API answered
        assert self.headers["content-type"] == "application/json; charset=utf-8"
        return json.loads(self.body)


def request(base: str, target: str, *, method: str = "GET", headers: dict[str, str] | None = None) -> Answer:
    """One request with `target` sent exactly as written (no normalising of `..` or `//`)."""
    where = urlsplit(base)
    connection = http.client.HTTPConnection(where.hostname, where.port, timeout=30)
    try:
        connection.request(method, target, headers=headers or {})
        return Answer(connection.getresponse())
    finally:
        connection.close()


def api(base: str, endpoint: str, **params: object) -> Answer:
    return request(base, f"/api/{endpoint}?{urlencode(params)}")


def index_of(base: str) -> Path:
    return SERVED_INDEXES[base]


def cli_json(*args: str) -> object:
    result = CliRunner().invoke(main, [*args, "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)



# --- the API ---------------------------------------------------------------------------------------


def test_health_names_the_live_generation_and_counts_articles(served_kb: str):
    answer = api(served_kb, "health")
    body = answer.json()
    assert answer.status == 200 and answer.headers["cache-control"] == "no-store"
    assert body["status"] == "ok" and body["generation"].startswith("gen-")
    assert body["articles"] == Searcher(index_of(served_kb)).article_count() > 10
    assert body["index"] == index_of(served_kb).name  # the folder, not where it lies on the server


def test_search_answers_exactly_what_kb_search_json_prints(served_kb: str):
    body = api(served_kb, "search", q="pasword resett", limit=3).json()
    assert body == cli_json("search", "pasword resett", "--index", str(index_of(served_kb)), "--limit", "3")
    assert body["correction"] == "password reset"
    assert body["hits"][0]["path"] == "account/reset-password.md"
    assert body["facets"]["product"]["account"] >= 1 and "type" in body["facets"]


def test_search_filters_and_limits(served_kb: str):
    assert len(api(served_kb, "search", q="wifi", limit=1).json()["hits"]) == 1
    account = api(served_kb, "search", q="password", product="account").json()["hits"]
    assert account and {h["product"] for h in account} == {"account"}
    expert = api(served_kb, "search", q="wifi keeps dropping channel", depth="expert").json()["hits"][0]
    assert expert["depth"] == "expert" and expert["url"].endswith("#" + expert["anchor"])
    # An unknown product is a filter that matches nothing, not an error.
    assert api(served_kb, "search", q="password", product="no-such-product").json()["hits"] == []


def test_blank_query_gives_no_results(served_kb: str):
    assert api(served_kb, "search", q="  ").json()["hits"] == []
    assert request(served_kb, "/api/search").json()["total"] == 0


def test_suggest_gives_titles_for_a_half_typed_query(served_kb: str):
    answer = api(served_kb, "suggest", q="parental contr")
    suggestions = answer.json()
    assert answer.status == 200 and answer.headers["cache-control"] == "no-store"
    assert suggestions[0] == {"title": "Set up parental controls", "url": "app/set-up-parental-controls/",
                              "path": "app/set-up-parental-controls.md"}
    assert all(set(s) == {"title", "url", "path"} and "#" not in s["url"] for s in suggestions)
    assert len(api(served_kb, "suggest", q="wifi", limit=2).json()) == 2
    assert api(served_kb, "suggest", q="").json() == []


def test_steps_answers_what_kb_steps_json_prints(served_kb: str):
    body = api(served_kb, "steps", article="homehub/wifi-keeps-dropping.md", depth="expert").json()
    assert body == cli_json("steps", "homehub/wifi-keeps-dropping.md", "--depth", "expert",
                            "--index", str(index_of(served_kb)))
    assert body["depth"] == "expert" and body["steps"] and body["steps"][0]["number"] == 1
    # The caller's words work too, and the depth defaults to beginner.
    by_words = api(served_kb, "steps", article="forgot my password").json()
    assert (by_words["path"], by_words["depth"]) == ("account/reset-password.md", "beginner")


def test_steps_of_no_article_is_404_and_a_missing_article_400(served_kb: str):
    missing = api(served_kb, "steps", article="zzqxv.md")
    assert missing.status == 404 and "zzqxv" in missing.json()["error"]
    assert api(served_kb, "steps").status == 400
    assert "article is required" in api(served_kb, "steps", article=" ").json()["error"]


@pytest.mark.parametrize(("target", "message"), [
    ("/api/search?q=wifi&depth=advanced", "depth must be beginner or expert, not 'advanced'"),
    ("/api/steps?article=homehub/wifi-keeps-dropping.md&depth=EXPERT", "depth must be beginner or expert"),
    ("/api/search?q=wifi&limit=0", "limit must be a whole number from 1 to 50, not '0'"),
    ("/api/search?q=wifi&limit=51", "limit must be a whole number from 1 to 50, not '51'"),
    ("/api/search?q=wifi&limit=-3", "limit must be a whole number from 1 to 50"),
    ("/api/search?q=wifi&limit=ten", "limit must be a whole number from 1 to 50, not 'ten'"),
    ("/api/search?q=wifi&limit=%D9%A3", "limit must be a whole number"),  # an Arabic-Indic 3
    ("/api/suggest?q=wifi&limit=1e3", "limit must be a whole number"),
    ("/api/search?" + "&".join(f"p{n}=1" for n in range(60)), "too many query parameters"),
])
def test_invalid_values_are_400_with_a_json_error(served_kb: str, target: str, message: str):
    answer = request(served_kb, target)
    assert answer.status == 400
    assert message in answer.json()["error"]
    assert answer.headers["cache-control"] == "no-store"


def test_unknown_parameters_are_ignored_and_the_first_value_wins(served_kb: str):
    plain = api(served_kb, "search", q="password", limit=2).json()
    noisy = request(served_kb, "/api/search?q=password&limit=2&q=other&sort=desc&__proto__=x&callback=alert").json()
    assert noisy == plain


def test_a_huge_query_is_cut_and_control_characters_are_harmless(served_kb: str):
    body = api(served_kb, "search", q="password " * 3000).json()
    assert len(body["query"]) <= MAX_QUERY_CHARS and body["hits"]
    weird = request(served_kb, "/api/search?q=" + quote("pass\x00word\x1b[31m\u202e\ufeff") + "%ff%fe")
    assert weird.status == 200 and "\x00" not in weird.json()["query"]
    huge_url = request(served_kb, "/api/search?q=" + "a" * 100_000)
    assert 400 <= huge_url.status < 500  # refused by the HTTP layer before the app sees it
    assert api(served_kb, "health").status == 200


def test_unknown_endpoints_and_other_methods_get_json_errors(served_kb: str):
    missing = request(served_kb, "/api/nope")
    assert missing.status == 404 and "no such API endpoint" in missing.json()["error"]
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        answer = request(served_kb, "/api/search?q=wifi", method=method)
        assert answer.status == 405 and answer.headers["allow"] == "GET, HEAD"
        assert "GET only" in answer.json()["error"]
    assert request(served_kb, "/index.html", method="POST").status == 405


def test_head_sends_headers_only(served_kb: str):
    answer = request(served_kb, "/api/search?q=wifi", method="HEAD")
    assert answer.status == 200 and answer.body == b"" and int(answer.headers["content-length"]) > 0


def test_parallel_requests_get_the_same_answers_as_one_at_a_time(served_kb: str):
    targets = [f"/api/search?{urlencode({'q': q})}" for q in ("wifi keeps dropping", "forgot login", "parental contr",
                                                                 "pasword resett", "bill too high", "slow speed")]
    targets += ["/api/suggest?q=rese", "/api/steps?article=account/reset-password.md", "/api/health", "/"]
    alone = {target: request(served_kb, target).body for target in targets}
    with ThreadPoolExecutor(max_workers=12) as pool:
        together = list(pool.map(lambda t: (t, request(served_kb, t)), targets * 6))
    assert all(answer.status == 200 and answer.body == alone[target] for target, answer in together)


def test_snippets_escape_article_text_and_keep_only_the_marks(write_docs, tmp_path: Path):
    body = ("## Steps\n\n=== \"Beginner\"\n\n    1. Type `<script>alert(1)</script>` in the hijack box.\n\n"
            "        Checkpoint: the hijack box shows <b onmouseover=alert(2)>text</b>.\n\n"
            "=== \"Expert\"\n\n    1. Paste <img src=x onerror=alert(3)> into the hijack box.\n")
    docs = write_docs({"router/hijack.md": article("The hijack box", body=body)})
    build_index(docs, tmp_path / "ix")
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<!doctype html><title>kb</title>")
    with in_process(site, tmp_path / "ix") as url:
        for depth in ("beginner", "expert"):
            hit = api(url, "search", q="hijack box script alert", depth=depth).json()["hits"][0]
            outside_marks = hit["snippet"].replace("<mark>", "").replace("</mark>", "")
            assert "<mark>hijack</mark>" in hit["snippet"]
            assert "<" not in outside_marks and ">" not in outside_marks, hit["snippet"]
        beginner = api(url, "search", q="hijack script", depth="beginner").json()["hits"][0]["snippet"]
        assert "&lt;<mark>script</mark>&gt;" in beginner or "&lt;script&gt;" in beginner


# --- static files ------------------------------------------------------------------------------------


def test_pages_and_assets_have_their_content_types_and_validators(served_kb: str, sample_site: Path):
    home = request(served_kb, "/")
    assert home.status == 200 and home.headers["content-type"] == "text/html; charset=utf-8"
    assert home.body == (sample_site / "index.html").read_bytes()
    assert home.headers["cache-control"] == "no-cache" and home.headers["etag"] and home.headers["last-modified"]
    assert request(served_kb, "/", headers={"If-None-Match": home.headers["etag"]}).status == 304
    assert request(served_kb, "/", headers={"If-Modified-Since": home.headers["last-modified"]}).status == 304
    css = next(sample_site.glob("assets/stylesheets/main.*.min.css")).relative_to(sample_site)
    js = next(sample_site.glob("assets/javascripts/bundle.*.min.js")).relative_to(sample_site)
    assert request(served_kb, f"/{css}").headers["content-type"] == "text/css; charset=utf-8"
    assert request(served_kb, f"/{js}").headers["content-type"] == "text/javascript; charset=utf-8"


def test_a_folder_redirects_to_its_slash_then_serves_its_index(served_kb: str, sample_site: Path):
    moved = request(served_kb, "/homehub?x=1")
    assert moved.status == 301 and moved.headers["location"] == "/homehub/?x=1"
    page = request(served_kb, "/homehub/")
    assert page.status == 200 and page.body == (sample_site / "homehub" / "index.html").read_bytes()


def test_a_missing_page_gets_the_sites_404_page(served_kb: str, sample_site: Path):
    answer = request(served_kb, "/no/such/page/")
    assert answer.status == 404 and answer.body == (sample_site / "404.html").read_bytes()


@pytest.mark.parametrize("target", [
    "/../../../../etc/passwd", "/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/%2E%2E%2F%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
    "/assets/../../../../etc/passwd", "/..%2f..%2f..%2fetc%2fpasswd", "//etc/passwd", "/%2fetc%2fpasswd",
    "/etc/passwd%00.html", "/..\\..\\etc\\passwd", "/.%2e/.%2e/etc/passwd", "/%252e%252e/etc/passwd",
])
def test_paths_outside_the_site_are_refused(served_kb: str, target: str):
    answer = request(served_kb, target)
    assert answer.status in (400, 404)
    assert b"root:" not in answer.body


def test_symlinks_out_of_the_site_and_dot_files_are_not_served(sample_site: Path, served_kb: str, tmp_path: Path):
    site = tmp_path / "site"
    shutil.copytree(sample_site, site)
    (tmp_path / "secret.txt").write_text("the secret")
    (site / "leak.txt").symlink_to(tmp_path / "secret.txt")
    (site / ".env").write_text("TOKEN=the secret")
    with in_process(site, index_of(served_kb)) as url:
        for target in ("/leak.txt", "/.env"):
            answer = request(url, target)
            assert answer.status == 404 and b"the secret" not in answer.body


# --- the server: refresh, limits, shutdown -----------------------------------------------------------


def test_a_new_index_generation_is_picked_up_without_a_restart(sample_site: Path, tmp_path: Path):
    docs = copy_docs(tmp_path)
    index = tmp_path / "ix"
    build_index(docs, index)
    with kb_serve(sample_site, index) as (_, url):
        before = api(url, "health").json()["generation"]
        assert api(url, "search", q="zebracorn").json()["hits"] == []
        (docs / "homehub" / "zebracorn.md").write_text(
            article("The zebracorn light", product="homehub", customer_says="[zebracorn]"))
        build_index(docs, index)
        deadline = time.monotonic() + 20
        while api(url, "health").json()["generation"] == before and time.monotonic() < deadline:
            time.sleep(0.2)
        assert api(url, "health").json()["generation"] != before
        assert api(url, "search", q="zebracorn").json()["hits"][0]["path"] == "homehub/zebracorn.md"


def test_a_deleted_index_keeps_answering_from_the_generation_already_open(sample_site: Path, tmp_path: Path):
    build_index(SAMPLE_DOCS, tmp_path / "ix")
    with in_process(sample_site, tmp_path / "ix") as url:
        expected = api(url, "search", q="forgot login").json()
        shutil.rmtree(tmp_path / "ix")
        deadline = time.monotonic() + 2.5  # past the once-a-second look for a new generation
        while time.monotonic() < deadline:
            assert api(url, "search", q="forgot login").json() == expected
            time.sleep(0.1)


def test_a_busy_port_gives_a_clear_message_and_exit_1(sample_site: Path, served_kb: str):
    port = int(urlsplit(served_kb).port)
    result = CliRunner().invoke(main, ["serve", "--site", str(sample_site), "--index", str(index_of(served_kb)),
                                       "--port", str(port)], catch_exceptions=False)
    assert result.exit_code == 1
    assert f"cannot serve on 127.0.0.1:{port}: the port is already in use" in result.output
    assert "--port" in result.output and "Traceback" not in result.output


def test_missing_site_or_index_says_what_to_run(sample_site: Path, tmp_path: Path):
    no_site = CliRunner().invoke(main, ["serve", "--site", str(tmp_path / "site")], catch_exceptions=False)
    assert no_site.exit_code == 1 and "no built site in" in no_site.output and "mkdocs build" in no_site.output
    no_index = CliRunner().invoke(main, ["serve", "--site", str(sample_site), "--index", str(tmp_path / "ix"),
                                         "--docs", "kb-docs"], catch_exceptions=False)
    assert no_index.exit_code == 1
    assert f"build it with `kb index kb-docs --index {tmp_path / 'ix'}`" in no_index.output


def test_it_listens_on_127_0_0_1_unless_told_otherwise(sample_site: Path, served_kb: str):
    server = Server(create_app(sample_site, index_of(served_kb)), port=0)
    try:
        assert server.addresses[0][0] == "127.0.0.1"
    finally:
        server.stop()
        server.run(grace=0)


def test_a_client_that_stalls_mid_request_is_disconnected(sample_site: Path, served_kb: str):
    with in_process(sample_site, index_of(served_kb), channel_timeout=1) as url:
        where = urlsplit(url)
        with socket.create_connection((where.hostname, where.port), timeout=20) as stalled:
            stalled.sendall(b"GET /api/health HTTP/1.1\r\nHost: kb\r\n")  # and never the blank line
            assert stalled.recv(1024) == b""  # closed by the server, not by our 20 s timeout
        assert api(url, "health").status == 200


def _site_with_a_big_file(sample_site: Path, tmp_path: Path) -> tuple[Path, bytes]:
    """A copy of the site with /big.bin, 32 MiB: far more than the socket buffers hold."""
    site = tmp_path / "site"
    shutil.copytree(sample_site, site)
    payload = bytes(range(256)) * (64 * 1024 * 2)
    (site / "big.bin").write_bytes(payload)
    return site, payload


def test_sigterm_finishes_the_request_in_flight_then_exits_0(sample_site: Path, served_kb: str, tmp_path: Path):
    site, payload = _site_with_a_big_file(sample_site, tmp_path)
    log = tmp_path / "serve.log"
    with kb_serve(site, index_of(served_kb), log=log) as (process, url):
        where = urlsplit(url)
        connection = http.client.HTTPConnection(where.hostname, where.port, timeout=30)
        connection.request("GET", "/big.bin")
        response = connection.getresponse()
        first = response.read(1024 * 1024)
        process.send_signal(signal.SIGTERM)
        refused = False
        for _ in range(100):  # the listening socket closes first; the download goes on
            try:
                socket.create_connection((where.hostname, where.port), timeout=1).close()
                time.sleep(0.05)
            except ConnectionRefusedError:
                refused = True
                break
        rest = response.read()
        connection.close()
        assert refused
        assert first + rest == payload
        assert process.wait(timeout=20) == 0
    assert "Stopped." in log.read_text()


def test_a_port_is_free_after_a_graceful_stop(sample_site: Path, served_kb: str):
    port = free_port()
    server = Server(create_app(sample_site, index_of(served_kb)), port=port)
    thread = threading.Thread(target=server.run)
    thread.start()
    assert api(f"http://127.0.0.1:{port}", "health").status == 200
    server.stop()
    thread.join(timeout=15)
    again = Server(create_app(sample_site, index_of(served_kb)), port=port)  # would raise "in use"
    again.stop()
    again.run(grace=0)



# --- several worker processes ----------------------------------------------------------------------


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        # A zombie is gone but not yet reaped; reaped between the two lines, it is gone too.
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z" if Path("/proc").is_dir() else True
    except (ProcessLookupError, FileNotFoundError):
        return False


def _answering_processes(url: str, *, at_least: int, timeout: float = 20.0) -> set[int]:
    """The processes answering /api/health (a new connection each time), once `at_least` have."""
    seen: set[int] = set()
    deadline = time.monotonic() + timeout
    while len(seen) < at_least and time.monotonic() < deadline:
        seen.add(api(url, "health").json()["process"])
    return seen


def test_workers_share_the_port_replace_a_dead_one_and_stop_together(sample_site: Path, served_kb: str,
                                                                      tmp_path: Path):
    log = tmp_path / "serve.log"
    with kb_serve(sample_site, index_of(served_kb), "--workers", "2", "--no-log", log=log) as (process, url):
        workers = _answering_processes(url, at_least=2)
        assert len(workers) == 2 and process.pid not in workers
        # Kept-open connections (a load balancer's, a browser's) are answered by the workers, each on the
        # worker that accepted it (how evenly the kernel shares them out: bench/spread.py).
        where = urlsplit(url)
        kept = [http.client.HTTPConnection(where.hostname, where.port, timeout=10) for _ in range(8)]
        answered_by = collections.defaultdict(set)
        for _ in range(2):
            for number, connection in enumerate(kept):
                connection.request("GET", "/api/health")
                answered_by[number].add(json.loads(connection.getresponse().read())["process"])
        for connection in kept:
            connection.close()
        assert all(len(pids) == 1 and pids <= workers for pids in answered_by.values())
        assert api(url, "search", q="forgot login").json()["hits"][0]["path"] == "account/reset-password.md"
        dead = workers.pop()
        os.kill(dead, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while _process_alive(dead) and time.monotonic() < deadline:  # connections it took die with it
            time.sleep(0.05)
        replaced = _answering_processes(url, at_least=2, timeout=30) - {dead}
        assert len(replaced) == 2 and workers < replaced  # the survivor and a new one
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        assert not any(_process_alive(pid) for pid in replaced)
    output = log.read_text()
    assert "with 2 processes of 4 threads" in output and f"Worker (pid:{dead}) was sent SIGKILL" in output
    assert output.rstrip().endswith("Stopped.") and "Traceback" not in output


def test_workers_on_a_busy_port_give_one_clear_message(sample_site: Path, served_kb: str):
    port = int(urlsplit(served_kb).port)
    result = CliRunner().invoke(main, ["serve", "--site", str(sample_site), "--index", str(index_of(served_kb)),
                                       "--port", str(port), "--workers", "2"], catch_exceptions=False)
    assert result.exit_code == 1 and result.output.count("the port is already in use") == 1


def test_one_worker_is_the_kb_serve_process_itself(sample_site: Path, served_kb: str):
    with kb_serve(sample_site, index_of(served_kb), "--workers", "1", "--no-log") as (process, url):
        assert _answering_processes(url, at_least=1) == {process.pid}


def test_workers_finish_a_download_in_flight_on_sigterm(sample_site: Path, served_kb: str, tmp_path: Path):
    site, payload = _site_with_a_big_file(sample_site, tmp_path)
    log = tmp_path / "serve.log"
    with kb_serve(site, index_of(served_kb), "--workers", "2", "--no-log", log=log) as (process, url):
        workers = _answering_processes(url, at_least=2)
        where = urlsplit(url)
        connection = http.client.HTTPConnection(where.hostname, where.port, timeout=30)
        connection.request("GET", "/big.bin")
        response = connection.getresponse()
        first = response.read(1024 * 1024)
        process.send_signal(signal.SIGTERM)  # gunicorn's graceful stop
        rest = response.read()
        connection.close()
        assert first + rest == payload
        assert process.wait(timeout=30) == 0
        assert not any(_process_alive(pid) for pid in workers)
    output = log.read_text()
    assert output.rstrip().endswith("Stopped.") and "Traceback" not in output


def test_ctrl_c_stops_the_workers_at_once(sample_site: Path, served_kb: str, tmp_path: Path):
    with kb_serve(sample_site, index_of(served_kb), "--workers", "2", "--no-log") as (process, url):
        workers = _answering_processes(url, at_least=2)
        process.send_signal(signal.SIGINT)  # gunicorn's quick stop
        assert process.wait(timeout=15) == 0
        deadline = time.monotonic() + 5
        while any(_process_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(_process_alive(pid) for pid in workers)


def test_a_worker_that_cannot_start_stops_the_pool_with_a_clear_message(tmp_path: Path):
    program = (
        "import sys\n"
        "from kb_tools.desk.listen import bind\n"
        "from kb_tools.desk.serving import serve_on\n"
        "from kb_tools.errors import KBError\n"
        "def broken():\n"
        "    raise KBError('no search index in /gone; build it with `kb index docs --index /gone`.')\n"
        "sys.exit(serve_on(broken, bind('127.0.0.1', 0), workers=2))\n"
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert result.returncode != 0
    assert "a worker cannot start: no search index in /gone" in result.stderr
    assert "Traceback" not in result.stderr
