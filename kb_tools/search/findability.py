"""Findability: every phrase in an article's `customer_says` must find that article in the top 3.

The proof that the words customers use reach the article, checked with the same (hybrid) search
the agents use. Without an up-to-date index to hand, one is built for the check in a temporary folder.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path

from kb_tools.content.check_handoffs import ARCHIVE_AFTER_DAYS
from kb_tools.content.checks import CheckReport, check_collection
from kb_tools.content.findings import Finding
from kb_tools.content.metadata import PAGE_TYPE
from kb_tools.content.model import Article, Collection, load_collection
from kb_tools.search import Searcher, build_index
from kb_tools.search.indexer import Progress, index_is_current
from kb_tools.search.searcher import Hit

TOP = 3
LOOKED_AT = 10


def phrase_searches(collection: Collection, searcher: Searcher) -> Iterator[tuple[Article, str, int | None, list[Hit]]]:
    """Each customer phrase of each searchable article: (article, phrase, its rank or None, the top 10)."""
    for article in collection:
        if article.meta.type == PAGE_TYPE or article.meta.status == "archived":
            continue
        for phrase in article.meta.customer_says:
            hits = searcher.search(phrase, limit=LOOKED_AT, link_sections=False).hits
            rank = next((i for i, hit in enumerate(hits, start=1) if hit.path == article.path), None)
            yield article, phrase, rank, hits


def check_findability(collection: Collection, searcher: Searcher) -> Iterator[Finding]:
    """A warning, addressed to the owner, for every phrase that misses the top 3."""
    for article, phrase, rank, hits in phrase_searches(collection, searcher):
        if rank is not None and rank <= TOP:
            continue
        where = f"finds it only at rank {rank}" if rank else f"does not find it in the top {LOOKED_AT}"
        first = f' (first: "{hits[0].title}")' if hits else ""
        yield Finding(article.path, _phrase_line(collection, article, phrase), "warning", "findability",
                      f'customer phrase "{phrase}" {where}{first}; owner {article.meta.owner or "(none)"}: '
                      "use the customer's words in the summary, a heading or the text.")


def check_docs(docs: Path, *, findability: bool = True, index_dir: Path | None = None, reuse: Path | None = None,
               progress: Progress | None = None, archive_after: int | None = None) -> CheckReport:
    """`kb check`: every rule over the articles in `docs`, with the findability check when asked
    for and some article lists customer phrases (searching `searcher_for`'s index)."""
    collection = load_collection(docs)
    days = ARCHIVE_AFTER_DAYS if archive_after is None else archive_after
    if not (findability and any(article.meta.customer_says for article in collection)):
        return check_collection(collection, archive_after=days)
    with searcher_for(docs, index_dir, reuse=reuse, progress=progress) as searcher:
        return check_collection(collection, extra_rules=[lambda c: check_findability(c, searcher)], archive_after=days)


@contextlib.contextmanager
def searcher_for(docs: Path, index_dir: Path | None = None, *, reuse: Path | None = None,
                 progress: Progress | None = None) -> Iterator[Searcher]:
    """A Searcher over `index_dir`; else over `reuse` when it indexes exactly the files in `docs`;
    else over a fresh index of `docs` built for the check."""
    if index_dir is None and reuse is not None and index_is_current(docs, reuse):
        index_dir = reuse
    with contextlib.ExitStack() as stack:
        if index_dir is None:
            index_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="kb-findability-")))
            build_index(docs, index_dir, progress=progress)
        searcher = Searcher(index_dir)
        stack.callback(searcher.close)
        yield searcher


def _phrase_line(collection: Collection, article: Article, phrase: str) -> int:
    """The front-matter line holding the phrase, so the message points at what to change."""
    try:
        text = (collection.config.docs_dir / article.path).read_text(encoding="utf-8")
    except OSError:
        return 1
    return next((number for number, line in enumerate(text.splitlines(), start=1) if phrase in line), 1)
