"""`kb check`: rules over a Collection that return Findings (and never print).

Each rule is a function `(article, context) -> Iterator[Finding]`; collection-wide rules take
the whole collection. Rule ids are documented in docs/writing-articles.md (a test keeps them in
step).
"""

from __future__ import annotations

import datetime as dt
import posixpath
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from kb_tools.content.audience import check_voice
from kb_tools.content.card import Card
from kb_tools.content.check_handoffs import ARCHIVE_AFTER_DAYS, check_handoffs
from kb_tools.content.check_steps import check_steps
from kb_tools.content.customer_copy import check_template
from kb_tools.content.findings import Finding
from kb_tools.content.glossary import (
    GLOSSARY_PAGE,
    Glossary,
    read_glossary,
    unexplained_jargon,
)
from kb_tools.content.metadata import PAGE_TYPE
from kb_tools.content.model import Article, Collection
from kb_tools.content.paths import build_catalog, is_path_page
from kb_tools.content.placeholders import placeholder_findings
from kb_tools.content.readability import measure
from kb_tools.content.render import Renderer
from kb_tools.content.sources import source_problems
from kb_tools.content.tab_text import depth_tabs

KCS_HEADINGS = ("Issue", "Environment", "Resolution", "Cause")
_DEPTH_LABELS = ("Beginner", "Expert")


@dataclass
class CheckReport:
    """What `check_collection` found, with counts for the summary line."""

    findings: list[Finding] = field(default_factory=list)
    articles: int = 0

    @property
    def errors(self) -> int:
        return sum(f.severity == "error" for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity == "warning" for f in self.findings)

    def failed(self, *, strict: bool = False) -> bool:
        return self.errors > 0 or (strict and self.warnings > 0)

    def summary(self) -> str:
        return f"{self.articles} articles checked: {_plural(self.errors, 'error')}, {_plural(self.warnings, 'warning')}"

    def to_dict(self) -> dict[str, Any]:
        """What `kb check --json` prints."""
        return {"summary": {"articles": self.articles, "errors": self.errors, "warnings": self.warnings},
                "findings": [f.to_dict() for f in self.findings]}


def check_collection(collection: Collection, *, today: dt.date | None = None,
                     extra_rules: Iterable[Callable[[Collection], Iterable[Finding]]] = (),
                     archive_after: int = ARCHIVE_AFTER_DAYS) -> CheckReport:
    """Run every rule over every article; `extra_rules` add collection-wide checks (e.g. findability);
    `archive_after`: days after its fix when a known issue is suggested for archiving."""
    today = today or dt.date.today()
    glossary, findings = read_glossary(collection.config.docs_dir)
    for article in collection:
        findings.extend(article.meta_findings)
        findings.extend(check_structure(article))
        findings.extend(_review(article, today))
        findings.extend(placeholder_findings(article.path, _source_text(article), status=article.meta.status))
    findings.extend(_beginner_wording(collection, glossary))
    findings.extend(_paths(collection))
    findings.extend(_links(collection, glossary))
    findings.extend(_duplicate_titles(collection))
    findings.extend(check_steps(collection))
    findings.extend(check_handoffs(collection, today=today, archive_after=archive_after))
    findings.extend(check_voice(collection))
    findings.extend(check_template(collection))
    findings.extend(source_problems(collection.config.docs_dir))  # files the model could not read at all
    for rule in extra_rules:
        findings.extend(rule(collection))
    return CheckReport(sorted(set(findings)), len(collection))


def check_structure(article: Article) -> Iterator[Finding]:
    """Depth tabs, empty tabs, KCS headings and step labels of one article."""
    yield from _tabs(article)
    if article.meta.type == "troubleshooting":
        yield from _kcs_shape(article)
    yield from _step_labels(article)


def _finding(article: Article, line: int, severity: str, rule: str, message: str) -> Finding:
    return Finding(article.path, line, severity, rule, message)  # type: ignore[arg-type]


def _tabs(article: Article) -> Iterator[Finding]:
    mislabelled = set()
    for tabs in article.tab_sets:
        for label in tabs.labels:
            near = next((d for d in _DEPTH_LABELS if label.strip().lower().rstrip("s") == d.lower()), None)
            if near and label != near:
                mislabelled.add(near)
                yield _finding(article, tabs.line, "error", "tab-label",
                               f'tab "{label}" should be labelled exactly "{near}" so the site-wide depth switch finds it.')
        for label in tabs.empty_labels:
            yield _finding(article, tabs.line, "error", "empty-tab",
                           f'the "{label}" tab is empty; write its steps, indented four spaces under `=== "{label}"`.')
    if article.meta.needs_depths:
        missing = [d for d in _DEPTH_LABELS if d.lower() not in article.depths and d not in mislabelled]
        if missing:
            line = article.tab_sets[0].line if article.tab_sets else _first_line(article)
            yield _finding(article, line, _unfinished(article), "missing-depth",
                           f"a {article.meta.type} article needs both depths; missing the "
                           + " and ".join(f'`=== "{d}"`' for d in missing) + " tab.")


