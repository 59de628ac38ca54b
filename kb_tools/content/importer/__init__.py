"""`kb import`: a help centre's folder of articles turned into kb articles.

Stages: find and read the sources (sources) -> plan each one's product, section and new path
from the source's folders -> guess its type and summary (guess) -> rewrite its Markdown: HTML,
anchors, links to the new paths (rewrite) -> write what changed, keeping what a writer set since
the last import (owner, status, reviewed, customer phrases) -> products.yml, and a mkdocs.yml
when the docs folder has none. Re-running updates; it never duplicates.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml

from kb_tools.content.config import DEFAULT_EXTENSIONS, PRODUCTS_FILE, load_config
from kb_tools.content.files import replace_file
from kb_tools.content.frontmatter import load_yaml, split_front_matter
from kb_tools.content.importer.anchors import repair_anchors
from kb_tools.content.importer.guess import guess_type, summary_of
from kb_tools.content.importer.rewrite import Target, to_kb_markdown
from kb_tools.content.importer.sources import SourceArticle, find_sources, read_source
from kb_tools.content.metadata import DEPTH_TYPES
from kb_tools.content.scaffold import slugify_title
from kb_tools.errors import KBError

OWNER_TO_ASSIGN = "((owner to assign))"  # a `kb check` placeholder: a warning until someone takes it
_KEPT_FROM_LAST_IMPORT = ("owner", "status", "reviewed", "review_every", "customer_says", "tags")
_HELP_CENTRE_ARTICLE = re.compile(r"/hc/(?:[\w-]+/)?articles/(\d+)")


@dataclass(frozen=True)
class Imported:
    """One article: where it came from, where it went, its guessed type and why."""

    source: str
    path: str
    title: str
    type: str
    why: str
    change: str  # "created", "updated" or "unchanged"


@dataclass
class ImportReport:
    """What `import_help_centre` did, and what needs a human."""

    articles: list[Imported] = field(default_factory=list)
    products: list[str] = field(default_factory=list)
    external_links: list[tuple[str, str]] = field(default_factory=list)  # (article path, URL)
    needs_human: list[tuple[str, str]] = field(default_factory=list)  # (article path, what)
    mkdocs_yml: Path | None = None

    def count(self, change: str) -> int:
        return sum(a.change == change for a in self.articles)

    @property
    def types(self) -> Counter[str]:
        return Counter(a.type for a in self.articles)

    def summary(self) -> str:
        types = ", ".join(f"{n} {kind}" for kind, n in sorted(self.types.items()))
        return (f"{len(self.articles)} articles imported ({self.count('created')} new, {self.count('updated')} updated, "
                f"{self.count('unchanged')} unchanged) in {len(self.products)} products; guessed types: "
                f"{types or 'none'}; {len(self.external_links)} external links kept; "
                f"{len(self.needs_human)} things need a human")

    def to_dict(self) -> dict[str, Any]:
        return {"articles": [a.__dict__ for a in self.articles], "products": self.products,
                "external_links": [{"article": a, "url": u} for a, u in self.external_links],
                "needs_human": [{"article": a, "what": w} for a, w in self.needs_human],
                "mkdocs_yml": str(self.mkdocs_yml) if self.mkdocs_yml else None, "summary": self.summary()}


@dataclass(frozen=True)
class _Planned:
    source: SourceArticle
    path: str  # the new path, relative to the docs folder
    product: str
    section: str | None
    title: str


def import_help_centre(src: Path | str, docs: Path | str, *, owner: str | None = None,
                       product: str | None = None, today: dt.date | None = None,
                       progress: Callable[[int, int], None] | None = None) -> ImportReport:
    """Import every article under `src` into `docs` as drafts; return what was done."""
    src, docs = Path(src).resolve(), Path(docs).resolve()
    if not src.is_dir():
        raise KBError(f"{src} is not a folder; give the folder of help-centre articles to import.")
    if docs == src or docs.is_relative_to(src):
        raise KBError(f"import into a folder outside {src}, e.g. --to {src.parent / 'kb-docs'}.")
    sources = [read_source(path, src) for path in find_sources(src)]
    if not sources:
        raise KBError(f"no Markdown or HTML articles under {src}.")
    plan = _plan(sources, product or slugify_title(src.name))
    by_source = {str(p.source.relative): p for p in plan}
    by_id = {p.source.source_id: p for p in plan if p.source.source_id}
    report = ImportReport(products=sorted({p.product for p in plan}))
    _write_products(docs, plan)
    converted = {}
    for number, planned in enumerate(plan, start=1):
        converted[planned.path] = _convert(planned, src, docs, by_source, by_id, report, owner=owner,
                                           today=today or dt.date.today())
        if progress:
            progress(number, len(plan))
    texts = repair_anchors({path: text for path, (text, _) in converted.items()}, load_config(docs),
                           report.needs_human)
    for planned in plan:
        report.articles.append(_write(planned, texts[planned.path], converted[planned.path][1], docs))
    report.mkdocs_yml = _write_mkdocs_yml(docs, src.name)
    return report


def _plan(sources: list[SourceArticle], default_product: str) -> list[_Planned]:
    """New paths from the source's folders (product / section / name), titles made unique."""
    titles = Counter(s.title.casefold() for s in sources)
    used: set[str] = set()
    plan = []
    for source in sources:
        folders = [slugify_title(f) for f in source.folders]
        product = folders[0] if folders else default_product
        section = source.folders[-1] if len(source.folders) > 1 else None
        stem = slugify_title(source.relative.stem)
        base = path = "/".join([product, *folders[1:], stem])
        number = 1
        while f"{path}.md" in used:
            number += 1
            path = f"{base}-{number}"
        used.add(f"{path}.md")
        title = source.title
        if titles[title.casefold()] > 1:  # titles must be unique: say where each one is from
            title = f"{title} ({' / '.join(source.folders) or default_product})"
        plan.append(_Planned(source, f"{path}.md", product, section, title))
    return plan


