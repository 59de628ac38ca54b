"""kb_tools: the support knowledge base library (content model, checks, search) and its CLI.

The names below are imported on first use, so `kb search` (which needs none of the content
model's Markdown machinery) starts quickly.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from kb_tools.errors import (
    ConfigError,
    ContentError,
    IndexBusyError,
    IndexMissingError,
    KBError,
)

if TYPE_CHECKING:
    from kb_tools.content.checks import CheckReport, check_collection
    from kb_tools.content.config import KBConfig, Product, load_config
    from kb_tools.content.findings import Finding
    from kb_tools.content.model import (
        Article,
        Collection,
        Section,
        Step,
        load_article,
        load_collection,
    )

_LAZY = {name: "content.checks" for name in ("CheckReport", "check_collection")}
_LAZY |= {name: "content.config" for name in ("KBConfig", "Product", "load_config")}
_LAZY |= {"Finding": "content.findings"}
_LAZY |= {name: "content.model" for name in ("Article", "Collection", "Section", "Step", "load_article", "load_collection")}

__all__ = [
    "Article", "CheckReport", "Collection", "ConfigError", "ContentError", "Finding", "IndexBusyError",
    "IndexMissingError", "KBConfig", "KBError", "Product", "Section", "Step", "check_collection",
    "load_article", "load_collection", "load_config",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
