"""An article as lists show it (landing pages, paths, checks): its path, title and front matter.

Only front matter is read (never a Markdown parse), which keeps listings cheap on thousands of articles.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from kb_tools.content.config import KBConfig
from kb_tools.content.findings import Finding
from kb_tools.content.frontmatter import split_front_matter
from kb_tools.content.metadata import PAGE_TYPE, Metadata, parse_metadata


@dataclass(frozen=True)
class Card:
    """An article as the site lists it: where it is and what its front matter says."""

    path: str
    title: str
    meta: Metadata

    @property
    def is_article(self) -> bool:
        return self.meta.type is not None and self.meta.type != PAGE_TYPE


def read_card(path: str, text: str, config: KBConfig) -> tuple[Card, list[Finding]]:
    """The card of one file, and its front-matter findings."""
    fm = split_front_matter(text)
    meta, findings = parse_metadata(fm, config, path)
    title = meta.title or _first_heading(fm.body) or PurePosixPath(path).stem.replace("-", " ")
    return Card(path, title, meta), findings


def _first_heading(body: str) -> str | None:
    for line in body.splitlines():
        if line.startswith("# "):
            return line[2:].strip().split(" {")[0]
    return None
