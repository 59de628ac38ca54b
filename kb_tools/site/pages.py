"""What the `kb` plugin adds to the built site, as plain functions testable without MkDocs.

Only front matter is read here (never a second Markdown parse), which keeps the plugin cheap
on a site of thousands of articles.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import posixpath
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import unquote

from kb_tools.content.card import Card
from kb_tools.content.config import KBConfig, Product
from kb_tools.content.metadata import ARTICLE_TYPES
from kb_tools.content.model import DEPTHS
from kb_tools.content.outline import read_outline
from kb_tools.content.steps_graph import HANDOFF, LinkTarget, Resolve, TeamOf, steps_data

TYPE_HEADINGS = {
    "how-to": "How-to guides",
    "troubleshooting": "Troubleshooting",
    "reference": "Reference",
    "concept": "Concepts",
    "playbook": "Playbooks",
    "known-issue": "Known issues",
}


def landing_page(product: Product, cards: Iterable[Card]) -> str:
    """Markdown of a product's landing page: its articles grouped by type."""
    by_type: dict[str, list[Card]] = defaultdict(list)
    for card in cards:
        if card.is_article and card.meta.product == product.id and card.meta.status != "archived":
            by_type[card.meta.type or ""].append(card)
    lines = ["---", f"title: {_yaml_quote(product.name)}", "type: page", "---", "", f"# {html.escape(product.name)}", ""]
    if product.description:
        lines += [product.description, ""]
    prefix = f"{product.id}/"
    for kind in ARTICLE_TYPES:
        listed = sorted(by_type.get(kind, []), key=lambda c: c.title.casefold())
        if not listed:
            continue
        lines += [f"## {TYPE_HEADINGS[kind]}", ""]
        for card in listed:
            link = card.path[len(prefix):] if card.path.startswith(prefix) else f"../{card.path}"
            # Front matter is text: escaped, so Markdown (which passes HTML through) shows it as typed.
            summary = f" - {html.escape(card.meta.summary)}" if card.meta.summary else ""
            draft = " *(draft)*" if card.meta.status == "draft" else ""
            lines.append(f"- [{_escape_link_text(html.escape(card.title))}]({link}){draft}{summary}")
        lines.append("")
    if not by_type:
        lines.append("No articles yet. Start one with `kb new`.")
    return "\n".join(lines) + "\n"


def meta_bar(card: Card, config: KBConfig, *, today: dt.date) -> str:
    """HTML shown under an article's title: product, type, owner, review state, depth hint."""
    meta = card.meta
    product = config.product(meta.product or "")
    parts = []
    if product:
        parts.append(f'<span class="kb-badge kb-product">{html.escape(product.name)}</span>')
    if meta.type:
        parts.append(f'<span class="kb-badge kb-type">{html.escape(meta.type)}</span>')
    if meta.status != "validated":
        parts.append(f'<span class="kb-badge kb-status-{meta.status}">{html.escape(meta.status)}</span>')
    if meta.owner:
        parts.append(f'<span class="kb-owner">Owner: {html.escape(meta.owner)}</span>')
    if meta.reviewed:
        parts.append(f'<span class="kb-reviewed">Last reviewed {meta.reviewed.isoformat()}</span>')
    if meta.is_overdue(today):
        parts.append(f'<span class="kb-badge kb-overdue" title="Due {meta.review_due}">Review overdue</span>')
    bar = f'<div class="kb-meta">{"".join(parts)}</div>'
    if meta.needs_depths:
        bar += ('<p class="kb-depth-hint">Pick <strong>Beginner</strong> or <strong>Expert</strong> to match '
                "the caller: your choice applies to every article on the site and is remembered.</p>")
    return bar


def insert_after_title(page_html: str, fragment: str) -> str:
    """Put `fragment` right after the first <h1>, or at the top when there is none."""
    end = page_html.find("</h1>")
    if end < 0:
        return fragment + page_html
    end += len("</h1>")
    return page_html[:end] + fragment + page_html[end:]




def _yaml_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _escape_link_text(text: str) -> str:
    return text.replace("[", "\\[").replace("]", "\\]")


def page_steps(page_html: str, card: Card, url: str, *, pages: Mapping[str, str] | None = None,
               team_of: TeamOf | None = None, handoff_teams: set[str] | None = None) -> dict[str, Any]:
    """The page's steps at each depth, as `kb steps --json` prints them, read by the content model's own
    outline of the built HTML; {} when it has none. `pages` maps each page's URL (from the site root) to
    its docs path, to name outcome targets. With `team_of`, hand-off outcomes name their team;
    `handoff_teams` collects those team ids."""
    if card.meta.status == "archived":
        return {}  # as `kb steps` and /api/steps: an archived article's steps are no longer walked with callers
    sections = read_outline(page_html).sections
    resolve = site_link_resolver(url, pages or {})
    steps = {depth: steps_data(sections, depth, resolve, team_of=team_of) for depth in DEPTHS}
    by_depth = {depth: {"path": card.path, "title": card.title, "url": url, "depth": depth, "steps": steps[depth]}
                for depth in DEPTHS}
    if handoff_teams is not None:
        handoff_teams.update(outcome["to"]["team"] for found in steps.values() for step in found
                             for outcome in step["outcomes"] if outcome["to"]["kind"] == HANDOFF
                             and outcome["to"].get("team"))
    return by_depth if any(found["steps"] for found in by_depth.values()) else {}


def steps_script(page_html: str, card: Card, url: str, *, pages: Mapping[str, str] | None = None,
                 team_of: TeamOf | None = None, handoff_teams: set[str] | None = None) -> str:
    """A hidden `<div id="kb-steps" data-kb-steps="...">` with the page's steps at each depth, or "".

    Call mode and "Copy steps" read it, so both work on plain static files too. Not a `<script>`:
    Material's instant navigation re-creates every script of the page as JavaScript, which threw
    on the JSON and took the call tools away after any jump within the page.
    """
    return data_holder("kb-steps", "data-kb-steps", page_steps(page_html, card, url, pages=pages, team_of=team_of,
                                                               handoff_teams=handoff_teams))


def data_holder(element_id: str, attribute: str, data: Any) -> str:
    """A hidden `<div>` carrying `data` as JSON in an attribute, or "" when there is no data."""
    if not data:
        return ""
    escaped = html.escape(json.dumps(data, ensure_ascii=False), quote=True)  # an attribute nothing can close
    return f'<div id="{element_id}" hidden {attribute}="{escaped}"></div>'


def site_link_resolver(page_url: str, pages: Mapping[str, str]) -> Resolve:
    """Resolve links of the built page (MkDocs made them URLs relative to the page)."""
    def resolve(href: str) -> LinkTarget | None:
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//", href):
            return None
        target, _, anchor = unquote(href).partition("#")
        url = page_url
        if target:
            url = posixpath.normpath(posixpath.join(posixpath.dirname("/" + page_url), target))
            url = url.lstrip("/") + ("/" if target.endswith("/") and url != "/" else "")
        path = pages.get(url)
        if path is None:
            return None
        return LinkTarget(path, anchor, url + (f"#{anchor}" if anchor else ""))

    return resolve


def desk_settings(config: KBConfig, known_issues: Iterable[Mapping[str, object]] = ()) -> str:
    """The JSON the agent desk reads once: the products it can filter by, in order, and the open
    known issues its banner shows (kb_tools.site.handoff_pages.open_issues)."""
    return json.dumps({"products": [{"id": product.id, "name": product.name} for product in config.products],
                       "known_issues": list(known_issues)}, ensure_ascii=False)
