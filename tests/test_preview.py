"""The writer's preview (`make write` = `mkdocs serve`): each page shows its `kb check` findings and
whether its customer phrases find it; saving updates the panel; a production build never has it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

from browser import BrowserError, Page
from conftest import article, free_port, stop_process

from kb_tools.site.preview import PANEL_ID

PANEL_TEXT = f"(document.getElementById('{PANEL_ID}') || {{}}).textContent || ''"


def test_the_production_build_never_contains_the_panel(sample_site):
    pages = list(sample_site.rglob("*.html"))
    assert len(pages) > 30
    assert not [p for p in pages if PANEL_ID in p.read_text(encoding="utf-8")]


def _wait_for_text(page: Page, predicate, timeout: float = 60.0) -> str:
    """The panel's text once `predicate` holds; live reload replaces the page meanwhile."""
    deadline, text = time.monotonic() + timeout, ""
    while time.monotonic() < deadline:
        try:
            text = page.evaluate(PANEL_TEXT) or ""
        except BrowserError:  # the page is being reloaded
            text = ""
        if predicate(text):
            return " ".join(text.split())
        time.sleep(0.2)
    raise AssertionError(f"the panel never matched; last text: {' '.join(text.split())!r}")


def test_saving_a_file_updates_the_panel(write_docs, page, tmp_path):
    source = article("Reset the router", customer_says="[reset the router]")
    docs = write_docs({"router/reset.md": source})
    port = free_port()
    own_tmp = tmp_path / "tmp"  # the server's temporary folder: other test runs' previews never land here
    own_tmp.mkdir()
    log = tempfile.TemporaryFile("w+")
    server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-f", str(tmp_path / "mkdocs.yml"),
                               "--dev-addr", f"127.0.0.1:{port}", "--livereload"], stdout=log,
                              stderr=subprocess.STDOUT, env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "TMPDIR": str(own_tmp)})
    url = f"http://127.0.0.1:{port}/router/reset/"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise AssertionError(f"mkdocs serve did not come up: {log.read()[-3000:]}") from None
                time.sleep(0.3)
        page.goto(url)
        clean = _wait_for_text(page, lambda t: "no findings" in t)
        assert "router/reset.md" in clean
        assert "“reset the router”: found at rank 1" in clean

        (docs / "router/reset.md").write_text(source.replace("the button on the back", "the ((icon)) on the back"))
        finding = _wait_for_text(page, lambda t: "[placeholder]" in t)
        assert ("line 20: error template text left to fill in: ((icon)); replace it with the real text. "
                "[placeholder]") in finding

        (docs / "router/reset.md").write_text(source)
        _wait_for_text(page, lambda t: "no findings" in t and "placeholder" not in t)
    finally:
        stop_process(server, signal.SIGINT, timeout=30)  # Ctrl-C, as a writer stops it: the preview's index is removed
        log.close()
    assert not list(own_tmp.glob("kb-preview-*"))  # the preview's index was removed
