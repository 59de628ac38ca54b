"""Section vectors: the semantic half of an index generation.

    gen-000007/
      vectors.npy    float32 (rows, dimensions), L2-normalised; searchers read it into memory
      vectors.json   {"model": <model sha256>, "paths": [article path, ...], "counts": [its rows, ...],
                      "numbers": [each row's section number, ...], "digests": [its text hash, ...]}

They live inside the generation, so the atomic switch, the incremental update and the damage
checks cover them with the Whoosh files. Rows of one article are contiguous, articles in the order
of "paths". The rows are stored as columns because a cold search reads them before its first
answer: 56,000 rows parse several times faster than as a list per row ("rows": [[path, number,
hash], ...], index format 16 and before; still read, so a rebuild reuses those vectors too). An
update never writes into a file it inherited (those are hard links shared with the
live generation): it writes new files and renames them into place.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kb_tools.search.storage import replace_file

VECTORS_FILE = "vectors.npy"
ROWS_FILE = "vectors.json"
_BATCH = 256  # texts per embed call: the model sorts each call by length, so bigger calls pad less

Embed = Callable[[Sequence[str]], np.ndarray]
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class SectionText:
    """What is embedded for one section: article title, heading and text, markup stripped."""

    path: str
    number: int
    text: str

    @functools.cached_property  # asked several times per section by update_vectors
    def digest(self) -> str:
        return hashlib.sha1(self.text.encode("utf-8")).hexdigest()[:16]


def embedding_text(title: str, heading: str, text: str) -> str:
    return ". ".join(part for part in (title, heading, text) if part)


class VectorStore:
    """The section vectors of one generation, read-only."""

    def __init__(self, matrix: np.ndarray, columns: dict[str, Any]) -> None:
        self.matrix = matrix
        self.model: str = columns["model"]
        self.paths: list[str] = columns["paths"]
        self.numbers: list[int] = columns["numbers"]
        self.digests: list[str] = columns["digests"]
        counts = np.asarray(columns["counts"], dtype=np.int64)
        ends = np.cumsum(counts)
        self.starts = ends - counts  # each article's first row
        self.spans = dict(zip(self.paths, zip(self.starts.tolist(), ends.tolist(), strict=True), strict=True))

    @classmethod
    def open(cls, directory: Path, *, mmap: bool = True) -> VectorStore | None:
        """The vectors in `directory`, or None when the generation has none (model unavailable)."""
        try:
            described = json.loads((directory / ROWS_FILE).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        if "rows" in described:  # index format 16 or before
            described = _columns(described["model"], described["rows"])
        matrix = np.load(directory / VECTORS_FILE, mmap_mode="r" if mmap else None)
        if matrix.shape[0] != len(described["numbers"]):
            raise ValueError(f"{VECTORS_FILE} has {matrix.shape[0]} rows, {ROWS_FILE} lists {len(described['numbers'])}")
        return cls(matrix, described)

    @functools.cached_property  # only an update needs them
    def rows(self) -> list[tuple[str, int, str]]:
        """(article path, section number, text hash) of every row, in order."""
        owners = [path for path, (start, end) in self.spans.items() for _ in range(end - start)]
        return list(zip(owners, self.numbers, self.digests, strict=True))

    def __len__(self) -> int:
        return len(self.numbers)

    @property
    def nbytes(self) -> int:
        return int(self.matrix.nbytes)

    def similarities(self, query: np.ndarray) -> Similarities:
        """Cosine of every section to the query vector (both are L2-normalised)."""
        scores = self.matrix @ query if len(self) else np.zeros(0, dtype=np.float32)
        return Similarities(self, np.asarray(scores, dtype=np.float32))


class Similarities:
    """One query's cosine to every section, read per article."""

    def __init__(self, store: VectorStore, scores: np.ndarray) -> None:
        self.store = store
        self.scores = scores
        self._best = (np.maximum.reduceat(scores, store.starts) if len(scores)
                      else np.zeros(0, dtype=np.float32))

    @property
    def per_article(self) -> np.ndarray:
        """Each article's best section similarity, in the order of `store.paths`."""
        return self._best

    def top_articles(self, count: int) -> list[tuple[str, float]]:
        """The `count` articles with the most similar section, best first."""
        count = min(count, len(self._best))
        if count <= 0:
            return []
        top = np.argpartition(-self._best, count - 1)[:count]
        top = top[np.argsort(-self._best[top])]
        return [(self.store.paths[i], float(self._best[i])) for i in top]

    def article(self, path: str) -> float:
        """The article's best section similarity (0 when it has no vectors)."""
        span = self.store.spans.get(path)
        return float(self.scores[span[0]:span[1]].max()) if span else 0.0

    def sections(self, path: str) -> dict[int, float]:
        """Section number -> similarity, for one article."""
        start, end = self.store.spans.get(path, (0, 0))
        return {int(self.store.numbers[i]): float(self.scores[i]) for i in range(start, end)}


