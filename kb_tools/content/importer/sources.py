"""Reading a help centre's files: Zendesk-style Markdown (front matter with `title` and `id`),
plain Markdown, and HTML pages, each into one `SourceArticle`."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from kb_tools.content.frontmatter import split_front_matter
from kb_tools.content.importer.html_to_md import html_block_to_markdown

SOURCE_SUFFIXES = (".md", ".markdown", ".html", ".htm")
_SKIPPED_NAMES = {"readme.md", "license.md", "changelog.md", "contributing.md"}
_H1 = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)
_HTML_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_HTML_H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.IGNORECASE | re.DOTALL)
_HTML_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class SourceArticle:
    """One source file: where it was, its title, its Markdown body (HTML still inline) and its id."""

    relative: PurePosixPath  # from the source folder
    title: str
    body: str
    source_id: str | None  # the help centre's article id, which its own links use
    kind: str  # "zendesk", "markdown" or "html"

    @property
    def folders(self) -> tuple[str, ...]:
        return self.relative.parent.parts


def find_sources(src: Path) -> list[Path]:
    """Every article file under `src`, skipping hidden folders and repository files, sorted."""
    found = []
    for folder, subfolders, names in os.walk(src):
        subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
        for name in names:
            if name.lower().endswith(SOURCE_SUFFIXES) and not name.startswith(".") \
                    and name.lower() not in _SKIPPED_NAMES:
                found.append(Path(folder) / name)
    return sorted(found, key=lambda p: p.relative_to(src).as_posix())


def read_source(path: Path, src: Path) -> SourceArticle:
    """Read one file by its kind; the title comes from front matter, then the first heading, then the name."""
    relative = PurePosixPath(path.relative_to(src).as_posix())
    text = path.read_text(encoding="utf-8", errors="replace")
    fallback = relative.stem.replace("-", " ").replace("_", " ").strip().capitalize()
    if path.suffix.lower() in (".html", ".htm"):
        title_match = _HTML_TITLE.search(text) or _HTML_H1.search(text)
        body_match = _HTML_BODY.search(text)
        body = body_match.group(1) if body_match else text
        title = _plain(title_match.group(1)) if title_match else fallback
        return SourceArticle(relative, title or fallback, html_block_to_markdown(body) + "\n", None, "html")
    front = split_front_matter(text)
    data = front.data if front.present and not front.error else {}
    body = front.body if front.present and not front.error else text
    title = str(data.get("title") or "").strip()
    heading = _H1.search(body)
    if heading and not title:
        title = _plain(heading.group(1))
    source_id = str(data["id"]) if data.get("id") is not None else None
    return SourceArticle(relative, title or fallback, body, source_id, "zendesk" if source_id else "markdown")


def _plain(text: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", "", text).split())
