"""As-you-type suggestions: the titles of the articles the words typed so far lead to.

Built on `Searcher.search`, so suggestions rank like lexical results do: any word may be unfinished
(unfinished.py), typos and everyday words are understood, archived articles stay out.

By words only, never by meaning: each keystroke is a new text to embed, and the embedding was most
of a suggestion's time (at 10,000 articles, median 9.6 ms hybrid against 1.7 ms by words; the
results list, fetched as the agent pauses, still ranks by meaning too). bench/suggest.py measures it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from kb_tools.search.searcher import Searcher

SUGGESTIONS = 8


@dataclass(frozen=True)
class Suggestion:
    title: str
    url: str  # the article's page, without a section anchor
    path: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def suggest(searcher: Searcher, text: str, *, limit: int = SUGGESTIONS) -> list[Suggestion]:
    """Up to `limit` article titles for the partly typed `text`, best first."""
    # Titles only: no need to find each article's best section (the costly part of a search).
    hits = searcher.search(text, limit=limit, link_sections=False, mode="lexical", typing=True).hits
    return [Suggestion(hit.title, hit.url.split("#", 1)[0], hit.path) for hit in hits]
