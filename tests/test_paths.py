"""Onboarding paths: the catalog, `kb paths`, the built path pages and progress in a real browser."""

from __future__ import annotations

import functools
import json
import re
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from browser import Page
from click.testing import CliRunner
from conftest import SAMPLE_DOCS, article, run_mkdocs_build

from kb_tools.cli import main
from kb_tools.content.paths import format_minutes, load_catalog, reading_minutes

FUNDAMENTALS = "paths/service-fundamentals/index.html"


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(SAMPLE_DOCS)


def _page(site: Path, relative: str) -> str:
    return (site / relative).read_text(encoding="utf-8")


# --- the catalog --------------------------------------------------------------------------------


def test_sample_kb_ships_three_valid_paths_in_order(catalog):
    assert catalog.findings == []
    assert [p.name for p in catalog.paths] == ["service-fundamentals", "homehub-for-beginners",
                                               "expert-troubleshooting"]
    fundamentals = catalog.find("Service fundamentals")
    kinds = {step.kind for step in fundamentals.steps}
    assert kinds == {"read", "explain", "mock_call"}
    read = [step.article for step in fundamentals.steps if step.kind == "read"]
    assert len(read) == 7 and all(a.startswith("service-skills/") for a in read)  # every playbook
    assert all(step.answer for step in fundamentals.steps if step.kind == "explain")
    assert catalog.find("expert-troubleshooting").audience


def test_reading_time_comes_from_the_article_text():
    words = " ".join(["word"] * 360)
    assert reading_minutes(f"---\ntitle: T\n---\n{words}\n") == 2  # 180 words a minute
    assert reading_minutes(f"{words} [link](../a/very/long/path/that/is/not/read.md) x") == 3
    assert reading_minutes("---\ntitle: Only a title\n---\n") == 1
    assert [format_minutes(m) for m in (5, 60, 67, 125)] == ["5 min", "1 h", "1 h 7 min", "2 h 5 min"]


def test_times_add_up(catalog):
    path = catalog.find("homehub-for-beginners")
    reads = [catalog.step_minutes(s) for s in path.steps if s.kind == "read"]
    exercises = [s.minutes for s in path.steps if s.kind != "read"]
    assert all(minutes >= 1 for minutes in reads)
    assert catalog.total_minutes(path) == sum(reads) + sum(exercises)


# --- kb paths -----------------------------------------------------------------------------------


def test_cli_lists_the_paths_with_length_and_audience(catalog):
    result = CliRunner().invoke(main, ["paths", "--docs", str(SAMPLE_DOCS)], catch_exceptions=False)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    first = catalog.paths[0]
    assert lines[0] == (f"{first.title} ({first.name}): {len(first.steps)} steps, "
                        f"about {format_minutes(catalog.total_minutes(first))}")
    assert lines[1] == f"   For: {first.audience}"
    assert len(lines) == 2 * len(catalog.paths)


def test_cli_prints_one_path_in_order_with_times(catalog):
    result = CliRunner().invoke(main, ["paths", "service-fundamentals", "--docs", str(SAMPLE_DOCS)],
                                catch_exceptions=False)
    assert result.exit_code == 0
    numbered = re.findall(r"^\s*(\d+)\. (Read|Explain back|Mock call)\s+(.*?)  (\d+(?: h)?(?: \d+)? min)$",
                          result.output, re.MULTILINE)
    path = catalog.find("service-fundamentals")
    assert [int(n) for n, *_ in numbered] == list(range(1, len(path.steps) + 1))
    assert [kind for _, kind, _, _ in numbered] == [s.label for s in path.steps]
    assert numbered[0][2] == "Courtesy on the phone (service-skills/courtesy-on-the-phone.md)"
    assert "Model answer" not in result.output
    with_answers = CliRunner().invoke(main, ["paths", "service-fundamentals", "--answers", "--docs", str(SAMPLE_DOCS)])
    assert with_answers.output.count("Model answer: ") == sum(s.kind == "explain" for s in path.steps)


