"""Archived articles are out of every answer and every index: /api/steps, kb steps and the site's own search."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

import pytest
from conftest import SITE_YML, article, in_process, run_mkdocs_build

from kb_tools.search import build_index

KB = str(Path(sys.executable).with_name("kb"))


@pytest.fixture
def archived_kb(write_docs: Callable[..., Path]) -> tuple[Path, Path, Path]:
    """docs with one validated and one archived article (unique words in each), built and indexed."""
    docs = write_docs({
        "index.md": "---\ntitle: Home\ntype: page\n---\n\n# Home\n",
        "router/reset.md": article("Reset the router"),
        "router/old-reset.md": article("Reset the zebrafish router", status="archived",
                                       customer_says="[zebrafish router]"),
    }, site=SITE_YML.replace("plugins: [kb]", "plugins: [search, kb]"))
    site = docs.parent / "site"
    result = run_mkdocs_build(docs.parent / "mkdocs.yml", site)
    assert result.returncode == 0, result.stderr
    index = docs.parent / "index"
    build_index(docs, index, semantic=False)
    return docs, site, index


def test_archived_pages_are_not_in_the_sites_own_search_index(archived_kb: tuple[Path, Path, Path]):
    _, site, _ = archived_kb
    entries = json.loads((site / "search" / "search_index.json").read_text())["docs"]
    locations = {entry["location"].split("#")[0] for entry in entries}
    assert "router/reset/" in locations
    assert not any("zebrafish" in entry["title"] + entry["text"] for entry in entries)
    assert (site / "router" / "old-reset" / "index.html").is_file()  # still a page: old links keep working


def test_archived_articles_steps_are_not_answered(archived_kb: tuple[Path, Path, Path]):
    docs, site, index = archived_kb
    with in_process(site, index, app={"docs_dir": docs}) as url:
        for path in ("router/old-reset.md", "router/old-reset"):
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(f"{url}/api/steps?{urlencode({'article': path})}", timeout=30)
            assert refused.value.code == 404, path
            assert "router/old-reset.md is archived" in json.loads(refused.value.read())["error"]
        with urllib.request.urlopen(f"{url}/api/steps?{urlencode({'article': 'zebrafish router'})}", timeout=30) as found:
            assert json.loads(found.read())["path"] == "router/reset.md"  # the caller's words never reach it
        with urllib.request.urlopen(f"{url}/api/steps?{urlencode({'article': 'router/reset.md'})}", timeout=30) as ok:
            assert json.loads(ok.read())["path"] == "router/reset.md"
    result = subprocess.run([KB, "steps", "router/old-reset.md", "--index", str(index)], capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 1 and "archived" in result.stderr and "Traceback" not in result.stderr
