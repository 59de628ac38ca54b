"""The content model: `Article` and `Collection`, built by one parser for every other part.

Stages: split the front matter (frontmatter) -> validate it (metadata) -> render the body with
the site's Markdown extensions (render) -> read the HTML into sections and steps (outline).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from kb_tools.content.config import KBConfig, load_config
from kb_tools.content.findings import Finding
from kb_tools.content.frontmatter import split_front_matter
from kb_tools.content.metadata import Metadata, parse_metadata
from kb_tools.content.outline import BOTH, OutlineSection, OutlineStep, OutlineTab, read_outline
from kb_tools.content.render import Renderer
from kb_tools.content.sources import scan_docs

DEPTHS = ("beginner", "expert")
_LOCATOR_TEXT = re.compile(r"[^0-9a-z]+")
_TAB_LINE = re.compile(r'^\s*===[+!]?\s+"(.*)"\s*$')
_FENCE_LINE = re.compile(r"^\s*(```|~~~)")


@dataclass(frozen=True)
class Outcome:
    """What the customer may see at a step's checkpoint, and where that leads (`target` as written:
    "step 4", "solved", "hand off ...", or the text of the link `href`)."""

    label: str
    html: str
    target: str
    href: str | None
    line: int


@dataclass(frozen=True)
class Step:
    """One numbered step; `checkpoint` is what the customer should see once it worked, and
    `outcomes` where each thing they may see instead leads (none: on to the next step)."""

    number: int
    text: str
    checkpoint: str | None
    labels: tuple[str, ...]
    variant: str = ""
    line: int = 1
    html: str = ""  # the text with bold labels and links kept
    checkpoint_html: str = ""
    outcomes: tuple[Outcome, ...] = ()
    agent: str = ""  # its `!!! agent` blocks: for the agent only, never in `text`


@dataclass(frozen=True)
class Section:
    """The text under one heading at one depth (beginner, expert, or both when outside tabs)."""

    heading: str
    anchor: str
    level: int
    path: tuple[str, ...]
    depth: str
    text: str
    steps: tuple[Step, ...]
    line: int = 1


@dataclass(frozen=True)
class Link:
    """A link in the body as written (`href`), with the line it is on."""

    href: str
    text: str
    line: int

    @property
    def is_internal(self) -> bool:
        return not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//", self.href)


@dataclass(frozen=True)
class TabSet:
    labels: tuple[str, ...]
    empty_labels: tuple[str, ...]
    line: int


@dataclass(frozen=True)
class Article:
    """One Markdown file of the knowledge base, parsed."""

    path: str  # relative to the docs folder, POSIX separators
    source_path: Path
    meta: Metadata
    title: str
    sections: tuple[Section, ...]
    tab_sets: tuple[TabSet, ...]
    links: tuple[Link, ...]
    ids: frozenset[str]
    content_hash: str
    meta_findings: tuple[Finding, ...] = ()
    url: str = ""

    @property
    def depths(self) -> set[str]:
        return {label.lower() for tabs in self.tab_sets for label in tabs.labels if label in ("Beginner", "Expert")}

    def steps(self, depth: str | None = None) -> list[Step]:
        """The article's steps at `depth`; shared steps come first, then the depth's own."""
        wanted = (BOTH, depth) if depth else (BOTH, *DEPTHS)
        return [step for section in self.sections if section.depth in wanted for step in section.steps]

    def text(self) -> str:
        return " ".join(s.text for s in self.sections)


@dataclass
class Collection:
    """Every article of one docs folder, with the config it was read with."""

    config: KBConfig
    articles: list[Article] = field(default_factory=list)
    _by_path: dict[str, Article] = field(default_factory=dict, init=False, repr=False)

    def __iter__(self) -> Iterator[Article]:
        return iter(self.articles)

    def __len__(self) -> int:
        return len(self.articles)

    def get(self, path: str) -> Article | None:
        if len(self._by_path) != len(self.articles):  # built once (link checks call this per link)
            self._by_path = {a.path: a for a in self.articles}
        return self._by_path.get(path)


class ArticleParser:
    """Parses articles of one knowledge base; reuse one parser for many files."""

    def __init__(self, config: KBConfig) -> None:
        self.config = config
        self._renderer = Renderer(config)

    def parse(self, source_path: Path, text: str | None = None) -> Article:
        raw = source_path.read_bytes() if text is None else text.encode("utf-8")
        text = raw.decode("utf-8", errors="replace")
        relative = relative_path(source_path, self.config.docs_dir)
        fm = split_front_matter(text)
        meta, findings = parse_metadata(fm, self.config, relative)
        outline = read_outline(self._renderer.to_html(fm.body))
        locate = _Locator(fm.body, fm.body_line)
        sections = _sections(outline.sections, locate)
        title = meta.title or outline.title or PurePosixPath(relative).stem.replace("-", " ")
        return Article(
            path=relative,
            source_path=source_path,
            meta=meta,
            title=title,
            sections=sections,
            tab_sets=tuple(_tab_set(tabs, locate) for tabs in outline.tab_sets),
            links=tuple(Link(link.href, link.text, locate.line_of(link.text or link.href)) for link in outline.links),
            ids=frozenset(outline.ids),
            content_hash=hashlib.sha256(raw).hexdigest(),
            meta_findings=tuple(findings),
            url=page_url(relative, use_directory_urls=self.config.use_directory_urls),
        )


def load_article(path: Path | str, config: KBConfig) -> Article:
    """Parse one article file."""
    return ArticleParser(config).parse(Path(path).resolve())


def load_collection(docs_dir: Path | str, *, config: KBConfig | None = None) -> Collection:
    """Parse every Markdown file under `docs_dir`, in path order."""
    config = config or load_config(docs_dir)
    parser = ArticleParser(config)
    return Collection(config, [parser.parse(path) for path in find_markdown_files(config.docs_dir)])


def find_markdown_files(docs_dir: Path) -> list[Path]:
    """Markdown files under `docs_dir`, skipping hidden folders, in a stable order."""
    return [Path(p) for p in markdown_files(docs_dir).values()]


def markdown_files(docs_dir: Path) -> dict[str, str]:
    """Each readable Markdown file under `docs_dir` (its file name) by its relative POSIX path, skipping
    hidden folders, sorted; links that loop or lead nowhere and FIFOs are left out (sources.py names them)."""
    return scan_docs(docs_dir).files


def relative_path(path: Path, docs_dir: Path) -> str:
    # The pure comparison first: resolving touches the disk for every part of the path.
    if path.is_absolute() and ".." not in path.parts and path.is_relative_to(docs_dir):
        return path.relative_to(docs_dir).as_posix()
    try:
        return path.resolve().relative_to(docs_dir).as_posix()
    except ValueError:
        return path.as_posix()


def page_url(relative: str, *, use_directory_urls: bool = True) -> str:
    """The URL MkDocs gives the page built from `relative`, relative to the site root."""
    stem = relative[:-3] if relative.endswith(".md") else relative
    if not use_directory_urls:
        return stem + ".html"
    if stem == "index" or stem.endswith("/index") or stem.lower() == "readme" or stem.lower().endswith("/readme"):
        return stem.rpartition("/")[0] + "/" if "/" in stem else ""
    return stem + "/"


class _Locator:
    """Finds the source line of a piece of rendered text (markup makes exact search useless)."""

    def __init__(self, body: str, first_line: int) -> None:
        raw_lines = body.splitlines()
        self._lines = [_LOCATOR_TEXT.sub("", line.lower()) for line in raw_lines]
        self._first = first_line
        self._tab_lines: list[tuple[int, str]] = []
        in_fence = False
        for index, line in enumerate(raw_lines):
            if _FENCE_LINE.match(line):
                in_fence = not in_fence
            elif not in_fence and (match := _TAB_LINE.match(line)):
                self._tab_lines.append((index + first_line, match.group(1)))

    def tab_line(self, label: str) -> int:
        """The line of the next unclaimed `=== "label"` opening (tab sets come in order)."""
        for position, (line, written) in enumerate(self._tab_lines):
            if written == label:
                del self._tab_lines[: position + 1]
                return line
        return self._first

    def line_of(self, text: str, start: int = 0) -> int:
        """The first line from `start` holding the text's opening characters; else `start`."""
        key = _LOCATOR_TEXT.sub("", text.lower())
        begin = max(0, start - self._first)
        for length in (24, 12):  # a short key too: the text may wrap or run into a nested block
            if key[:length]:
                for index in range(begin, len(self._lines)):
                    if key[:length] in self._lines[index]:
                        return index + self._first
        return max(start, self._first)