def test_cli_json_and_unknown_name(catalog):
    runner = CliRunner()
    data = json.loads(runner.invoke(main, ["paths", "The HomeHub for beginners", "--json", "--docs",
                                           str(SAMPLE_DOCS)], catch_exceptions=False).output)
    assert data["name"] == "homehub-for-beginners"
    assert data["minutes"] == sum(step["minutes"] for step in data["steps"])
    assert data["steps"][0]["title"] == "HomeHub lights explained"
    missing = runner.invoke(main, ["paths", "nope", "--docs", str(SAMPLE_DOCS)])
    assert missing.exit_code == 1
    assert missing.output == ("Error: no path called 'nope'; the paths are: service-fundamentals, "
                              "homehub-for-beginners, expert-troubleshooting.\n")


# --- the built site -----------------------------------------------------------------------------


def test_path_page_shows_steps_in_order_with_times_and_boxes(sample_site: Path, catalog):
    page = _page(sample_site, FUNDAMENTALS)
    path = catalog.find("service-fundamentals")
    assert re.findall(r'data-step="([^"]+)"', page) == [step.key for step in path.steps]
    numbers = re.findall(r'<span class="kb-path-number">(\d+)\.</span>', page)
    assert numbers == [str(n) for n in range(1, len(path.steps) + 1)]
    assert page.count('<input type="checkbox" class="kb-path-check">') == len(path.steps)
    times = re.findall(r'<span class="kb-path-time">(\d+) min(?: read)?</span>', page)
    assert [int(t) for t in times] == [catalog.step_minutes(step) for step in path.steps]
    total = format_minutes(catalog.total_minutes(path))
    assert f'<strong>{len(path.steps)} steps</strong>, about <span class="kb-path-total">{total}</span>' in page
    assert 'class="md-button kb-path-reset"' in page
    # the first step links the article; explain-back answers are hidden in a closed <details>
    assert '<a href="../../service-skills/courtesy-on-the-phone/">Courtesy on the phone</a>' in page
    answers = re.findall(r'<details class="kb-path-answer"><summary>Show the model answer</summary>', page)
    assert len(answers) == sum(step.kind == "explain" for step in path.steps)
    assert "<details open" not in page
    assert 'src="../../assets/kb/paths.js"' in page and 'href="../../assets/kb/paths.css"' in page


def test_articles_on_a_path_link_previous_and_next(sample_site: Path):
    second = _page(sample_site, "service-skills/listen-and-restate/index.html")
    nav = re.search(r'<nav class="kb-path-nav" aria-label="Service fundamentals" data-search-exclude>(.*?)</nav>',
                    second).group(1)
    assert 'Step 2 of 12 in <a href="../../paths/service-fundamentals/">Service fundamentals</a>' in nav
    assert ('<a class="kb-path-prev" href="../courtesy-on-the-phone/">&larr; Previous in Service fundamentals: '
            "Courtesy on the phone</a>") in nav
    assert ('<a class="kb-path-next" href="../../paths/service-fundamentals/#step-3">Next in Service fundamentals: '
            "Explain back (step 3) &rarr;</a>") in nav
    first = _page(sample_site, "service-skills/courtesy-on-the-phone/index.html")
    assert "kb-path-next" in first and "kb-path-prev" not in first
    last = _page(sample_site, "account/lost-two-step-phone/index.html")
    assert "Step 8 of 10 in" in last and "Next in Expert troubleshooting: Mock call (step 9)" in last
    # an article on no path has no path links
    assert "kb-path-nav" not in _page(sample_site, "account/export-your-data/index.html")


def test_start_here_lists_paths_with_audience_and_length(sample_site: Path, catalog):
    page = _page(sample_site, "start-here/index.html")
    rows = re.findall(r'<td><a href="../paths/([a-z-]+)/">([^<]+)</a><br>[^<]*</td>\s*<td>([^<]+)</td>\s*'
                      r"<td>(\d+) steps, about ([^<]+)</td>", page)
    assert [row[0] for row in rows] == [p.name for p in catalog.paths]
    for (_, title, audience, steps, length), path in zip(rows, catalog.paths, strict=True):
        assert (title, audience, int(steps)) == (path.title, path.audience, len(path.steps))
        assert length == format_minutes(catalog.total_minutes(path))
    assert "kb-paths" not in page  # the marker was replaced


