"""Section vectors: the semantic half of an index generation.

    gen-000007/
      vectors.npy    float32 (rows, dimensions), L2-normalised; searchers read it into memory
      vectors.json   {"model": <model sha256>, "rows": [[article path, section number, text hash], ...]}

They live inside the generation, so the atomic switch, the incremental update and the damage
checks cover them with the Whoosh files. Rows of one article are contiguous. An update never
writes into a file it inherited (those are hard links shared with the live generation): it
writes new files and renames them into place.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

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

    def __init__(self, matrix: np.ndarray, rows: list[list], model: str) -> None:
        self.matrix = matrix
        self.rows = rows
        self.model = model
        self.paths: list[str] = []
        starts: list[int] = []
        for index, row in enumerate(rows):
            if not self.paths or self.paths[-1] != row[0]:
                self.paths.append(row[0])
                starts.append(index)
        self.starts = np.array(starts, dtype=np.int64)  # each article's first row (rows are grouped by article)
        self.spans = {path: (start, end) for path, start, end in
                      zip(self.paths, starts, [*starts[1:], len(rows)], strict=False)}

    @classmethod
    def open(cls, directory: Path, *, mmap: bool = True) -> VectorStore | None:
        """The vectors in `directory`, or None when the generation has none (model unavailable)."""
        try:
            described = json.loads((directory / ROWS_FILE).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        matrix = np.load(directory / VECTORS_FILE, mmap_mode="r" if mmap else None)
        if matrix.shape[0] != len(described["rows"]):
            raise ValueError(f"{VECTORS_FILE} has {matrix.shape[0]} rows, {ROWS_FILE} lists {len(described['rows'])}")
        return cls(matrix, described["rows"], described["model"])

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def nbytes(self) -> int:
        return int(self.matrix.nbytes)

    def similarities(self, query: np.ndarray) -> Similarities:
        """Cosine of every section to the query vector (both are L2-normalised)."""
        scores = self.matrix @ query if len(self.rows) else np.zeros(0, dtype=np.float32)
        return Similarities(self, np.asarray(scores, dtype=np.float32))


class Similarities:
    """One query's cosine to every section, read per article."""

    def __init__(self, store: VectorStore, scores: np.ndarray) -> None:
        self.store = store
        self.scores = scores
        self._best = (np.maximum.reduceat(scores, store.starts) if len(scores)
                      else np.zeros(0, dtype=np.float32))

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
        return {int(self.store.rows[i][1]): float(self.scores[i]) for i in range(start, end)}


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
    kept_rows: list[list] = []
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
    rows = kept_rows + [[s.path, s.number, s.digest] for s in sections]
    vectors = kept + [reusable[s.digest] if s.digest in reusable else embedded[s.digest] for s in sections]
    dimensions = old.matrix.shape[1] if old is not None and len(old.rows) else (len(vectors[0]) if vectors else 0)
    matrix = np.vstack(vectors).astype(np.float32) if vectors else np.zeros((0, dimensions), dtype=np.float32)
    replace_file(directory / VECTORS_FILE, lambda handle: np.save(handle, matrix))
    replace_file(directory / ROWS_FILE, lambda handle: handle.write(json.dumps({"model": model, "rows": rows}).encode()))
    return len(fresh)


def remove_vectors(directory: Path) -> None:
    """Drop inherited vectors (a build without the model must not keep stale ones)."""
    for name in (VECTORS_FILE, ROWS_FILE):
        (directory / name).unlink(missing_ok=True)