def _sections(found: list[OutlineSection], locate: _Locator) -> tuple[Section, ...]:
    sections: list[Section] = []
    line = locate.line_of("")
    for part in found:
        if part.heading and (not sections or sections[-1].anchor != part.anchor):
            line = locate.line_of(part.heading, line + 1)  # headings come in order: search on from the last
        steps = tuple(_step(number, s, locate, line) for number, s in enumerate(part.steps, start=1))
        sections.append(Section(part.heading, part.anchor, part.level, part.path, part.depth, part.text, steps, line))
    return tuple(sections)


def _step(number: int, found: OutlineStep, locate: _Locator, section_line: int) -> Step:
    line = locate.line_of(found.text, section_line)
    outcomes = tuple(Outcome(o.label, o.html, o.target, o.href, locate.line_of(o.label or o.target, line))
                     for o in found.outcomes)
    return Step(number, found.text, found.checkpoint, tuple(dict.fromkeys(found.labels)), found.variant, line,
                found.html, found.checkpoint_html, outcomes, found.agent)


def _tab_set(tabs: list[OutlineTab], locate: _Locator) -> TabSet:
    labels = tuple(tab.label for tab in tabs)
    line = locate.tab_line(labels[0]) if labels else 1
    return TabSet(labels, tuple(tab.label for tab in tabs if tab.is_empty), line)
