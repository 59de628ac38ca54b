"""The `kb` MkDocs plugin: a thin adaptor over `site_content` (front matter, landing pages, badges)."""

from __future__ import annotations

import datetime as dt
import logging
from importlib import resources
from pathlib import Path
from typing import Any

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page

from .config import PRODUCTS_FILE, KBConfig, load_config
from .errors import KBError
from .findings import Finding
from .render import EXTENSION_NAME
from .site_content import Card, insert_after_title, landing_page, meta_bar, read_card

log = logging.getLogger("mkdocs.plugins.kb")

ASSET_DIR = "assets/kb"
ASSETS = ("kb.css",)
_MAX_LISTED_FINDINGS = 20


class KBPluginConfig(base.Config):
    # Pages
    landing_pages = c.Type(bool, default=True)  # generate <product>/index.md when absent
    meta_bar = c.Type(bool, default=True)  # product, type, owner and review badges on articles


class KBPlugin(BasePlugin[KBPluginConfig]):
    def __init__(self) -> None:
        self.kb: KBConfig | None = None
        self.cards: dict[str, Card] = {}
        self.today = dt.date.today()

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        try:
            self.kb = load_config(config.docs_dir, mkdocs_yml=config.config_file_path)
        except KBError as exc:
            raise PluginError(f"kb: {exc}") from None
        if EXTENSION_NAME not in config.markdown_extensions:
            config.markdown_extensions.append(EXTENSION_NAME)
        config.extra_css.extend(f"{ASSET_DIR}/{name}" for name in ASSETS if name.endswith(".css"))
        self.today = dt.date.today()
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        assert self.kb is not None
        declared = files.get_file_from_path(PRODUCTS_FILE)
        if declared is not None:
            files.remove(declared)  # configuration, not content
        self.cards, problems = {}, []
        for file in files.documentation_pages():
            card, findings = read_card(file.src_uri, file.content_string, self.kb)
            self.cards[file.src_uri] = card
            problems += [f for f in findings if f.severity == "error"]
        if problems:
            raise PluginError(_front_matter_message(problems, config.docs_dir))
        if self.config.landing_pages:
            for product in self.kb.products:
                uri = f"{product.id}/index.md"
                if files.get_file_from_path(uri) is None:
                    files.append(File.generated(config, uri, content=landing_page(product, self.cards.values())))
        package = resources.files("kb_tools").joinpath("assets")
        for name in ASSETS:
            files.append(File.generated(config, f"{ASSET_DIR}/{name}", content=package.joinpath(name).read_bytes()))
        return files

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
        assert self.kb is not None
        order = {product.id: number for number, product in enumerate(self.kb.products)}
        for item in nav.items:
            if isinstance(item, Section) and (product_id := _section_folder(item)) in order:
                item.title = self.kb.products[order[product_id]].name
        nav.items.sort(key=lambda item: (isinstance(item, Section), order.get(_section_folder(item) or "", -1)))
        return nav

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        # Our `status` (draft/validated/archived) is not Material's page status (new/deprecated):
        # left in page.meta, the theme would draw an unknown-status icon beside every nav entry.
        page.meta.pop("status", None)
        return markdown

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        card = self.cards.get(page.file.src_uri)
        if not self.config.meta_bar or card is None or not card.is_article:
            return html
        assert self.kb is not None
        return insert_after_title(html, meta_bar(card, self.kb, today=self.today))


def _section_folder(item: Any) -> str | None:
    """The top folder of a navigation section's pages (its product id, by convention)."""
    if not isinstance(item, Section):
        return None
    for child in item.children:
        file = getattr(child, "file", None)
        if file is not None and "/" in file.src_uri:
            return file.src_uri.split("/", 1)[0]
        folder = _section_folder(child)
        if folder:
            return folder
    return None


def _front_matter_message(problems: list[Finding], docs_dir: str) -> str:
    shown = [f"  {Path(docs_dir).name}/{f.path}:{f.line}: {f.message} [{f.rule}]"
             for f in problems[:_MAX_LISTED_FINDINGS]]
    more = len(problems) - len(shown)
    tail = [f"  ... and {more} more"] if more > 0 else []
    return "\n".join([f"kb: invalid front matter in {len(problems)} place(s):", *shown, *tail,
                      "Fix these (run `kb check` to see every problem) and build again."])
