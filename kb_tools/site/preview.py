"""The writer's preview (`make write`, i.e. `mkdocs serve`): on each page, a panel with what
`kb check` finds in it (with lines) and whether each `customer_says` phrase finds it in the top 3.

Only `mkdocs serve` shows it: the plugin asks for it on that command alone, so a production
build never contains it. Each rebuild (each save) checks the docs again and updates a search
index kept for the session (only changed articles are re-indexed and re-embedded).
"""

from __future__ import annotations

import contextlib
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from kb_tools.content.checks import check_collection
from kb_tools.content.findings import Finding
from kb_tools.content.model import Collection, load_collection
from kb_tools.search import Searcher, build_index
from kb_tools.search.findability import LOOKED_AT, TOP, phrase_searches

PANEL_ID = "kb-preview-panel"
_TEMPLATE = jinja2.Environment(
    loader=jinja2.PackageLoader("kb_tools.site", "templates"), autoescape=True, keep_trailing_newline=True,
).get_template("preview_panel.html")


@dataclass(frozen=True)
class PhraseCheck:
    """One customer phrase: the rank it finds its article at (None: not in the top 10), and what ranks above."""

    phrase: str
    rank: int | None
    ahead: tuple[str, ...]

    @property
    def is_found(self) -> bool:
        return self.rank is not None and self.rank <= TOP


@dataclass
class PagePanel:
    findings: list[Finding] = field(default_factory=list)
    phrases: list[PhraseCheck] = field(default_factory=list)


class Preview:
    """Panels for every page of one docs folder, brought up to date by `refresh`."""

    def __init__(self, docs_dir: Path | str) -> None:
        self.docs_dir = Path(docs_dir)
        self._index_home = tempfile.TemporaryDirectory(prefix="kb-preview-")
        self.panels: dict[str, PagePanel] = {}

    def refresh(self) -> None:
        """Check every article and search every customer phrase again."""
        collection = load_collection(self.docs_dir)
        panels = {article.path: PagePanel() for article in collection}
        for finding in check_collection(collection).findings:
            panels.setdefault(finding.path, PagePanel()).findings.append(finding)
        if any(article.meta.customer_says for article in collection):
            index = Path(self._index_home.name) / "index"
            build_index(self.docs_dir, index, config=collection.config)
            with contextlib.closing(Searcher(index)) as searcher:
                for path, phrases in _phrase_checks(collection, searcher).items():
                    panels[path].phrases = phrases
        self.panels = panels

    def panel_html(self, path: str) -> str:
        """The panel of the page built from `path` (an empty string for a file not checked)."""
        panel = self.panels.get(path)
        if panel is None:
            return ""
        return _TEMPLATE.render(panel_id=PANEL_ID, path=path, findings=panel.findings, phrases=panel.phrases,
                                top=TOP, looked_at=LOOKED_AT)

    def close(self) -> None:
        self._index_home.cleanup()


def _phrase_checks(collection: Collection, searcher: Searcher) -> dict[str, list[PhraseCheck]]:
    checks: dict[str, list[PhraseCheck]] = {}
    for article, phrase, rank, hits in phrase_searches(collection, searcher):
        ahead = tuple(hit.title for hit in hits[: (rank - 1 if rank else TOP)])
        checks.setdefault(article.path, []).append(PhraseCheck(phrase, rank, ahead))
    return checks
