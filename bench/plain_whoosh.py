"""Plain Whoosh: the baseline the search issue names, shared by bench/relevance.py and bench/speed.py.

StemmingAnalyzer, title + body, one document per article, OR of the words, default BM25F, a
normal writer. The body is stored so that `highlights("body")` can make snippets the usual way.

    sys.path.insert(0, str(Path(__file__).parent)); from plain_whoosh import PlainWhoosh
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.analysis import StemmingAnalyzer
from whoosh.fields import ID, STORED, TEXT, Schema
from whoosh.qparser import MultifieldParser, OrGroup

from kb_tools.content.model import Article
from kb_tools.search.searcher import Hit


def _schema() -> Schema:
    return Schema(path=ID(stored=True, unique=True), title=TEXT(analyzer=StemmingAnalyzer()),
                  body=TEXT(analyzer=StemmingAnalyzer(), stored=True), url=STORED())


def _document(article: Article) -> dict[str, str]:
    return {"path": article.path, "title": article.title, "body": article.text(), "url": article.url}


class PlainWhoosh:
    """A plain Whoosh index of articles in a folder: build, update one article, search."""

    def __init__(self, index_dir: Path) -> None:
        self._ix = whoosh_index.open_dir(str(index_dir))
        self._searcher = self._ix.searcher()
        self._parser = MultifieldParser(["title", "body"], self._ix.schema, group=OrGroup)

    @classmethod
    def build(cls, articles: Iterable[Article], index_dir: Path) -> PlainWhoosh:
        """Write every article into a new index in `index_dir` (created if needed)."""
        index_dir.mkdir(parents=True, exist_ok=True)
        ix = whoosh_index.create_in(str(index_dir), _schema())
        with ix.writer() as writer:
            for article in articles:
                writer.add_document(**_document(article))
        return cls(index_dir)

    def update(self, article: Article) -> None:
        """Replace one article's document and commit, as an editor's save would."""
        with self._ix.writer() as writer:
            writer.update_document(**_document(article))
        self._searcher = self._searcher.refresh()

    def search(self, text: str, limit: int = 10) -> list[Hit]:
        """The top `limit` articles, as kb Hits so `kb_tools.search.evaluate` can score them."""
        results = self._searcher.search(self._parser.parse(text), limit=limit)
        return [Hit(r["path"], "", "", "", "", "", "", "", "both", "", r.score, "") for r in results]

    def search_with_highlights(self, text: str, limit: int = 10) -> list[tuple[str, str]]:
        """The top `limit` articles with Whoosh's highlighted body fragments (from the stored body)."""
        results = self._searcher.search(self._parser.parse(text), limit=limit)
        return [(r["path"], r.highlights("body")) for r in results]

    def close(self) -> None:
        self._searcher.close()