def test_a_path_naming_a_missing_article_stops_the_build(write_docs, tmp_path: Path):
    write_docs({"router/a.md": article(),
                "paths/basics.md": "---\ntitle: Basics\ntype: page\naudience: New agents\nsteps:\n"
                                   "  - read: router/a.md\n  - read: router/gone.md\n---\n\n# Basics\n"})
    result = run_mkdocs_build(tmp_path / "mkdocs.yml", tmp_path / "site")
    assert result.returncode == 1
    assert ("docs/paths/basics.md:7: step 2: no article 'router/gone.md' in the docs folder; write its path from "
            "the docs folder, e.g. homehub/set-up-homehub.md. [path-article]") in result.stderr
    assert "Traceback" not in result.stderr


# --- progress in a real browser -----------------------------------------------------------------


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's name
        pass


@pytest.fixture(scope="module")
def site_url(sample_site: Path) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(sample_site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()



def _reload(page) -> None:
    """Reload like F5 and wait for the new document's path script (the old one may answer meanwhile)."""
    page.evaluate("window.kbOldDocument = true")
    page.reload()
    page.wait_for_function("!window.kbOldDocument && document.readyState === 'complete' "
                           "&& !!document.querySelector('.kb-path[data-kb-ready]')")


def _ticked(page) -> list[bool]:
    return page.evaluate("[...document.querySelectorAll('.kb-path-check')].map(box => box.checked)")


def test_progress_survives_a_reload_and_reset_clears_it(page: Page, site_url: str):
    url = f"{site_url}/{FUNDAMENTALS.removesuffix('index.html')}"
    page.goto(url)
    page.wait_for_function("!!document.querySelector('.kb-path[data-kb-ready]')")
    assert not any(_ticked(page))
    page.click("#step-1 .kb-path-check")
    page.click("#step-3 .kb-path-check")
    page.wait_for_function("document.querySelector('.kb-path-count').textContent === '2 of 12 done'")

    _reload(page)
    ticked = _ticked(page)
    assert [number for number, on in enumerate(ticked, start=1) if on] == [1, 3]
    assert page.evaluate("document.querySelector('.kb-path-count').textContent") == "2 of 12 done"
    assert page.evaluate("document.querySelector('#step-3').classList.contains('kb-path-step--done')")

    page.click(".kb-path-reset")
    page.wait_for_function("document.querySelector('.kb-path-count').textContent === '0 of 12 done'")
    assert not any(_ticked(page))
    _reload(page)
    assert not any(_ticked(page))
    assert page.evaluate("localStorage.getItem('kb-path:service-fundamentals')") is None


def test_model_answer_opens_on_request(page: Page, site_url: str):
    page.goto(f"{site_url}/{FUNDAMENTALS.removesuffix('index.html')}")
    answer = "document.querySelector('#step-3 .kb-path-answer')"
    assert page.evaluate(f"{answer}.open") is False
    assert page.evaluate(f"{answer}.querySelector('p').checkVisibility()") is False
    page.click("#step-3 .kb-path-answer summary")
    page.wait_for_function(f"{answer}.open && {answer}.querySelector('p').checkVisibility()")


def test_paths_is_a_page_and_the_paths_tab_opens_the_first_path(sample_site: Path, catalog):
    listing = (sample_site / "paths" / "index.html").read_text("utf-8")
    assert "Onboarding paths" in listing and "kb-paths" not in listing  # the marker became the table
    for path in catalog.paths:
        assert path.title in listing
    home = (sample_site / "index.html").read_text("utf-8")
    tab = re.search(r'<a href="([^"]*)" class="md-tabs__link">\s*Paths\s*</a>', home)
    assert tab is not None, "no Paths tab"
    first = catalog.paths[0].source.removesuffix(".md")
    assert tab.group(1).rstrip("/").endswith(first)


def test_in_a_browser_paths_is_a_page_and_the_paths_tab_opens_the_first_path(page: Page, site_url: str, catalog):
    answer = page.goto(f"{site_url}/paths/")
    assert answer is not None and answer.status == 200
    assert page.evaluate("document.querySelector('.md-content h1').firstChild.textContent") == "Onboarding paths"
    page.goto(f"{site_url}/start-here/")
    first_listed = page.evaluate("document.querySelector('.md-content td a').textContent")
    assert first_listed == catalog.paths[0].title  # Start here's order
    page.evaluate("[...document.querySelectorAll('a.md-tabs__link')].find(a => a.textContent.trim() === 'Paths').click()")
    page.wait_for_function(f"location.pathname === '/paths/{catalog.paths[0].name}/'")
    assert page.evaluate("document.querySelector('.md-content h1').firstChild.textContent") == catalog.paths[0].title
