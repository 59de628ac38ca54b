"""Search: the index (build, open, exists) and the ranking pipeline, behind one small interface.

Callers use `build_index`, `Searcher`, `index_exists` and the result types; nothing outside this
package touches Whoosh, so the engine could change without them noticing.
"""

from __future__ import annotations

from .indexer import IndexStats, build_index
from .searcher import Hit, SearchResults, Searcher
from .storage import index_exists

__all__ = ["Hit", "IndexStats", "SearchResults", "Searcher", "build_index", "index_exists"]
