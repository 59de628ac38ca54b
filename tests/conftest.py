"""Shared fixtures: docs trees written into tmp_path, the sample KB and its one real site build."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml
from browser import Browser, Page, is_available, launch, new_page
from postgres import TempPostgres, find_bindir

from kb_tools.content.config import DEFAULT_EXTENSIONS

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DOCS = ROOT / "docs"
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpora" / "arduino-help"
DEV_QUERIES = SHARED / "eval" / "arduino-dev-queries.tsv"

PRODUCTS_YML = """\
products:
  - id: router
    name: Router
  - id: portal
    name: Portal
"""

SITE_YML = """\
site_name: Test KB
docs_dir: docs
theme:
  name: material
  font: false
  features: [content.tabs.link, navigation.tabs, navigation.indexes, navigation.prune]
plugins: [kb]
extra:
  generator: false
""" + yaml.safe_dump({"markdown_extensions": DEFAULT_EXTENSIONS})


def article(title: str = "Reset the router", *, body: str | None = None, **fields: object) -> str:
    """A valid how-to article; pass fields to change front matter (None removes a key)."""
    meta: dict[str, object] = {
        "title": title, "summary": "Get the router back to working order.", "product": "router",
        "type": "how-to", "tags": "[router]", "customer_says": "[router is broken]", "owner": "ana",
        "reviewed": "2099-01-01", "review_every": 180, "status": "validated",
    }
    meta.update(fields)
    front = "\n".join(f"{k}: {v}" for k, v in meta.items() if v is not None)
    if body is None:
        body = textwrap.dedent("""\
            ## Steps

            === "Beginner"

                1. Press **Reset**, the button on the back.

                    Checkpoint: the light turns white.

            === "Expert"

                1. Hold reset 2 s.

                    Checkpoint: light white.
            """)
    return f"---\n{front}\n---\n\n# {title}\n\n{body}"


@pytest.fixture
def write_docs(tmp_path: Path) -> Callable[..., Path]:
    """Write `{relative path: text}` under tmp_path/docs (with products.yml and mkdocs.yml)."""

    def write(files: dict[str, str], *, products: str = PRODUCTS_YML, site: str = SITE_YML) -> Path:
        docs = tmp_path / "docs"
        docs.mkdir(exist_ok=True)
        (docs / "products.yml").write_text(products, encoding="utf-8")
        (tmp_path / "mkdocs.yml").write_text(site, encoding="utf-8")
        for relative, text in files.items():
            target = docs / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        return docs

    return write


def run_mkdocs_build(config_file: Path, site_dir: Path, *, strict: bool = True) -> subprocess.CompletedProcess[str]:
    """A real `mkdocs build` in a subprocess, as a user would run it."""
    command = [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config_file), "-d", str(site_dir)]
    if strict:
        command.append("--strict")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run(command, capture_output=True, text=True, env=env, check=False)


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample KB in docs/, built once per session with `mkdocs build --strict`."""
    site = tmp_path_factory.mktemp("sample-site")
    result = run_mkdocs_build(ROOT / "mkdocs.yml", site)
    assert result.returncode == 0, result.stderr
    return site


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"the help-centre corpus is not at {CORPUS} (it lives in ../shared beside the project)")
    return CORPUS


def copy_docs(tmp_path: Path) -> Path:
    """A writable copy of the sample KB (docs/ and mkdocs.yml)."""
    shutil.copytree(SAMPLE_DOCS, tmp_path / "docs")
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    return tmp_path / "docs"


# --- kb serve -----------------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop_process(process: subprocess.Popen, sig: int = signal.SIGTERM, *, timeout: float = 15.0) -> None:
    """Stop a server the test started: `sig` first, then SIGKILL if it has not exited within `timeout`."""
    if process.poll() is not None:
        return
    process.send_signal(sig)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextlib.contextmanager
def kb_serve(site: Path, index: Path, *args: str, log: Path | None = None,
             timeout: float = 30.0) -> Iterator[tuple[subprocess.Popen, str]]:
    """A real `kb serve` subprocess on a free port: yields (process, base URL once /api/health answers).

    What it prints goes to `log` (a pipe nobody reads could fill up and stall the server).
    """
    port = free_port()
    command = [str(Path(sys.executable).with_name("kb")), "serve", "--site", str(site), "--index", str(index),
               "--port", str(port), *args]
    output = open(log, "w+") if log else tempfile.TemporaryFile("w+")  # noqa: SIM115 - closed below
    process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                output.seek(0)
                raise AssertionError(f"kb serve exited with {process.returncode}: {output.read()}")
            try:
                with urllib.request.urlopen(f"{url}/api/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError(f"kb serve did not answer on {url} in {timeout} s") from None
                time.sleep(0.1)
        yield process, url
    finally:
        stop_process(process)
        output.close()


@pytest.fixture(scope="session")
def lexical_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of the sample KB by words only (no embedding): for tests of the API's edges. Read-only."""
    from kb_tools.search import build_index

    index = tmp_path_factory.mktemp("lexical-index")
    build_index(SAMPLE_DOCS, index, semantic=False)
    return index


# The index folder of each session server, by its base URL (/api/health names only the folder).
SERVED_INDEXES: dict[str, Path] = {}


@pytest.fixture(scope="session")
def served_kb(sample_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`kb serve` over the built sample site and an index of docs/, for the whole session: its base URL.

    Read-only: a test that changes the site or the index starts its own with `kb_serve`.
    """
    from kb_tools.search import build_index

    index = tmp_path_factory.mktemp("served-index")
    build_index(SAMPLE_DOCS, index)
    with kb_serve(sample_site, index) as (_, url):
        SERVED_INDEXES[url] = index
        yield url


# --- a real browser and an in-process server, shared by the browser and API tests ---------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's chromium, headless, driven by Playwright (one for the whole run; see tests/browser.py)."""
    if not is_available():
        pytest.skip("chromium is not installed (`make test` installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh tab in a context of its own (no storage from other tests); see tests/browser.py."""
    tab = new_page(browser)
    try:
        yield tab
    finally:
        tab.context.close()


@contextlib.contextmanager
def in_process(site: Path, index: Path, app: dict | None = None, **server_options: object) -> Iterator[str]:
    """The library's Server in a thread of this process, on a free port: its base URL."""
    from kb_tools.desk.app import create_app
    from kb_tools.desk.server import Server

    server = Server(create_app(site, index, **(app or {})), host="127.0.0.1", port=0, **server_options)
    thread = threading.Thread(target=server.run, kwargs={"grace": 2.0})
    thread.start()
    try:
        yield server.url
    finally:
        server.stop()
        thread.join(timeout=15)
        assert not thread.is_alive()


# --- a real PostgreSQL server (tests/postgres.py), for the activity log on a database --------------


@pytest.fixture(scope="session")
def postgres() -> Iterator[TempPostgres]:
    """One PostgreSQL server in a temporary folder for the whole run, removed afterwards."""
    if find_bindir() is None:
        pytest.skip("PostgreSQL is not installed (no initdb; `make test` installs Debian's postgresql)")
    with TempPostgres() as server:
        yield server


@pytest.fixture
def pg_url(postgres: TempPostgres, request: pytest.FixtureRequest) -> str:
    """A fresh, empty database on the session's server: its postgresql:// URL."""
    name = "t_" + "".join(c if c.isalnum() else "_" for c in request.node.name.lower())[:50]
    postgres.sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return postgres.create_database(name)