def update_vectors(directory: Path, sections: Sequence[SectionText], replaced: set[str], *, model: str,
                   embed: Embed, previous: Path | None = None, progress: Progress | None = None) -> int:
    """Rewrite `directory`'s vectors: drop the articles in `replaced`, add `sections`.

    Sections whose text is unchanged keep their vector; only new text is embedded. A full
    rebuild passes the live generation as `previous`: nothing is kept from it, but its vectors
    are reused for unchanged text. Returns how many sections were embedded.
    """
    old = VectorStore.open(previous or directory, mmap=False)
    if previous is not None and old is not None:
        replaced = set(old.paths)
    if old is not None and old.model != model:
        old = None  # another model's vectors cannot be mixed with this one's
    kept_rows: list[tuple[str, int, str]] = []
    kept: list[np.ndarray] = []
    reusable: dict[str, np.ndarray] = {}
    if old is not None:
        for index, row in enumerate(old.rows):
            if row[0] in replaced:
                reusable[row[2]] = old.matrix[index]
            else:
                kept_rows.append(row)
                kept.append(old.matrix[index])
    fresh = [s for s in sections if s.digest not in reusable]
    embedded: dict[str, np.ndarray] = {}
    for start in range(0, len(fresh), _BATCH):
        batch = fresh[start:start + _BATCH]
        for section, vector in zip(batch, embed([s.text for s in batch]), strict=False):
            embedded[section.digest] = vector
        if progress:
            progress(min(start + _BATCH, len(fresh)), len(fresh))
    rows = kept_rows + [(s.path, s.number, s.digest) for s in sections]
    vectors = kept + [reusable[s.digest] if s.digest in reusable else embedded[s.digest] for s in sections]
    dimensions = old.matrix.shape[1] if old is not None and len(old) else (len(vectors[0]) if vectors else 0)
    matrix = np.vstack(vectors).astype(np.float32) if vectors else np.zeros((0, dimensions), dtype=np.float32)
    replace_file(directory / VECTORS_FILE, lambda handle: np.save(handle, matrix))
    replace_file(directory / ROWS_FILE, lambda handle: handle.write(json.dumps(_columns(model, rows)).encode()))
    return len(fresh)


def _columns(model: str, rows: Sequence[Sequence[Any]]) -> dict[str, Any]:
    """vectors.json's content for rows of (article path, section number, text hash), grouped by article."""
    paths: list[str] = []
    counts: list[int] = []
    for row in rows:
        if paths and paths[-1] == row[0]:
            counts[-1] += 1
        else:
            paths.append(row[0])
            counts.append(1)
    return {"model": model, "paths": paths, "counts": counts, "numbers": [row[1] for row in rows],
            "digests": [row[2] for row in rows]}


def remove_vectors(directory: Path) -> None:
    """Drop inherited vectors (a build without the model must not keep stale ones)."""
    for name in (VECTORS_FILE, ROWS_FILE):
        (directory / name).unlink(missing_ok=True)
