"""The site's two editions, from the same docs/: the agents' desk (everything) and the customer help centre.

The customer edition (`mkdocs.customer.yml`, the `kb` plugin's `edition: customer`) keeps only the
customer-visible articles, drops every `!!! agent` block from their Markdown before it is rendered,
turns links to the pages it leaves out into plain text, and carries none of the desk: no owners,
review badges, history, call mode, Copy buttons, paths or writer's panel. What MkDocs and the theme
build from those pages (search index, sitemap, 404) then holds nothing else.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable

from kb_tools.content.audience import strip_agent_blocks, unlink_pages
from kb_tools.content.card import Card
from kb_tools.content.config import KBConfig

AGENTS, CUSTOMER = "agents", "customer"
EDITIONS = (AGENTS, CUSTOMER)
HOME_PAGE = "index.md"
# The marks an agent block leaves in HTML: if one reaches a customer page, the build stops.
_AGENT_MARKS = ('class="admonition agent', "class='admonition agent", 'class="agent', "class='agent")


def customer_pages(cards: Iterable[Card]) -> set[str]:
    """The docs paths of the pages the customer edition publishes."""
    return {card.path for card in cards if card.meta.is_customer_visible and card.meta.status != "archived"}


def customer_markdown(markdown: str, page: str, is_built: Callable[[str], bool]) -> str:
    """A page's Markdown as customers read it: no agent blocks, no links to pages the edition does not build."""
    return unlink_pages(strip_agent_blocks(markdown), page, is_built)


def agent_text_left(page_html: str) -> bool:
    """True when agent-only markup survived into a customer page (raw HTML, or a block we did not strip)."""
    return any(mark in page_html for mark in _AGENT_MARKS)


def help_centre_home(config: KBConfig, cards: Iterable[Card], site_name: str) -> str:
    """The customer edition's home page: the products that have customer articles, each with its summary."""
    products_with_articles = {card.meta.product for card in cards}
    lines = ["---", "title: Help centre", "type: page", "visibility: customer", "---", "",
             f"# {html.escape(site_name)}", "", "Answers and step-by-step help for your Brightwave services.", ""]
    for product in config.products:
        if product.id in products_with_articles:
            description = f": {html.escape(product.description)}" if product.description else ""
            lines.append(f"- [{html.escape(product.name)}]({product.id}/index.md){description}")
    return "\n".join(lines) + "\n"
