"""`kb steps`: the steps of an article at one depth (a small decision graph: steps, the outcomes
under their checkpoints and where each leads), found by path or by the caller's words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kb_tools.errors import KBError
from kb_tools.search.searcher import Searcher


@dataclass(frozen=True)
class ArticleSteps:
    path: str
    title: str
    url: str
    depth: str
    steps: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "title": self.title, "url": self.url, "depth": self.depth, "steps": self.steps}


def find_steps(searcher: Searcher, article_or_text: str, *, depth: str) -> ArticleSteps:
    """Steps of the article at `article_or_text` (a path), else of the top search result."""
    path = article_or_text.strip()
    stored = searcher.article(path) or searcher.article(path + ".md")
    if stored is None:
        results = searcher.search(article_or_text, depth=depth, limit=1)
        if not results.hits:
            raise KBError(f"no article matches {article_or_text!r}; try `kb search` with other words.")
        stored = searcher.article(results.hits[0].path)
        assert stored is not None
    if stored.get("status") == "archived":
        raise KBError(f"{stored['path']} is archived: its steps are no longer given to callers; "
                      "search for the article that replaced it.")
    meta = stored["meta"]
    return ArticleSteps(stored["path"], meta["title"], stored.get("url", ""), depth, meta["steps"].get(depth, []))


def stored_steps(searcher: Searcher, path: str, depth: str | None) -> list[dict[str, Any]] | None:
    """The steps graph the index holds for article `path` at `depth` (beginner when None); None: no such article."""
    stored = searcher.article(path)
    return None if stored is None else list(stored["meta"]["steps"].get(depth or "beginner", []))


def tree_lines(found: ArticleSteps) -> list[str]:
    """The steps as a tree to read: numbered steps, their checkpoints, the outcomes indented under them."""
    lines: list[str] = []
    for step in found.steps:
        variant = f"[{step['variant']}] " if step.get("variant") else ""
        lines.append(f"{step.get('position', step['number'])}. {variant}{step['text']}")
        if step.get("checkpoint"):
            lines.append(f"   Checkpoint: {step['checkpoint']}")
        for outcome in step.get("outcomes", []):
            lines.append(f"   - {outcome['label']} → {describe_target(outcome['to'])}")
    return lines


def describe_target(target: dict[str, Any]) -> str:
    """Where an outcome leads, in words: `step 4`, `solved`, `hand off: ...`, or another article."""
    kind = target.get("kind")
    if kind == "step":
        return f"step {target['position']}"
    if kind == "article":
        where = target["path"] + (f"#{target['anchor']}" if target.get("anchor") else "")
        return where + (f", step {target['number']}" if target.get("number") else "")
    if kind == "handoff":
        return "hand off" + (f": {target['note']}" if target.get("note") else "")
    if kind == "solved":
        return "solved"
    return f"? {target.get('note', '')}".strip()
