"""`kb eval`: relevance of the search over a judged query set (MRR@10, nDCG@10, recall@10, P@1).

The query file is tab-separated with a header `qid, query, relevant`; `relevant` lists
`path:grade` or `path#anchor:grade` entries separated by `;` (paths may contain spaces and
colons, so the grade is after the last colon). A `path#anchor` judgment counts only when the
result links that section.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb_tools.errors import KBError
from kb_tools.search.searcher import Hit

K = 10


@dataclass(frozen=True)
class Judged:
    qid: str
    query: str
    relevant: dict[str, int]  # "path" or "path#anchor" -> grade


@dataclass
class QueryScore:
    qid: str
    query: str
    rank: int | None  # rank of the first relevant result within K
    reciprocal_rank: float
    ndcg: float
    recall: float
    top: list[str] = field(default_factory=list)
    expected: list[str] = field(default_factory=list)


@dataclass
class EvalReport:
    scores: list[QueryScore]

    def _mean(self, name: str) -> float:
        return sum(getattr(s, name) for s in self.scores) / len(self.scores) if self.scores else 0.0

    @property
    def metrics(self) -> dict[str, float]:
        return {"mrr@10": self._mean("reciprocal_rank"), "ndcg@10": self._mean("ndcg"),
                "recall@10": self._mean("recall"),
                "p@1": sum(s.rank == 1 for s in self.scores) / len(self.scores) if self.scores else 0.0}

    @property
    def failed(self) -> list[QueryScore]:
        return [s for s in self.scores if s.rank is None]

    def to_dict(self) -> dict[str, Any]:
        return {**{k: round(v, 4) for k, v in self.metrics.items()}, "queries": len(self.scores),
                "per_query": [vars(s) for s in self.scores]}


def read_queries(path: Path | str) -> list[Judged]:
    """Read a judged query file; a malformed line is an error naming the line."""
    source = Path(path)
    try:
        lines = source.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise KBError(f"cannot read the query file {path}: {exc.strerror}.") from None
    rows = list(csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))
    if not rows or [c.strip().lower() for c in rows[0][:3]] != ["qid", "query", "relevant"]:
        raise KBError(f"{path}:1: expected the header `qid<TAB>query<TAB>relevant`.")
    judged = []
    for number, row in enumerate(rows[1:], start=2):
        if not row or not "".join(row).strip():
            continue
        if len(row) < 3:
            raise KBError(f"{path}:{number}: expected three tab-separated columns (qid, query, relevant).")
        judged.append(Judged(row[0].strip(), row[1], _relevant(row[2], f"{path}:{number}")))
    return judged


def _relevant(cell: str, where: str) -> dict[str, int]:
    relevant = {}
    for entry in filter(None, (e.strip() for e in cell.split(";"))):
        target, _, grade = entry.rpartition(":")
        if not target or not grade.strip().isdigit():
            raise KBError(f"{where}: judgment {entry!r} should be `path:grade` (grade 1 or 2).")
        relevant[target.strip()] = int(grade)
    return relevant


def evaluate(queries: list[Judged], search: Callable[[str], list[Hit]]) -> EvalReport:
    """Run every query through `search` and score the first K results."""
    scores = []
    for judged in queries:
        hits = search(judged.query)[:K]
        gains = [_gain(judged.relevant, hit) for hit in hits]
        rank = next((i + 1 for i, g in enumerate(gains) if g > 0), None)
        ideal = sorted(judged.relevant.values(), reverse=True)[:K]
        idcg = _dcg(ideal)
        found = {key for hit in hits for key in _keys(hit) if key in judged.relevant}
        scores.append(QueryScore(
            judged.qid, judged.query, rank, 1.0 / rank if rank else 0.0,
            _dcg(gains) / idcg if idcg else 0.0, len(found) / len(judged.relevant) if judged.relevant else 0.0,
            [h.path + (f"#{h.anchor}" if h.anchor else "") for h in hits[:3]], sorted(judged.relevant),
        ))
    return EvalReport(scores)


def _keys(hit: Hit) -> list[str]:
    return [hit.path, f"{hit.path}#{hit.anchor}"]


def _gain(relevant: dict[str, int], hit: Hit) -> int:
    return max((relevant.get(key, 0) for key in _keys(hit)), default=0)


def _dcg(gains: list[int]) -> float:
    return sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(gains))
