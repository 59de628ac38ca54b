"""The `kb` MkDocs plugin: a thin adaptor over `site_content` (front matter, landing pages, badges)."""

from __future__ import annotations

import datetime as dt
import html
import logging
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page

from kb_tools.content.card import Card, read_card
from kb_tools.content.customer_copy import customer_emails, handoff_details, load_template
from kb_tools.content.config import PRODUCTS_FILE, KBConfig, load_config
from kb_tools.content.findings import Finding
from kb_tools.content.known_issues import open_issues
from kb_tools.content.glossary import (
    GLOSSARY_FILE,
    GLOSSARY_PAGE,
    Glossary,
    glossary_page,
    load_glossary,
)
from kb_tools.content.paths import Catalog, build_catalog, is_path_page
from kb_tools.content.render import EXTENSION_NAME
from kb_tools.content.sources import source_problems
from kb_tools.content.teams import TEAMS_FILE, article_handoff, team_resolver
from kb_tools.errors import KBError
from kb_tools.site.edition import (
    AGENTS,
    CUSTOMER,
    EDITIONS,
    HOME_PAGE,
    agent_text_left,
    customer_markdown,
    customer_pages,
    help_centre_home,
)
from kb_tools.site.pages import (
    data_holder,
    desk_settings,
    insert_after_title,
    landing_page,
    meta_bar,
    page_steps,
)
from kb_tools.site.handoff_pages import (
    KNOWN_ISSUES_MARKER,
    handoff_card,
    handoff_data,
    handoff_script,
    insert_before_cause,
    known_issues_list,
)
from kb_tools.site.history import Change, history_line, read_history
from kb_tools.site.path_pages import insert_path_list, page_additions
from kb_tools.site.preview import Preview

log = logging.getLogger("mkdocs.plugins.kb")

ASSET_DIR = "assets/kb"
# The agent desk (API search, call mode, Copy steps, feedback): plain scripts, one job each, in load order.
DESK_SCRIPTS = ("core", "depth", "server", "steps", "known-issues", "search", "handoff", "customer-copy",
                "call-store", "call-view", "call-end", "call-mode", "actions", "feedback", "start")
ASSETS = ("kb.css", *(f"desk/{name}.js" for name in DESK_SCRIPTS), "paths.css", "paths.js")
CUSTOMER_ASSETS = ("kb.css",)  # the help centre: the article styles, none of the desk
_MAX_LISTED_FINDINGS = 20


class KBPluginConfig(base.Config):
    # Pages
    landing_pages = c.Type(bool, default=True)  # generate <product>/index.md when absent
    meta_bar = c.Type(bool, default=True)  # product, type, owner and review badges on articles
    history = c.Type(bool, default=True)  # "Last changed <date> by <author>" from git, and "Suggest a change"
    # "agents": the desk, every article; "customer": the help centre (mkdocs.customer.yml), see site/edition.py
    edition = c.Choice(EDITIONS, default=AGENTS)


