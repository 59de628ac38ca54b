"""What the index keeps of an article: its Whoosh document (text fields with positions, filter
values, and what a hit shows: steps and section cards), its postings terms, and the section texts
the semantic index embeds. indexer.py writes them into a generation.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from whoosh.analysis import IDTokenizer, LowercaseFilter
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

from kb_tools.content.metadata import PAGE_TYPE
from kb_tools.content.model import Article, Section
from kb_tools.content.steps_graph import article_link_resolver, steps_data
from kb_tools.content.teams import Teams, team_resolver
from kb_tools.search.analysis import clean_text, make_analyzer, term_counts, terms
from kb_tools.search.known_issues import issue_fields
from kb_tools.search.postings_write import ArticleTerms
from kb_tools.search.syntax import TEXT_FIELDS
from kb_tools.search.vectors import SectionText, embedding_text

# Results link the chapter (a level-2 heading and what is under it): it names the situation
# ("America, Asia and Oceania") that its sub-headings ("How to order") leave out.
CHAPTER_LEVEL = 2


def make_schema() -> Schema:
    """One Whoosh document per article: its searchable text (TEXT_FIELDS, with positions, analysed
    as the postings are), its filter values and owner, and what a hit shows (its steps and section
    cards, stored). Whoosh answers phrase and field queries; everyday queries are ranked on the
    postings (postings.py), which hold the same terms."""
    analyzer = make_analyzer()
    return Schema(key=ID(unique=True, stored=True), path=ID(stored=True, sortable=True),
                  product=ID(stored=True), type=ID(stored=True), status=ID(stored=True),
                  owner=ID(stored=True, analyzer=IDTokenizer() | LowercaseFilter()), tags=KEYWORD(stored=True, commas=True, lowercase=True),
                  url=STORED(), meta=STORED(), **{name: TEXT(analyzer=analyzer) for name in TEXT_FIELDS})


@dataclass(frozen=True)
class IndexedArticle:
    """What the index keeps of one article file (a site page keeps nothing): made where it is
    parsed, so worker processes do the analysis and send back only this."""

    path: str
    document: dict[str, Any] | None = None  # the stored Whoosh document
    terms: ArticleTerms | None = None  # its postings
    sections: list[SectionText] = field(default_factory=list)  # what the semantic index embeds

    @classmethod
    def of(cls, article: Article, teams: Teams | None = None) -> IndexedArticle:
        if article.meta.type == PAGE_TYPE:
            return cls(article.path)
        analysed = article_terms(article)
        return cls(article.path, article_document(article, analysed, teams), analysed, section_texts(article))


def article_document(article: Article, analysed: ArticleTerms, teams: Teams | None = None) -> dict[str, Any]:
    """The Whoosh document of an article: its text fields, given as the terms the postings hold
    (Whoosh indexes a list as terms already analysed, so the text is analysed once), and what
    a hit shows, its steps and its section cards (stored)."""
    meta = article.meta
    resolve = article_link_resolver(article)
    team_of = team_resolver(article.meta.escalation, teams) if teams is not None and teams.exists else None
    steps = {depth: steps_data(article.sections, depth, resolve, team_of=team_of) for depth in ("beginner", "expert")}
    text = {name: analysed.fields[name] for name in TEXT_FIELDS if name != "label"}
    labels = [term for step in article.steps() for label in step.labels for term in terms(label)]
    return {
        "key": f"a:{article.path}", "path": article.path, "product": meta.product or "", "type": meta.type or "",
        "status": meta.status, "owner": meta.owner or "", "tags": ",".join(meta.tags), "url": article.url,
        **text, "label": labels,
        "meta": {"title": article.title, "summary": meta.summary, "customer_says": list(meta.customer_says),
                 "reviewed": meta.reviewed.isoformat() if meta.reviewed else None,
                 "review_every": meta.review_every, "steps": steps, "depths": sorted(article.depths),
                 "sections": section_cards(article), "issue": issue_fields(meta)},
    }


def section_cards(article: Article) -> list[dict[str, Any]]:
    """What ranking an article's sections and showing one needs, stored with the article so a
    search hit is one read: each section's anchor, depth, chapter, text, and its term counts."""
    cards = []
    for number, section, chapter in indexed_sections(article):
        heading = section.heading if section.level >= 2 else ""  # the title would make the first section win
        counts = term_counts(f"{heading} {section.text}")
        cards.append({"number": number, "anchor": section.anchor, "depth": section.depth, "heading": section.heading,
                      "chapter": chapter.anchor, "chapter_heading": chapter.heading, "counts": counts,
                      "length": sum(counts.values()), "text": section.text})
    return cards


def article_texts(article: Article) -> dict[str, str]:
    """The article's searchable text per field, markup stripped."""
    meta = article.meta
    return {"title": clean_text(article.title), "summary": clean_text(meta.summary),
            "customer_says": clean_text("\n".join(meta.customer_says)),
            "headings": clean_text(" ".join(s.heading for s in article.sections)), "body": clean_text(article.text())}


def article_terms(article: Article) -> ArticleTerms:
    """The article as the postings see it."""
    meta = article.meta
    return ArticleTerms.from_texts(article.path, article_texts(article), product=meta.product or "",
                                   type=meta.type or "", status=meta.status, tags=meta.tags,
                                   sections=sum(1 for _ in indexed_sections(article)))


def section_texts(article: Article) -> list[SectionText]:
    """What the semantic index embeds for each indexed section of `article`."""
    return [SectionText(article.path, number, embedding_text(
        article.title, section.heading if section.level >= 2 else "", clean_text(section.text)))
        for number, section, _ in indexed_sections(article)]


def indexed_sections(article: Article) -> Iterator[tuple[int, Section, Section]]:
    """(number, section, its chapter) for every section with text; the number keys its document."""
    chapter: Section | None = None
    for number, section in enumerate(article.sections):
        if chapter is None or section.level <= CHAPTER_LEVEL:
            chapter = section
        if section.text:  # a heading with nothing under it (or only tabs) is never the best place to land
            yield number, section, chapter
