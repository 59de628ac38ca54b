"""Settings of one knowledge base, validated once: its products and its Markdown setup.

The Markdown extensions come from the `mkdocs.yml` that builds the docs folder, so the content
model renders articles exactly as the site does (same heading ids, same tabs). A docs folder
without one (content written elsewhere) is rendered with `DEFAULT_EXTENSIONS`.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kb_tools.content.frontmatter import yaml_problem
from kb_tools.errors import ConfigError

log = logging.getLogger(__name__)

PRODUCTS_FILE = "products.yml"

# The site's extensions (mkdocs.yml lists the same ones; a test keeps the two equal).
DEFAULT_EXTENSIONS: list[Any] = [
    "abbr",
    "admonition",
    "attr_list",
    "def_list",
    "footnotes",
    "md_in_html",
    "tables",
    {"toc": {"permalink": True}},
    "pymdownx.details",
    "pymdownx.highlight",
    "pymdownx.inlinehilite",
    "pymdownx.keys",
    "pymdownx.mark",
    "pymdownx.superfences",
    {"pymdownx.tabbed": {"alternate_style": True}},
]


@dataclass(frozen=True)
class Product:
    """One product the knowledge base covers, as declared in products.yml."""

    id: str
    name: str
    description: str = ""


@dataclass(frozen=True)
class KBConfig:
    """Everything the content model and the checks need to know about one docs folder."""

    docs_dir: Path
    products: tuple[Product, ...] = ()
    markdown_extensions: tuple[Any, ...] = field(default_factory=lambda: tuple(DEFAULT_EXTENSIONS))
    has_products_file: bool = False
    use_directory_urls: bool = True

    def product(self, product_id: str) -> Product | None:
        return next((p for p in self.products if p.id == product_id), None)

    def extension_names_and_configs(self) -> tuple[list[str], dict[str, dict[str, Any]]]:
        """Split the mkdocs.yml-style list into what `markdown.Markdown` takes."""
        names: list[str] = []
        configs: dict[str, dict[str, Any]] = {}
        for item in self.markdown_extensions:
            if isinstance(item, dict):
                (name, options), = item.items()
                names.append(name)
                configs[name] = dict(options or {})
            else:
                names.append(item)
        return names, configs


def load_config(docs_dir: Path | str, *, mkdocs_yml: Path | str | None = None) -> KBConfig:
    """Read products.yml in `docs_dir` and the Markdown setup of the mkdocs.yml beside it."""
    docs = Path(docs_dir).resolve()
    if not docs.is_dir():
        raise ConfigError(f"{docs_dir}: no such folder. Pass the folder that holds the articles, e.g. `docs`.")
    products, has_products = _load_products(docs / PRODUCTS_FILE)
    if mkdocs_yml:
        yml: Path | None = Path(mkdocs_yml)
        site = _read_mkdocs_yml(Path(mkdocs_yml))
    else:
        yml, site = _find_mkdocs_yml(docs)
    extensions = _extensions(site, yml) if yml else tuple(DEFAULT_EXTENSIONS)
    return KBConfig(docs_dir=docs, products=products, markdown_extensions=extensions,
                    has_products_file=has_products,
                    use_directory_urls=bool(site.get("use_directory_urls", True)))


def _find_mkdocs_yml(docs: Path) -> tuple[Path | None, dict[str, Any]]:
    """The mkdocs.yml whose `docs_dir` is `docs`, looked for in its parent folder, and its settings."""
    candidate = docs.parent / "mkdocs.yml"
    if not candidate.is_file():
        return None, {}
    data = _read_mkdocs_yml(candidate)
    declared = (candidate.parent / str(data.get("docs_dir", "docs"))).resolve()
    return (candidate, data) if declared == docs else (None, {})


def _load_products(path: Path) -> tuple[tuple[Product, ...], bool]:
    if not path.is_file():
        return (), False
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({yaml_problem(exc)}).") from None
    items = data.get("products") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise ConfigError(f"{path}: expected a `products:` list of {{id, name, description}} entries.")
    products = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not item.get("id"):
            raise ConfigError(f"{path}: product {number} needs an `id` (text), e.g. `id: homehub`.")
        products.append(Product(id=item["id"], name=str(item.get("name") or item["id"]),
                                description=str(item.get("description") or "")))
    ids = [p.id for p in products]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ConfigError(f"{path}: product id {duplicates[0]!r} is declared twice.")
    return tuple(products), True


def _extensions(site: dict[str, Any], mkdocs_yml: Path) -> tuple[Any, ...]:
    extensions = site.get("markdown_extensions") or []
    if not isinstance(extensions, list):
        raise ConfigError(f"{mkdocs_yml}: `markdown_extensions` must be a list.")
    return tuple(extensions)


class _MkDocsLoader(yaml.SafeLoader):
    """Reads mkdocs.yml: resolves `!!python/name:` like MkDocs does, ignores `!ENV` defaults."""


def _python_name(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    module, _, attribute = suffix.rpartition(".")
    try:
        return getattr(importlib.import_module(module), attribute)
    except (ImportError, AttributeError):
        raise ConfigError(f"mkdocs.yml: cannot import {suffix!r} (line {node.start_mark.line + 1}).") from None


def _unknown_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    return None


_MkDocsLoader.add_multi_constructor("tag:yaml.org,2002:python/name:", _python_name)
_MkDocsLoader.add_multi_constructor("!", _unknown_tag)


def _read_mkdocs_yml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_MkDocsLoader)  # noqa: S506
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({yaml_problem(exc)}).") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of MkDocs settings.")
    return data