class KBPlugin(BasePlugin[KBPluginConfig]):
    def __init__(self) -> None:
        self.kb: KBConfig | None = None
        self.cards: dict[str, Card] = {}
        self.today = dt.date.today()
        self.glossary = Glossary()
        self.paths = Catalog()
        self.page_paths: dict[str, str] = {}
        self.serving = False
        self.history: dict[str, Change] = {}
        self.preview: Preview | None = None
        self.shown: set[str] = set()  # the customer edition's articles and pages from docs/
        self.email_template: jinja2.Template | None = None

    @property
    def for_customers(self) -> bool:
        return self.config.edition == CUSTOMER

    @property
    def assets(self) -> tuple[str, ...]:
        return CUSTOMER_ASSETS if self.for_customers else ASSETS

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # The writer's preview panel: `mkdocs serve` only, so no production build ever carries it.
        # (Defining this hook also keeps the plugin, and the preview's index, across serve's rebuilds.)
        self.serving = command == "serve"

    def on_shutdown(self) -> None:
        if self.preview is not None:
            self.preview.close()

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        try:
            self.kb = load_config(config.docs_dir, mkdocs_yml=config.config_file_path)
            self.glossary = load_glossary(self.kb.docs_dir)
        except KBError as exc:
            raise PluginError(f"kb: {exc}") from None
        unreadable = source_problems(self.kb.docs_dir)  # before MkDocs walks a looping link or opens a FIFO
        if unreadable:
            raise PluginError(_findings_message("files that cannot be read", unreadable, config.docs_dir))
        if EXTENSION_NAME not in config.markdown_extensions:
            config.markdown_extensions.append(EXTENSION_NAME)
        if self.glossary.terms:  # Markdown's abbreviations: the definition on hover, wherever a term appears
            if "abbr" not in config.markdown_extensions:
                config.markdown_extensions.append("abbr")
            config.mdx_configs.setdefault("abbr", {})["glossary"] = self.glossary.abbreviations()
        config.extra_css.extend(f"{ASSET_DIR}/{name}" for name in self.assets if name.endswith(".css"))
        config.extra_javascript.extend(f"{ASSET_DIR}/{name}" for name in self.assets if name.endswith(".js"))
        self.today = dt.date.today()
        try:
            self.email_template = None if self.for_customers else load_template(self.kb.docs_dir)
        except KBError as exc:
            raise PluginError(f"kb: {exc}") from None
        if self.serving and not self.for_customers and (self.preview is None or self.preview.docs_dir != self.kb.docs_dir):
            self.preview = Preview(self.kb.docs_dir)
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        assert self.kb is not None
        for name in (PRODUCTS_FILE, GLOSSARY_FILE, TEAMS_FILE):
            declared = files.get_file_from_path(name)
            if declared is not None:
                files.remove(declared)  # configuration, not content
        self.cards, problems, self.page_paths = {}, [], {}
        for file in files.documentation_pages():
            card, findings = read_card(file.src_uri, file.content_string, self.kb)
            self.cards[file.src_uri] = card
            problems += [f for f in findings if f.severity == "error"]
        self.paths = build_catalog(((f.src_uri, f.content_string) for f in files.documentation_pages()
                                    if is_path_page(f.src_uri)), self.cards.get, lambda src: _source(files, src))
        problems += [f for f in self.paths.findings if f.severity == "error"]
        if problems:
            raise PluginError(_findings_message("invalid front matter", problems, config.docs_dir))
        if self.for_customers:
            self._keep_customer_pages(files, config)
        if self.glossary.exists and files.get_file_from_path(GLOSSARY_PAGE) is None:
            files.append(File.generated(config, GLOSSARY_PAGE, content=glossary_page(self.glossary)))
        if self.paths.paths and not self.for_customers and files.get_file_from_path(PATHS_PAGE) is None:  # /paths/ lists them, off the nav
            files.append(File.generated(config, PATHS_PAGE, content=PATHS_PAGE_MARKDOWN,
                                        inclusion=InclusionLevel.NOT_IN_NAV))
        if self.config.landing_pages:
            listed = [card for card in self.cards.values() if not self.for_customers or card.path in self.shown]
            for product in self.kb.products:
                uri = f"{product.id}/index.md"
                if files.get_file_from_path(uri) is None and (not self.for_customers or
                                                              any(c.meta.product == product.id for c in listed)):
                    files.append(File.generated(config, uri, content=landing_page(product, listed)))
        package = resources.files("kb_tools.site").joinpath("assets")
        for name in self.assets:
            files.append(File.generated(config, f"{ASSET_DIR}/{name}", content=package.joinpath(*name.split("/")).read_bytes()))
        if not self.for_customers:
            files.append(File.generated(config, f"{ASSET_DIR}/desk.json",
                                        content=desk_settings(self.kb, open_issues(self.cards.values(), self.kb))))
        self.history = read_history(self.kb.docs_dir) if self.config.history and not self.for_customers else {}
        if self.preview is not None:
            try:
                self.preview.refresh()
            except KBError as exc:  # the preview goes on serving; the writer sees why the panel is stale
                log.warning("kb preview: %s", exc)
        return files

    def _keep_customer_pages(self, files: Files, config: MkDocsConfig) -> None:
        """The help centre: only customer-visible pages, and a home page of its own when docs/ has none."""
        assert self.kb is not None
        self.shown = customer_pages(self.cards.values())
        for file in list(files.documentation_pages()):
            if file.src_uri not in self.shown:
                files.remove(file)
        if files.get_file_from_path(HOME_PAGE) is None:
            shown_cards = [card for card in self.cards.values() if card.path in self.shown]
            files.append(File.generated(config, HOME_PAGE, content=help_centre_home(self.kb, shown_cards, config.site_name)))

    def _page_paths(self, files: Files) -> dict[str, str]:
        """Each page's URL from the site root -> its docs path (outcome targets name articles by path)."""
        if not self.page_paths:
            self.page_paths = {file.url: file.src_uri for file in files.documentation_pages()}
        return self.page_paths

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
        assert self.kb is not None
        order = {product.id: number for number, product in enumerate(self.kb.products)}
        for item in nav.items:
            if isinstance(item, Section) and (product_id := _section_folder(item)) in order:
                item.title = self.kb.products[order[product_id]].name
        nav.items.sort(key=lambda item: _nav_rank(item, order))
        # The Paths tab opens its first page: make that the first path in Start here's order.
        path_order = {path.source: number for number, path in enumerate(self.paths.paths)}
        for item in nav.items:
            if isinstance(item, Section) and _section_folder(item) == _PATHS_FOLDER:
                item.children.sort(key=lambda child: path_order.get(getattr(getattr(child, "file", None), "src_uri", ""),
                                                                    len(path_order)))
        return nav

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        # Our `status` (draft/validated/archived) is not Material's page status (new/deprecated):
        # left in page.meta, the theme would draw an unknown-status icon beside every nav entry.
        page.meta.pop("status", None)
        card = self.cards.get(page.file.src_uri)
        if card is not None and card.meta.status == "archived":
            page.meta["search"] = {"exclude": True}  # the page stays for old links; the theme's search skips it
        # Front matter is text, but MkDocs and the theme put page.meta's title into <title>, the
        # navigation and the page heading as HTML: escaped here, once, every one of them shows it as typed.
        for key in ("title", "description"):
            if isinstance(page.meta.get(key), str):
                page.meta[key] = html.escape(page.meta[key], quote=True)
        if self.for_customers:
            return customer_markdown(markdown, page.file.src_uri, lambda path: files.get_file_from_path(path) is not None)
        if KNOWN_ISSUES_MARKER in markdown:
            markdown = markdown.replace(KNOWN_ISSUES_MARKER, known_issues_list(self.cards.values(), page.file.src_uri))
        return insert_path_list(markdown, self.paths, page.file.src_uri)

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str:
        if self.for_customers:
            if agent_text_left(html):  # e.g. an agent block written as raw HTML: never publish it
                raise PluginError(f"kb: {page.file.src_uri} holds agent-only markup the customer edition could not "
                                  "remove; write it as an `!!! agent` block.")
            return html
        card = self.cards.get(page.file.src_uri)
        # Read by call mode, the hand-off card and the Copy buttons, even on static files; from the
        # article's own HTML only.
        steps = ""
        if card is not None and card.is_article:
            html, steps = self._desk_data(html, card, page, files)
        html += page_additions(self.paths, page.file.src_uri, lambda src: _url(files, src, page))
        if self.preview is not None:
            html = insert_after_title(html, self.preview.panel_html(page.file.src_uri))
        if card is None or not card.is_article:
            return html
        below_title = history_line(self.history.get(page.file.src_uri), page.edit_url) if self.config.history else ""
        if self.config.meta_bar:
            assert self.kb is not None
            below_title = meta_bar(card, self.kb, today=self.today) + below_title
        if below_title:
            html = insert_after_title(html, below_title)
        return html + steps

    def _desk_data(self, html: str, card: Card, page: Page, files: Files) -> tuple[str, str]:
        """The page with its hand-off card, and the data the desk reads: the steps (call mode, Copy
        steps), the hand-off (its card in call mode) and, on customer-visible articles, the customer's
        e-mails, whose "what happens next" is the hand-off's."""
        assert self.kb is not None
        teams = self.kb.teams
        handoff_teams: set[str] = set()
        steps = page_steps(html, card, page.url, pages=self._page_paths(files), handoff_teams=handoff_teams,
                           team_of=team_resolver(card.meta.escalation, teams) if teams.exists else None)
        handoff = handoff_data(card, teams, sorted(handoff_teams))
        holders = data_holder("kb-steps", "data-kb-steps", steps) + handoff_script(handoff)
        if card.meta.escalation is not None:
            html = insert_before_cause(html, handoff_card(article_handoff(card.meta.escalation, teams)))
        if steps and self.email_template is not None and card.meta.is_customer_visible:
            try:
                emails = customer_emails(self.email_template, title=card.title, handoff=handoff_details(handoff),
                                         other_handoffs={team: handoff_details(other) for team, other in
                                                         (handoff or {}).get("other_teams", {}).items()},
                                         steps_by_depth={depth: found["steps"] for depth, found in steps.items()})
            except KBError as exc:
                raise PluginError(f"kb: {exc}") from None
            holders += data_holder("kb-customer-copy", "data-kb-customer-copy", emails)
        return html, holders


