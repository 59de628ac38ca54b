"""An article's steps as a small decision graph: steps, the outcomes under their checkpoints, targets.

Written under a step's checkpoint, `- What the customer sees → where it leads` is an outcome
(see "Writing articles"). Where it leads, its target, is one of:

- `step N`: step N of the same list (the same tab of the same section);
- a link to another article or a section of one, optionally followed by `, step N`;
- `solved`, or `hand off` (`escalate`) with a note saying to whom and with what.

A step without outcomes flows on to the next step. The outline parser reads outcomes from the
rendered HTML (the one content-model parser); this module only interprets them, for `kb check`,
`kb steps`, the index and the steps the site's pages carry, which all share `steps_data`.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from kb_tools.content.outline import BOTH

_STEP = re.compile(r"\bstep\s+(\d+)\b", re.I)
_HANDOFF = re.compile(r"^(?:hand[ -]?off|escalate)\b[\s:,-]*(.*)$", re.I)
_SOLVED = re.compile(r"^solved\b[.!]?$", re.I)
_HREF = re.compile(r'href="([^"]*)"')
_EXTERNAL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//")

# Target kinds
STEP, ARTICLE, SOLVED, HANDOFF, UNKNOWN = "step", "article", "solved", "handoff", "unknown"
ENDS = (SOLVED, HANDOFF, ARTICLE)  # where a branch may end


@dataclass(frozen=True)
class LinkTarget:
    """Where an internal link leads: the article's docs path, the anchor, and the page URL from the site root."""

    path: str
    anchor: str
    url: str


Resolve = Callable[[str], "LinkTarget | None"]
TeamOf = Callable[[str], "tuple[str | None, str]"]  # a hand-off's note -> (its team's id, the note without it)


@dataclass(frozen=True)
class Target:
    """Where an outcome leads. `number` is a step number as written (in the same list for `step`,
    in the linked section for `article`); `note` is a hand-off's text or an unknown target's."""

    kind: str
    number: int | None = None
    link: LinkTarget | None = None
    note: str = ""


def parse_target(written: str, href: str | None, resolve: Resolve) -> Target:
    """The target of an outcome from the text after its arrow and the link in it, if any."""
    written = written.strip().rstrip(".")
    number = _STEP.search(written)
    if href is not None:
        link = resolve(href)
        if link is None:
            return Target(UNKNOWN, note=written)
        return Target(ARTICLE, int(number.group(1)) if number else None, link)
    if number and _STEP.fullmatch(written):
        return Target(STEP, int(number.group(1)))
    if _SOLVED.match(written):
        return Target(SOLVED)
    if handoff := _HANDOFF.match(written):
        return Target(HANDOFF, note=handoff.group(1).strip())
    return Target(UNKNOWN, note=written)


def markdown_link_resolver(article_path: str, *, use_directory_urls: bool = True) -> Resolve:
    """Resolve links as written in an article's Markdown (`other.md#anchor`, relative to it)."""
    from kb_tools.content.model import page_url  # the model imports this module's users, not this module

    def resolve(href: str) -> LinkTarget | None:
        if _EXTERNAL.match(href):
            return None
        target, _, anchor = unquote(href).partition("#")
        path = article_path
        if target:
            path = posixpath.normpath(posixpath.join(posixpath.dirname(article_path), target.split("?")[0]))
            if target.endswith("/"):
                path = posixpath.join(path, "index.md")
        if not path.endswith(".md"):
            return None
        url = page_url(path, use_directory_urls=use_directory_urls)
        return LinkTarget(path, anchor, url + (f"#{anchor}" if anchor else ""))

    return resolve


def article_link_resolver(article: Any) -> Resolve:
    """Resolve the links of a parsed `Article` (its URL tells whether the site uses directory URLs)."""
    return markdown_link_resolver(article.path, use_directory_urls=not article.url.endswith(".html"))


# --- the steps at one depth ------------------------------------------------------------------------


@dataclass(frozen=True)
class Placed:
    """A step at its place in one depth's list: `position` counts from 1 over the whole depth."""

    position: int
    number: int  # within its section, as written
    section: str  # the section's anchor
    group: int  # which list it belongs to (one per section at one depth): `step N` stays inside it
    step: Any


def placed_steps(sections: Iterable[Any], depth: str) -> list[Placed]:
    """The steps a depth shows (shared ones and the depth's own, in page order), placed."""
    placed: list[Placed] = []
    for group, section in enumerate(sections):
        if section.depth not in (BOTH, depth):
            continue
        for number, step in enumerate(section.steps, start=1):
            placed.append(Placed(len(placed) + 1, number, section.anchor, group, step))
    return placed


def position_of(placed: Sequence[Placed], group: int, number: int) -> int | None:
    """The position of step `number` of list `group`, if it has one."""
    for item in placed:
        if item.group == group and item.number == number:
            return item.position
    return None


def next_in_list(placed: Sequence[Placed], item: Placed) -> int | None:
    """Where a step without outcomes flows: the next step of its own list, else nowhere."""
    following = placed[item.position] if item.position < len(placed) else None
    return following.position if following is not None and following.group == item.group else None


def steps_data(sections: Iterable[Any], depth: str, resolve: Resolve, *,
               team_of: TeamOf | None = None) -> list[dict[str, Any]]:
    """The steps at `depth` as JSON data with their outcomes: what `kb steps --json`, `/api/steps` and
    the page's own steps script (call mode, Copy steps) carry. Links become URLs from the site root.
    `sections` are the model's `Section`s or the outline's `OutlineSection`s: the same fields.
    With `team_of`, a hand-off's target names its team (`"team": id`)."""
    placed = placed_steps(sections, depth)
    return [_step_data(item, placed, resolve, team_of) for item in placed]


def _step_data(item: Placed, placed: Sequence[Placed], resolve: Resolve, team_of: TeamOf | None) -> dict[str, Any]:
    step = item.step
    outcomes = [{"label": o.label, "html": _site_links(o.html, resolve),
                 "to": target_data(parse_target(o.target, o.href, resolve), item, placed)} for o in step.outcomes]
    for outcome in outcomes:
        if team_of is not None and outcome["to"]["kind"] == HANDOFF:
            outcome["to"]["team"], outcome["to"]["note"] = team_of(outcome["to"].get("note", ""))
    return {"number": item.number, "text": step.text, "checkpoint": step.checkpoint, "variant": step.variant,
            "position": item.position, "section": item.section, "html": _site_links(step.html, resolve),
            "checkpoint_html": _site_links(step.checkpoint_html, resolve), "outcomes": outcomes, "agent": step.agent,
            "next": None if outcomes else next_in_list(placed, item)}


def target_data(target: Target, item: Placed, placed: Sequence[Placed]) -> dict[str, Any]:
    if target.kind == STEP:
        position = position_of(placed, item.group, target.number or 0)
        return {"kind": STEP, "position": position} if position else {"kind": UNKNOWN, "note": f"step {target.number}"}
    if target.kind == ARTICLE and target.link is not None:
        return {"kind": ARTICLE, "path": target.link.path, "anchor": target.link.anchor, "url": target.link.url,
                "number": target.number}
    return {"kind": target.kind, "note": target.note} if target.note or target.kind == HANDOFF else {"kind": target.kind}


def _site_links(html: str, resolve: Resolve) -> str:
    """Internal links in a step's HTML as URLs from the site root (the desk resolves them against it)."""
    def rewrite(match: re.Match[str]) -> str:
        href = match.group(1).replace("&amp;", "&")
        link = resolve(href)
        return f'href="{link.url}"' if link is not None else match.group(0)

    return _HREF.sub(rewrite, html)
