"""Broken content never gets through: each case through `kb check`, `kb index` and `mkdocs build`.

What a careless writer or tool leaves in docs/ (issue 17): bytes that are not UTF-8, a link to the
folder itself, links to nothing or to themselves, a FIFO named `.md`, front matter that does not
parse, a 5 MB article, markup in a title, a full disk. Each gets one line naming the file (and the
line where there is one), a non-zero exit and no traceback, and the previous index keeps serving.
Commands run as subprocesses with a timeout: a FIFO must not hang the test run either.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import ROOT, article, run_mkdocs_build

from kb_tools.search import Searcher

KB = str(Path(sys.executable).with_name("kb"))
TIMEOUT = 120  # a hang fails the test instead of the run; a healthy command takes a second or two
GOOD = article("Reset the router")


def kb(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KB_MODEL_DIR": "/nonexistent", "KB_LOG": "off"}
    return subprocess.run([KB, *map(str, args)], capture_output=True, text=True, timeout=TIMEOUT, env=env, cwd=cwd,
                          check=False)


def mkdocs(docs: Path) -> subprocess.CompletedProcess[str]:
    return run_mkdocs_build(docs.parent / "mkdocs.yml", docs.parent / "site")


def assert_refused(result: subprocess.CompletedProcess[str], name: str, *, line: int | None = None) -> None:
    """A non-zero exit, no traceback, and the file named on a line of its own (with its line number)."""
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "Traceback" not in output, output
    named = [text for text in output.splitlines() if name in text]
    assert named, output
    if line is not None:
        assert any(f"{name}:{line}:" in text for text in named), output


def indexed(docs: Path) -> Path:
    """A good index of the docs as they are now (the one that must keep serving)."""
    index = docs.parent / "index"
    result = kb("index", docs, "--index", index, "--no-semantic")
    assert result.returncode == 0, result.stderr
    return index


def titles(index: Path) -> dict[str, tuple[str, str]]:
    searcher = Searcher(index)
    try:
        return {hit.path: (hit.title, hit.status) for hit in searcher.search("router", limit=50).hits}
    finally:
        searcher.close()


BrokenCase = Callable[[Path], tuple[str, int | None]]


def _not_utf8(docs: Path) -> tuple[str, int | None]:
    (docs / "router" / "latin.md").write_bytes(article("Caf\xe9 wifi").encode("latin-1"))
    return "router/latin.md", 2


def _link_to_itself_folder(docs: Path) -> tuple[str, int | None]:
    (docs / "loop").symlink_to(".")
    return "loop", None


def _dangling_link(docs: Path) -> tuple[str, int | None]:
    (docs / "router" / "gone.md").symlink_to("nowhere.md")
    return "router/gone.md", None


def _self_link(docs: Path) -> tuple[str, int | None]:
    (docs / "router" / "self.md").symlink_to("self.md")
    return "router/self.md", None


def _fifo(docs: Path) -> tuple[str, int | None]:
    os.mkfifo(docs / "router" / "pipe.md")
    return "router/pipe.md", None


def _five_megabytes(docs: Path) -> tuple[str, int | None]:
    paragraph = "The router light turns amber when the line drops; restart the HomeHub and wait.\n\n"
    (docs / "router" / "huge.md").write_text(article("Huge", body=paragraph * (5_000_000 // len(paragraph))))
    return "router/huge.md", None


CASES = {"not UTF-8": _not_utf8, "ln -s . docs/loop": _link_to_itself_folder, "dangling link": _dangling_link,
         "self-looping link": _self_link, "FIFO": _fifo, "5 MB article": _five_megabytes}


@pytest.mark.parametrize("case", CASES)
def test_each_broken_file_is_named_and_refused_by_check_index_and_build(case: str, write_docs: Callable[..., Path]):
    docs = write_docs({"router/reset.md": GOOD})
    index = indexed(docs)
    name, line = CASES[case](docs)

    assert_refused(kb("check", docs, "--no-findability"), name, line=line)
    result = kb("index", docs, "--index", index, "--no-semantic")
    assert_refused(result, name, line=line)
    assert titles(index) == {"router/reset.md": ("Reset the router", "validated")}  # nothing made up, nothing lost
    assert_refused(mkdocs(docs), name, line=line)


def test_an_article_whose_front_matter_does_not_parse_keeps_its_last_good_version(write_docs: Callable[..., Path]):
    docs = write_docs({"router/reset.md": GOOD, "router/other.md": article("Router lights", status="draft")})
    index = indexed(docs)
    broken = GOOD.replace("title: Reset the router", "title: [Reset the router")  # a YAML list never closed
    (docs / "router" / "reset.md").write_text(broken)
    (docs / "router" / "other.md").write_text(article("Router lights explained", status="draft"))

    assert_refused(kb("check", docs, "--no-findability"), "router/reset.md", line=3)
    result = kb("index", docs, "--index", index, "--no-semantic")
    assert_refused(result, "router/reset.md", line=3)
    assert "last good version" in result.stderr
    # The good change is published; the broken article is its last good version, not "validated" defaults.
    assert titles(index) == {"router/reset.md": ("Reset the router", "validated"),
                             "router/other.md": ("Router lights explained", "draft")}
    assert_refused(mkdocs(docs), "router/reset.md", line=3)

    rebuilt = kb("index", docs, "--index", index, "--no-semantic", "--rebuild")  # no last good version to keep
    assert_refused(rebuilt, "router/reset.md", line=3)
    assert set(titles(index)) == {"router/other.md"}


def test_a_full_disk_during_kb_index_is_one_line_and_the_previous_index_serves(write_docs: Callable[..., Path],
                                                                              tmp_path: Path):
    docs = write_docs({"router/reset.md": GOOD})
    # The disk: room for the first index (measured, as it grows with the format: a generation carries
    # its English words) and 400 KB more, which the second build's 60 long articles overflow.
    assert kb("index", docs, "--index", tmp_path / "probe", "--no-semantic").returncode == 0
    first = sum(-(-f.stat().st_size // 4096) * 4096 for f in (tmp_path / "probe").rglob("*") if f.is_file())
    tiny = tmp_path / "tiny"
    tiny.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={first // 1024 + 400}k", "tmpfs", str(tiny)],
                             capture_output=True, check=False)
    if mounted.returncode != 0:
        pytest.skip(f"a small disk needs a tmpfs mount (root): {mounted.stderr.decode().strip()}")
    try:
        index = tiny / "index"
        assert kb("index", docs, "--index", index, "--no-semantic").returncode == 0
        words = " ".join(f"word{n}" for n in range(4000))
        for number in range(60):
            (docs / "router" / f"many-{number}.md").write_text(article(f"Router case {number}", body=words))
        result = kb("index", docs, "--index", index, "--no-semantic")
        output = result.stdout + result.stderr
        assert result.returncode == 1 and "Traceback" not in output, output
        assert output.strip().splitlines()[-1].startswith(f"Error: cannot write the index in {index}: No space left")
        assert titles(index) == {"router/reset.md": ("Reset the router", "validated")}
        assert [p.name for p in index.iterdir() if p.name.endswith(".partial")] == []  # the space is given back
    finally:
        subprocess.run(["umount", "--lazy", str(tiny)], check=True)  # a searcher may still map a file


HOSTILE_TITLE = '"</title><img src=x onerror=\\"window.kbPwned=1\\"><script>window.kbPwned=2</script>"'
HOSTILE_SUMMARY = '"Fix it <img src=y onerror=\\"window.kbPwned=3\\">"'


def _hostile_site(write_docs: Callable[..., Path]) -> Path:
    text = article(HOSTILE_TITLE, summary=HOSTILE_SUMMARY)
    text = re.sub(r"^# .*$", "# Reset the router", text, count=1, flags=re.MULTILINE)  # the body is the writer's HTML
    docs = write_docs({"router/reset.md": text, "router/other.md": article("Router lights")})
    result = mkdocs(docs)
    assert result.returncode == 0, result.stderr
    return docs.parent / "site"


def test_markup_in_a_front_matter_title_or_summary_is_text_on_every_page(write_docs: Callable[..., Path]):
    site = _hostile_site(write_docs)
    pages = {path.relative_to(site).as_posix(): path.read_text() for path in site.rglob("*.html")}
    assert "router/reset/index.html" in pages and "router/index.html" in pages
    for name, html in pages.items():
        markup = re.sub(r'<script type="application/json" id="kb-steps">.*?</script>', "", html, flags=re.DOTALL)
        assert not re.search(r"<img[^>]*onerror|<script>window.kbPwned", markup), name
    article_page, landing = pages["router/reset/index.html"], pages["router/index.html"]
    assert "<title>&lt;/title&gt;&lt;img src=x" in article_page  # the <title>, as typed
    assert "&lt;script&gt;window.kbPwned=2&lt;/script&gt;" in landing  # the landing page's link to it
    assert "Fix it &lt;img src=y" in landing  # and its summary


def test_markup_in_a_title_runs_nowhere_in_a_real_browser(write_docs: Callable[..., Path], page):
    site = _hostile_site(write_docs)
    for url in ("router/reset/index.html", "router/index.html", "router/other/index.html"):
        page.goto((site / url).as_uri())
        page.wait_for_function("document.readyState === 'complete'")
        assert page.evaluate("window.kbPwned === undefined"), url
    page.goto((site / "router/reset/index.html").as_uri())
    assert page.evaluate("document.title").startswith("</title><img src=x")  # shown as typed


def test_make_site_checks_the_content_before_indexing_it():
    planned = subprocess.run(["make", "-n", "site"], capture_output=True, text=True, cwd=ROOT, check=True).stdout
    commands = [line for line in planned.splitlines() if re.search(r"/kb (check|index)|/mkdocs build", line)]
    assert [("check" in c, "index" in c and "check" not in c, "mkdocs" in c) for c in commands] == [
        (True, False, False), (False, True, False), (False, False, True)], commands