# Top of the navigation: welcome, then onboarding; the products; then reference pages.
_FIRST_PAGES = {"index.md": 0, "start-here.md": 1}
_PATHS_FOLDER = "paths"
_KNOWN_ISSUES_FOLDER = "known-issues"
PATHS_PAGE = f"{_PATHS_FOLDER}/index.md"
PATHS_PAGE_MARKDOWN = "---\ntitle: Onboarding paths\ntype: page\n---\n\n# Onboarding paths\n\n<!-- kb-paths -->\n"


def _nav_rank(item: Any, product_order: dict[str, int]) -> tuple[int, int]:
    folder = _section_folder(item)
    if folder in product_order:
        return (3, product_order[folder])
    if folder == _PATHS_FOLDER:
        return (2, 0)
    if folder == _KNOWN_ISSUES_FOLDER:  # what is broken right now: before the products
        return (2, 1)
    source = getattr(getattr(item, "file", None), "src_uri", "")
    return (0, _FIRST_PAGES[source]) if source in _FIRST_PAGES else (4, 0)


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


def _source(files: Files, src: str) -> str | None:
    file = files.get_file_from_path(src)
    return file.content_string if file is not None else None


def _url(files: Files, src: str, page: Page) -> str:
    """The link from `page` to the page built from `src` (paths are checked, so it exists)."""
    file = files.get_file_from_path(src)
    return file.url_relative_to(page.file) if file is not None else src


def _findings_message(what: str, problems: list[Finding], docs_dir: str) -> str:
    shown = [f"  {Path(docs_dir).name}/{f.path}:{f.line}: {f.message} [{f.rule}]"
             for f in problems[:_MAX_LISTED_FINDINGS]]
    more = len(problems) - len(shown)
    tail = [f"  ... and {more} more"] if more > 0 else []
    return "\n".join([f"kb: {what} in {len(problems)} place(s):", *shown, *tail,
                      "Fix these (run `kb check` to see every problem) and build again."])