def _convert(planned: _Planned, src: Path, docs: Path, by_source: dict[str, _Planned], by_id: dict[str, _Planned],
             report: ImportReport, *, owner: str | None, today: dt.date) -> tuple[str, tuple[str, str]]:
    """The new article's whole text and its guessed (type, why); what needs a human goes in the report."""
    source = planned.source

    def resolve(url: str, text: str, is_image: bool) -> Target:
        return _resolve(url, text, is_image, planned, src, docs, by_source, by_id, report)

    body = to_kb_markdown(source.body, resolve)
    kind, why = guess_type(planned.title, body)
    front = {
        "title": planned.title, "summary": summary_of(planned.title, body), "product": planned.product,
        "type": kind, "tags": [slugify_title(planned.section)] if planned.section else [],
        "owner": owner or OWNER_TO_ASSIGN, "reviewed": today, "review_every": 180, "status": "draft",
    }
    front.update(_kept_fields(docs / planned.path))
    if front["owner"] == OWNER_TO_ASSIGN:
        report.needs_human.append((planned.path, "assign an owner"))
    if kind in DEPTH_TYPES:
        report.needs_human.append((planned.path, f"write the Beginner and Expert depths (a {kind}: {why})"))
    text = "---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=1000) + "---\n\n"
    return text + body, (str(front["type"]), why)  # the source's own headings: no `# Title` added


def _write(planned: _Planned, text: str, guess: tuple[str, str], docs: Path) -> Imported:
    target = docs / planned.path
    change = "created"
    if target.exists():
        change = "unchanged" if target.read_text(encoding="utf-8") == text else "updated"
    if change != "unchanged":
        target.parent.mkdir(parents=True, exist_ok=True)
        replace_file(target, text.encode("utf-8"))
    return Imported(str(planned.source.relative), planned.path, planned.title, *guess, change)


