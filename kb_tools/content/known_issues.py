"""Known issues (`type: known-issue`, in docs/known-issues/): which are open, as `kb known-issues`,
the desk's banner (desk.json) and its pinned search results show them. Front matter only."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kb_tools.content.card import Card, read_card
from kb_tools.content.config import KBConfig
from kb_tools.content.metadata import KNOWN_ISSUE
from kb_tools.content.model import markdown_files, page_url


def known_issue_cards(config: KBConfig) -> list[Card]:
    """Every known issue of the docs folder (any status), read from front matter."""
    cards = []
    for relative, _ in markdown_files(config.docs_dir).items():
        text = (config.docs_dir / relative).read_text(encoding="utf-8", errors="replace")
        if "known-issue" not in text:  # cheap: most files are not known issues
            continue
        card, _ = read_card(relative, text, config)
        if card.meta.type == KNOWN_ISSUE:
            cards.append(card)
    return cards


def open_issues(cards: Iterable[Card], config: KBConfig) -> list[dict[str, Any]]:
    """The open known issues (investigating or identified, not a draft or archived), newest first."""
    found = sorted((c for c in cards if c.meta.is_open_issue),
                   key=lambda c: (c.meta.since.isoformat() if c.meta.since else "", c.path), reverse=True)
    return [issue_data(card, config) for card in found]


def issue_data(card: Card, config: KBConfig) -> dict[str, Any]:
    """One known issue as JSON: what the banner, `kb known-issues --json` and the API give."""
    names = {product.id: product.name for product in config.products}
    meta = card.meta
    return {"path": card.path, "title": card.title, "summary": meta.summary, "status": meta.issue_status,
            "since": meta.since.isoformat() if meta.since else None,
            "fixed_on": meta.fixed_on.isoformat() if meta.fixed_on else None, "products": list(meta.products),
            "product_names": [names.get(p, p) for p in meta.products], "owner": meta.owner,
            "url": page_url(card.path, use_directory_urls=config.use_directory_urls)}
