"""Material for MkDocs' built-in search (lunr.js), as a site built with Material would answer.

Two stages, both the real thing rather than a re-implementation:
  index   a real `mkdocs build` of the docs folder with Material and only its `search` plugin:
          the plugin writes search/search_index.json (one document per page and per section,
          title + text, Material's default config: title boost 1000, separator `[\\s\\-]+`,
          English pipeline `stopWordFilter` only, i.e. no stemmer)
  search  the search worker that the installed mkdocs-material ships (lunr.js 2.3.9 with
          Material's tokenizer, query transform with trailing wildcards, post-query boosts and
          grouping by page), run under node by bench/material_search.cjs

A result group is one page; it ranks by its best item (page or section) and links that item,
as Material lists it. Needs `node` on PATH (nothing is installed from npm).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import material
import yaml
from mkdocs.structure.files import File

from kb_tools.search.searcher import Hit

REPO = Path(__file__).resolve().parent.parent
RUNNER = Path(__file__).resolve().parent / "material_search.cjs"
WORKERS = Path(material.__file__).parent / "templates" / "assets" / "javascripts" / "workers"


def node_missing() -> str | None:
    """Why this baseline cannot run here, or None when it can."""
    if shutil.which("node") is None:
        return "node is not on PATH (Material's search worker runs under node)"
    if not list(WORKERS.glob("search.*.min.js")):
        return f"no search worker in {WORKERS} (is mkdocs-material installed?)"
    return None


def build_search_index(docs: Path, where: Path) -> Path:
    """Build the site of `docs` with the project's theme and Markdown, plugins: [search] only."""
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    config.update(docs_dir=str(docs.resolve()), site_dir=str(where / "site"), plugins=["search"], strict=False)
    config.pop("validation", None)  # a foreign corpus has links mkdocs would warn about; not what we measure
    where.mkdir(parents=True, exist_ok=True)
    (where / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(where / "mkdocs.yml")],
                            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"mkdocs build of {docs} failed (exit {result.returncode}):\n{result.stderr}")
    return where / "site" / "search" / "search_index.json"


def _source_paths(docs: Path, use_directory_urls: bool = True) -> dict[str, str]:
    """Page URL (as the search index writes it, unquoted) -> the Markdown file's path under `docs`."""
    paths = {}
    for path in docs.rglob("*.md"):
        src = path.relative_to(docs).as_posix()
        paths[unquote(File(src, str(docs), "/site", use_directory_urls).url)] = src
    return paths


class MaterialSearch:
    """Material's search worker under node, answering one query at a time."""

    def __init__(self, search_index: Path, docs: Path, *, suggest: bool = True) -> None:
        worker = sorted(WORKERS.glob("search.*.min.js"))[-1]
        self._paths = _source_paths(docs)
        args = ["node", str(RUNNER), str(worker), str(search_index), *(["suggest"] if suggest else [])]
        self._node = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        assert self._node.stdout is not None
        if self._node.stdout.readline().strip() != "ready":
            raise SystemExit(f"Material's search worker did not start (exit {self._node.wait()})")

    def groups(self, text: str) -> list[list[tuple[str, float]]]:
        """Material's result groups for `text`: per page, its items' (location, score), best first."""
        assert self._node.stdin is not None and self._node.stdout is not None
        self._node.stdin.write(json.dumps(text) + "\n")
        line = self._node.stdout.readline()
        if not line:
            raise SystemExit(f"Material's search worker stopped (exit {self._node.wait()})")
        return [[(location, score) for location, score in group] for group in json.loads(line)]

    def search(self, text: str, limit: int = 10) -> list[Hit]:
        """The first `limit` pages, each linked at its best item, as kb Hits for `evaluate`."""
        hits = []
        for group in self.groups(text)[:limit]:
            location, score = group[0]
            page, _, anchor = unquote(location).partition("#")
            hits.append(Hit(self._paths.get(page, page), "", "", "", "", "", "", anchor, "both", location, score, ""))
        return hits

    def close(self) -> None:
        if self._node.stdin is not None:
            self._node.stdin.close()
        self._node.wait(timeout=10)

    def __enter__(self) -> MaterialSearch:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
