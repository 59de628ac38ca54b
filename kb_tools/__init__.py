"""kb_tools: the support knowledge base library (content model, checks, search) and its CLI."""

from __future__ import annotations

from .checks import CheckReport, check_collection
from .config import KBConfig, Product, load_config
from .errors import ConfigError, ContentError, IndexBusyError, IndexMissingError, KBError
from .findings import Finding
from .model import Article, Collection, Section, Step, load_article, load_collection

__all__ = [
    "Article", "CheckReport", "Collection", "ConfigError", "ContentError", "Finding", "IndexBusyError",
    "IndexMissingError", "KBConfig", "KBError", "Product", "Section", "Step", "check_collection",
    "load_article", "load_collection", "load_config",
]
