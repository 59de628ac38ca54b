"""`kb new`: write a new article from the template of its type, never over an existing file."""

from __future__ import annotations

import datetime as dt
import re
from importlib import resources
from pathlib import Path
from string import Template

from kb_tools.content.config import KBConfig
from kb_tools.content.metadata import ARTICLE_TYPES
from kb_tools.errors import KBError


def slugify_title(title: str) -> str:
    """A file name for a title: lowercase words joined by hyphens.

    >>> slugify_title("Wi-Fi keeps dropping!")
    'wi-fi-keeps-dropping'
    """
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return slug or "article"


def new_article(config: KBConfig, title: str, *, product: str, article_type: str, owner: str,
                summary: str | None = None, path: Path | None = None, today: dt.date | None = None) -> Path:
    """Create the article file and return its path."""
    if not title.strip():
        raise KBError("the title is empty; pass the task or problem, e.g. kb new \"Reset your password\" ...")
    if article_type not in ARTICLE_TYPES:
        raise KBError(f"unknown type {article_type!r}; use one of: {', '.join(ARTICLE_TYPES)}.")
    if config.product(product) is None:
        declared = ", ".join(p.id for p in config.products) or "none declared"
        raise KBError(f"unknown product {product!r}; declared in {config.docs_dir / 'products.yml'}: {declared}.")
    folder = "known-issues" if article_type == "known-issue" else product  # known issues: a folder, not a product
    target = path or config.docs_dir / folder / f"{slugify_title(title)}.md"
    if target.exists():
        raise KBError(f"{target} already exists; pick another title or --path, or edit that article.")
    template = resources.files("kb_tools.content").joinpath("templates", f"{article_type}.md").read_text("utf-8")
    text = Template(template).substitute(
        title=title.strip(), title_yaml=_yaml_text(title.strip()),
        summary_yaml=_yaml_text(summary or f"((One sentence: what '{title.strip()}' gets the customer to.))"),
        product=product, owner=_yaml_text(owner), today=(today or dt.date.today()).isoformat(),
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("x", encoding="utf-8") as handle:  # "x": never overwrite, even in a race
        handle.write(text)
    return target


def _yaml_text(value: str) -> str:
    """Quote a value when YAML would otherwise read it as something else."""
    if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9 ._'()/,-]*", value) and value.lower() not in ("yes", "no", "true", "false", "null"):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