def _kept_fields(target: Path) -> dict[str, Any]:
    """What a writer set in the article since the last import: re-importing never undoes it."""
    if not target.exists():
        return {}
    front = split_front_matter(target.read_text(encoding="utf-8", errors="replace"))
    return {key: front.data[key] for key in _KEPT_FROM_LAST_IMPORT if key in front.data}


def _resolve(url: str, text: str, is_image: bool, planned: _Planned, src: Path, docs: Path,
             by_source: dict[str, _Planned], by_id: dict[str, _Planned], report: ImportReport) -> Target:
    parts = urlsplit(url)
    anchor = f"#{parts.fragment}" if parts.fragment else ""
    here = posixpath.dirname(planned.path)
    if parts.scheme in ("http", "https") or url.startswith("//"):
        linked = _HELP_CENTRE_ARTICLE.search(parts.path)
        if linked and linked.group(1) in by_id and not is_image:
            other = by_id[linked.group(1)]
            shown = other.title if text.strip() in ("", url) else None
            return Target(posixpath.relpath(other.path, here) + anchor, shown)
        report.external_links.append((planned.path, url))
        if is_image:  # kept as a link: the site loads nothing from outside
            return Target(url, f"Image: {text.strip() or posixpath.basename(parts.path)}", image_as_link=True)
        return Target(url)
    if parts.scheme or not parts.path:  # mailto:, tel:, or #anchor in the same article
        return Target(url)
    source_dir = posixpath.dirname(str(planned.source.relative))
    linked_source = posixpath.normpath(posixpath.join(source_dir, unquote(parts.path)))
    if linked_source in by_source and not is_image:
        return Target(posixpath.relpath(by_source[linked_source].path, here) + anchor)
    file = src / linked_source
    if file.is_file() and not linked_source.startswith(".."):
        copy = docs / here / unquote(parts.path)
        copy.parent.mkdir(parents=True, exist_ok=True)
        if not copy.exists() or copy.read_bytes() != file.read_bytes():
            shutil.copyfile(file, copy)
        return Target(url)
    report.needs_human.append((planned.path, f"{'image' if is_image else 'link'} {url} is not in the source folder"))
    label = "Image" if is_image else "Link"
    return Target(None, f"*({label} not imported: {text.strip() or url}, {url})*")


def _write_products(docs: Path, plan: list[_Planned]) -> None:
    """Add the imported products to products.yml, keeping what is declared there."""
    path = docs / PRODUCTS_FILE
    data = load_yaml(path.read_text(encoding="utf-8")) if path.exists() else None
    products = list(data.get("products") or []) if isinstance(data, dict) else []
    declared = {str(p.get("id")) for p in products if isinstance(p, dict)}
    names = {p.product: p.source.folders[0] if p.source.folders else p.product for p in plan}
    added = [{"id": pid, "name": name} for pid, name in sorted(names.items()) if pid not in declared]
    if added or not path.exists():
        docs.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump({"products": products + added}, sort_keys=False, allow_unicode=True),
                        encoding="utf-8")


def _write_mkdocs_yml(docs: Path, name: str) -> Path | None:
    """A mkdocs.yml beside the docs folder when there is none, so the import builds at once."""
    path = docs.parent / "mkdocs.yml"
    if path.exists():
        return None
    config = {
        "site_name": f"{name} (imported)", "docs_dir": docs.name,
        "theme": {"name": "material", "font": False,
                  "features": ["navigation.tabs", "navigation.indexes", "navigation.prune", "content.tabs.link"]},
        "plugins": ["search", "kb"], "extra": {"generator": False},
        "validation": {"nav": {"omitted_files": "ignore"},
                       "links": {"not_found": "warn", "anchors": "warn", "unrecognized_links": "warn"}},
        "markdown_extensions": DEFAULT_EXTENSIONS,
    }
    path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


__all__ = ["ImportReport", "Imported", "import_help_centre"]
