"""The words of one depth tab (`=== "Beginner"`), for the checks that judge wording.

Stages: find the tab's lines in the article source (so a finding names the exact line) ->
render them with the site's Markdown setup -> read the HTML into plain-text blocks (a paragraph,
a list item, a cell: each ends a sentence) and the links written in the tab.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field
from html.parser import HTMLParser

from kb_tools.content.frontmatter import split_front_matter
from kb_tools.content.model import Article
from kb_tools.content.render import Renderer

_TAB_LINE = re.compile(r'^(?P<indent>\s*)===[+!]?\s+"(?P<label>.*)"\s*$')
_FENCE_LINE = re.compile(r"^\s*(```|~~~)")
_BLOCK_TAGS = {"p", "li", "td", "th", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "br", "div",
               "summary", "tr"}
_SKIPPED_TAGS = {"pre", "script", "style", "svg", "label"}  # code blocks and tab labels are not read out


@dataclass(frozen=True)
class TabLink:
    href: str
    text: str


@dataclass(frozen=True)
class TabText:
    """One tab: where it starts, its source lines, its plain text and its links."""

    label: str
    line: int  # the `=== "label"` line
    source: tuple[tuple[int, str], ...]  # (file line, text) of every line inside the tab
    blocks: tuple[str, ...]
    links: tuple[TabLink, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.blocks)

    def line_of(self, pattern: re.Pattern[str]) -> int:
        """The first source line of the tab that matches `pattern`, else the tab's own line."""
        return next((number for number, text in self.source if pattern.search(text)), self.line)


def depth_tabs(article: Article, renderer: Renderer, label: str = "Beginner") -> list[TabText]:
    """Every top-level-or-nested tab labelled exactly `label` in the article, in order."""
    text = article.source_path.read_text(encoding="utf-8", errors="replace")
    fm = split_front_matter(text)
    tabs = []
    for line, source in _tab_sources(fm.body, fm.body_line, label):
        body = textwrap.dedent("\n".join(content for _, content in source))
        reader = _Blocks()
        reader.feed(renderer.to_html(body))
        reader.close()
        tabs.append(TabText(label, line, tuple(source), tuple(reader.finish()), tuple(reader.links)))
    return tabs


def _tab_sources(body: str, first_line: int, label: str) -> list[tuple[int, list[tuple[int, str]]]]:
    lines = body.splitlines()
    found = []
    in_fence = False
    for index, line in enumerate(lines):
        if _FENCE_LINE.match(line):
            in_fence = not in_fence
        match = None if in_fence else _TAB_LINE.match(line)
        if not match or match.group("label") != label:
            continue
        indent = len(match.group("indent").expandtabs(4))
        source = []
        for number in range(index + 1, len(lines)):
            inner = lines[number]
            if inner.strip() and len(inner.expandtabs(4)) - len(inner.expandtabs(4).lstrip()) <= indent:
                break  # back at the tab's own level: the tab ended
            source.append((number + first_line, inner.expandtabs(4)))
        found.append((index + first_line, source))
    return found


@dataclass
class _Link:
    href: str
    parts: list[str] = field(default_factory=list)


class _Blocks(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.current: list[str] = []
        self.skip = 0
        self.links: list[TabLink] = []
        self.link: _Link | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self.skip += 1
        elif tag in _BLOCK_TAGS:
            self._flush()
        elif tag == "a":
            self.link = _Link(dict(attrs).get("href") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK_TAGS:
            self._flush()
        elif tag == "a" and self.link is not None:
            self.links.append(TabLink(self.link.href, " ".join("".join(self.link.parts).split())))
            self.link = None

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        self.current.append(data)
        if self.link is not None:
            self.link.parts.append(data)

    def _flush(self) -> None:
        text = " ".join("".join(self.current).split())
        if text:
            self.blocks.append(text)
        self.current = []

    def finish(self) -> list[str]:
        self._flush()
        return self.blocks
