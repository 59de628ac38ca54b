"""Settings of one knowledge base, validated once: its products and its Markdown setup.

The Markdown extensions come from the `mkdocs.yml` that builds the docs folder, so the content
model renders articles exactly as the site does (same heading ids, same tabs). A docs folder
without one (content written elsewhere) is rendered with `DEFAULT_EXTENSIONS`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kb_tools.content.frontmatter import yaml_problem
from kb_tools.content.teams import Teams, load_teams
from kb_tools.errors import ConfigError

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
    teams: Teams = field(default_factory=Teams)  # docs/teams.yml: who a hand-off goes to

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
    teams = load_teams(docs)
    site = read_mkdocs_yml(Path(mkdocs_yml)) if mkdocs_yml else _find_mkdocs_yml(docs)
    return KBConfig(docs_dir=docs, products=products, has_products_file=has_products,
                    markdown_extensions=site.markdown_extensions if site else tuple(DEFAULT_EXTENSIONS),
                    use_directory_urls=site.use_directory_urls if site else True, teams=teams)


@dataclass(frozen=True)
class SiteSettings:
    """What the content model takes from an mkdocs.yml, read by MkDocs itself."""

    docs_dir: Path  # absolute
    markdown_extensions: tuple[Any, ...]  # as mkdocs.yml lists them: a name, or {name: options}
    use_directory_urls: bool


def _find_mkdocs_yml(docs: Path) -> SiteSettings | None:
    """The settings of the mkdocs.yml whose `docs_dir` is `docs`, looked for in its parent folder."""
    candidate = docs.parent / "mkdocs.yml"
    if not candidate.is_file():
        return None
    site = read_mkdocs_yml(candidate)
    return site if site.docs_dir == docs else None


def read_mkdocs_yml(path: Path) -> SiteSettings:
    """Load `path` with MkDocs' own loader (`INHERIT`, `!ENV`, `!!python/name:`) and validate the
    options we use with MkDocs' own option classes; ConfigError in one line when it is broken.

    Imported here, not at the top: MkDocs' config machinery costs start-up time that commands
    without a docs folder (kb search) should not pay."""
    from mkdocs.exceptions import ConfigurationError

    settings = _mkdocs_schema()(config_file_path=str(path))
    try:
        with path.open("rb") as source:
            settings.load_file(source)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror or exc}).") from None
    except ConfigurationError as exc:
        raise ConfigError(f"{path}: {_mkdocs_problem(exc)}") from None
    errors, _ = settings.validate()  # warnings are MkDocs' business (options only the site uses)
    if errors:
        name, error = errors[0]
        raise ConfigError(f"{path}: `{name}`: {' '.join(str(error).split())}")
    configs = settings["mdx_configs"]
    extensions = tuple({name: configs[name]} if name in configs else name for name in settings["markdown_extensions"])
    return SiteSettings(docs_dir=(path.parent / settings["docs_dir"]).resolve(), markdown_extensions=extensions,
                        use_directory_urls=settings["use_directory_urls"])


@functools.cache
def _mkdocs_schema() -> type:
    """The few mkdocs.yml options the content model reads, declared with MkDocs' own option types
    (the rest of the file is the site's, and MkDocs validates it when it builds)."""
    from mkdocs.config import base
    from mkdocs.config import config_options as option

    class MkDocsSettings(base.Config):
        docs_dir = option.Type(str, default="docs")
        use_directory_urls = option.Type(bool, default=True)
        markdown_extensions = option.MarkdownExtensions(configkey="mdx_configs")  # as written: no built-ins added
        mdx_configs = option.Private[dict[str, Any]]()

    return MkDocsSettings


def _mkdocs_problem(exc: Exception) -> str:
    """One line for a mkdocs.yml MkDocs could not load, with the line number when YAML knows it."""
    cause = exc.__context__
    if isinstance(cause, yaml.YAMLError):
        mark = getattr(cause, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark else ""
        return f"not valid YAML{where}: {yaml_problem(cause)}."
    return " ".join(str(exc).split())


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