def _kcs_shape(article: Article) -> Iterator[Finding]:
    headings = [s.heading for s in article.sections if s.level == 2 and s.depth == "both"]
    missing = [h for h in KCS_HEADINGS if h not in headings]
    if missing:
        yield _finding(article, _first_line(article), _unfinished(article), "kcs-shape",
                       "a troubleshooting article needs the headings ## Issue, ## Environment, ## Resolution "
                       f"and ## Cause; missing: {', '.join(missing)}.")
    elif [h for h in headings if h in KCS_HEADINGS] != list(KCS_HEADINGS):
        yield _finding(article, _first_line(article), _unfinished(article), "kcs-shape",
                       "put the headings in the order Issue, Environment, Resolution, Cause.")


def _step_labels(article: Article) -> Iterator[Finding]:
    for section in article.sections:
        if section.depth != "beginner":
            continue
        for step in section.steps:
            if not step.labels:
                yield _finding(article, step.line, "warning", "step-without-label",
                               f"Beginner step {step.number} names no on-screen label; put the exact label in "
                               "**bold** and say where it is.")


def _review(article: Article, today: dt.date) -> Iterator[Finding]:
    meta = article.meta
    if meta.type != PAGE_TYPE and meta.status != "archived" and meta.is_overdue(today):
        yield _finding(article, 1, "warning", "review-overdue",
                       f"review overdue since {meta.review_due}; owner {meta.owner or '(none)'} should review it "
                       "and update 'reviewed'.")


def _beginner_wording(collection: Collection, glossary: Glossary) -> Iterator[Finding]:
    """Jargon a Beginner tab leaves unexplained, and Beginner tabs harder to read than the threshold."""
    renderer: Renderer | None = None
    for article in collection:
        if "beginner" not in article.depths:
            continue
        renderer = renderer or Renderer(collection.config)  # built only when some article has tabs
        for tab in depth_tabs(article, renderer, "Beginner"):
            yield from unexplained_jargon(tab, glossary, article.path)
            reading = measure(tab.text)
            if reading.is_measurable and reading.ease < glossary.beginner_reading_ease:
                yield _finding(article, tab.line, "warning", "reading-ease",
                               f"the Beginner tab reads at {reading.ease:.0f} on the Flesch reading-ease scale, "
                               f"below {glossary.beginner_reading_ease:g}: use shorter sentences and everyday words.")


def _paths(collection: Collection) -> list[Finding]:
    """Onboarding paths: their shape, the articles they name, their times (see kb_tools.content.paths)."""
    pages = [(a.path, _source_text(a)) for a in collection if is_path_page(a.path)]
    if not pages:
        return []

    def card_of(path: str) -> Card | None:
        article = collection.get(path)
        return Card(article.path, article.title, article.meta) if article else None

    def text_of(path: str) -> str | None:
        article = collection.get(path)
        return _source_text(article) if article else None

    return build_catalog(pages, card_of, text_of).findings


def _links(collection: Collection, glossary: Glossary) -> Iterator[Finding]:
    docs = collection.config.docs_dir
    landing_pages = {f"{product.id}/index.md" for product in collection.config.products}  # the plugin makes these
    glossary_anchors = {term.anchor for term in glossary.terms} if glossary.exists else None
    for article in collection:
        base = posixpath.dirname(article.path)
        for link in article.links:
            if not link.is_internal:
                continue
            target, _, anchor = unquote(link.href).partition("#")
            if not target:
                target_path = article.path
            else:
                target_path = posixpath.normpath(posixpath.join(base, target.split("?")[0]))
                if target.endswith("/"):
                    target_path = posixpath.join(target_path, "index.md")
            linked = collection.get(target_path)
            if linked is None and target_path == GLOSSARY_PAGE and glossary_anchors is not None:
                if anchor and anchor not in glossary_anchors:  # the plugin makes this page from glossary.yml
                    yield _finding(article, link.line, "error", "broken-anchor",
                                   f"link to {link.href!r}: the glossary has no term with the anchor #{anchor}.")
                continue
            if linked is None:
                if target_path in landing_pages and not anchor:
                    continue
                if not target_path.startswith("..") and (docs / target_path).exists():
                    continue  # an image or download, not an article
                yield _finding(article, link.line, "error", "broken-link",
                               f"link to {link.href!r}: no such file {target_path!r} in the docs folder.")
                continue
            if anchor and anchor not in linked.ids:
                yield _finding(article, link.line, "error", "broken-anchor",
                               f"link to {link.href!r}: {linked.path} has no heading with the anchor #{anchor}.")
            if linked.meta.status == "draft" and article.meta.status == "validated" and linked is not article:
                yield _finding(article, link.line, "warning", "draft-linked",
                               f"this validated article links to the draft {linked.path}; validate it or drop the link.")


def _duplicate_titles(collection: Collection) -> Iterator[Finding]:
    seen: dict[str, Article] = {}
    for article in collection:
        if article.meta.type == PAGE_TYPE:
            continue
        key = article.title.strip().casefold()
        first = seen.setdefault(key, article)
        if first is not article:
            yield _finding(article, 1, "error", "duplicate-title",
                           f"the title {article.title!r} is already used by {first.path}; titles must be unique.")


def _unfinished(article: Article) -> str:
    """The severity of a part not yet written: an error once validated, a warning on a draft."""
    return "error" if article.meta.status == "validated" else "warning"


def _source_text(article: Article) -> str:
    return article.source_path.read_text(encoding="utf-8", errors="replace")


def _first_line(article: Article) -> int:
    return article.sections[0].line if article.sections else 1


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"
