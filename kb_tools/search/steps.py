"""`kb steps`: the steps of an article at one depth, found by path or by the caller's words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kb_tools.errors import KBError
from kb_tools.search.searcher import Searcher


@dataclass(frozen=True)
class ArticleSteps:
    path: str
    title: str
    url: str
    depth: str
    steps: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "title": self.title, "url": self.url, "depth": self.depth, "steps": self.steps}


def find_steps(searcher: Searcher, article_or_text: str, *, depth: str) -> ArticleSteps:
    """Steps of the article at `article_or_text` (a path), else of the top search result."""
    path = article_or_text.strip()
    stored = searcher.article(path) or searcher.article(path + ".md")
    if stored is None:
        results = searcher.search(article_or_text, depth=depth, limit=1)
        if not results.hits:
            raise KBError(f"no article matches {article_or_text!r}; try `kb search` with other words.")
        stored = searcher.article(results.hits[0].path)
        assert stored is not None
    if stored.get("status") == "archived":
        raise KBError(f"{stored['path']} is archived: its steps are no longer given to callers; "
                      "search for the article that replaced it.")
    meta = stored["meta"]
    return ArticleSteps(stored["path"], meta["title"], stored.get("url", ""), depth, meta["steps"].get(depth, []))
