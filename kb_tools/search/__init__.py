"""Search: the index (build, open, exists) and the ranking pipeline, behind one small interface.

Callers use `build_index`, `Searcher`, `index_exists` and the result types; nothing outside this
package touches Whoosh, so the engine could change without them noticing.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kb_tools.search.indexer import IndexStats, build_index
    from kb_tools.search.searcher import Hit, Searcher, SearchResults
    from kb_tools.search.storage import index_exists

__all__ = ["Hit", "IndexStats", "SearchResults", "Searcher", "build_index", "index_exists"]

# Each name is imported from its module on first use: the indexer brings the Markdown renderer (a
# `kb search` process never needs it), and a cold `kb search` can look at the index (storage.py)
# and start loading the model before the ranking pipeline is imported.
_MODULE_OF = {"IndexStats": "indexer", "build_index": "indexer", "Hit": "searcher", "Searcher": "searcher",
              "SearchResults": "searcher", "index_exists": "storage"}


def __getattr__(name: str) -> Any:
    if name not in _MODULE_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"kb_tools.search.{_MODULE_OF[name]}"), name)
