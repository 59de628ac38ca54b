"""What a search returns: `Hit` (one article, linked at its best section) and `SearchResults`."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any


@dataclass(frozen=True)
class Hit:
    """One article in the results, linked at its best-matching section."""

    path: str
    title: str
    summary: str
    product: str
    type: str
    status: str
    section: str
    anchor: str
    depth: str
    url: str
    score: float
    snippet: str
    badge: str = ""  # "Draft" or "Archived": an article not (or no longer) validated (standing.py)
    customer_phrase: str = ""  # the article's customer phrase (customer_says) the query matched, if one did

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _HIT_FIELDS}  # asdict() deep-copies: slower, and no need


_HIT_FIELDS = tuple(f.name for f in fields(Hit))


@dataclass(frozen=True)
class SearchResults:
    query: str
    hits: list[Hit]
    total: int
    correction: str | None = None
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    generation: str = ""
    mode: str = "lexical"  # what actually ranked the results: lexical, semantic or hybrid
    notice: str | None = None  # e.g. why the semantic half was not used
    confidence: str = "none"  # how well the hits answer the query: strong, partial, none (confidence.py)

    def to_dict(self) -> dict[str, Any]:
        return {"query": self.query, "total": self.total, "correction": self.correction, "confidence": self.confidence,
                "facets": self.facets, "generation": self.generation, "mode": self.mode, "notice": self.notice,
                "hits": [h.to_dict() for h in self.hits]}
