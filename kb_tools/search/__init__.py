"""Search: the index (build, open, exists) and the ranking pipeline, behind one small interface.

Callers use `build_index`, `Searcher`, `index_exists` and the result types; nothing outside this
package touches Whoosh, so the engine could change without them noticing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kb_tools.search.searcher import Hit, Searcher, SearchResults
from kb_tools.search.storage import index_exists

if TYPE_CHECKING:
    from kb_tools.search.indexer import IndexStats, build_index

__all__ = ["Hit", "IndexStats", "SearchResults", "Searcher", "build_index", "index_exists"]


def __getattr__(name: str) -> Any:
    # The indexer brings the Markdown renderer with it: a `kb search` process never needs it.
    if name in ("IndexStats", "build_index"):
        from kb_tools.search import indexer

        return getattr(indexer, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
