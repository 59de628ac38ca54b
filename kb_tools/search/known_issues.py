"""Open known issues a search matches: the desk pins them above the results (`pinned` in /api/search).

A known issue matches when its words do (lexical search over `type: known-issue` articles only:
meaning alone would pin an outage to every query), clearly: the search's confidence is not "none",
and its score is at least a quarter of the best issue's (one shared everyday word, such as
"internet" in another issue's text, scores a few percent of it). Fixed, draft and archived issues
never pin.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kb_tools.content.metadata import KNOWN_ISSUE

if TYPE_CHECKING:
    from kb_tools.search.searcher import Searcher

OPEN_STATES = ("investigating", "identified")
PINNED_MOST = 3
CLOSE_TO_BEST = 0.25  # of the best issue's score


def issue_fields(meta: Any) -> dict[str, Any] | None:
    """What the index stores of a known issue (None for other articles): its state, dates and products."""
    if meta.type != KNOWN_ISSUE:
        return None
    return {"status": meta.issue_status, "since": meta.since.isoformat() if meta.since else None,
            "fixed_on": meta.fixed_on.isoformat() if meta.fixed_on else None, "products": list(meta.products)}


def pinned_issues(searcher: Searcher, query: str, *, product: str | None = None,
                  limit: int = PINNED_MOST) -> list[dict[str, Any]]:
    """The open known issues `query` matches (for `product` when given), best match first."""
    if not query.strip():
        return []
    results = searcher.search(query, article_type=KNOWN_ISSUE, mode="lexical", limit=limit * 3, link_sections=False)
    if results.confidence == "none" or not results.hits:
        return []
    pinned = []
    floor = results.hits[0].score * CLOSE_TO_BEST
    for hit in results.hits:
        if hit.score < floor:
            break
        stored = searcher.article(hit.path) or {}
        issue = (stored.get("meta") or {}).get("issue") or {}
        if issue.get("status") not in OPEN_STATES or hit.status != "validated":
            continue
        if product and product not in issue.get("products", ()):
            continue
        pinned.append({"path": hit.path, "title": hit.title, "summary": hit.summary, "url": hit.url,
                       "status": issue["status"], "since": issue.get("since"), "products": issue.get("products", [])})
    return pinned[:limit]
