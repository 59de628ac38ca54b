"""kb_tools.search.vectors: the rows stored as columns, index format 16's rows still read, reuse on update."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from kb_tools.search.vectors import ROWS_FILE, Embed, SectionText, VectorStore, update_vectors
from kb_tools.semantic import Embedder, ModelUnavailableError

SECTIONS = [SectionText("router.md", 1, "Restart the router. Unplug it for ten seconds."),
            SectionText("router.md", 2, "Check the lights. The Wi-Fi light should be steady."),
            SectionText("billing.md", 1, "Pay a bill. Open Billing and choose Pay now."),
            SectionText("password.md", 1, "Reset your password from the sign-in page."),
            SectionText("password.md", 3, "Still locked out? Hand the call to Accounts.")]


@pytest.fixture(scope="module")
def embed() -> Embed:
    try:
        return Embedder.load().embed
    except ModelUnavailableError as exc:
        pytest.skip(str(exc))


def test_rows_are_stored_as_columns_and_read_back_per_article(tmp_path: Path, embed: Embed) -> None:
    assert update_vectors(tmp_path, SECTIONS, set(), model="m", embed=embed) == 5
    described = json.loads((tmp_path / ROWS_FILE).read_text())
    assert described == {"model": "m", "paths": ["router.md", "billing.md", "password.md"], "counts": [2, 1, 2],
                         "numbers": [1, 2, 1, 1, 3], "digests": [s.digest for s in SECTIONS]}
    store = VectorStore.open(tmp_path)
    assert store is not None and len(store) == 5
    assert store.spans == {"router.md": (0, 2), "billing.md": (2, 3), "password.md": (3, 5)}
    assert store.rows == [(s.path, s.number, s.digest) for s in SECTIONS]
    similarities = store.similarities(embed(["I forgot my password"])[0])
    assert similarities.top_articles(1)[0][0] == "password.md"
    assert set(similarities.sections("password.md")) == {1, 3}


def test_index_format_16s_rows_read_the_same(tmp_path: Path, embed: Embed) -> None:
    # A full rebuild after an upgrade reuses the vectors of the live generation, whatever its format.
    update_vectors(tmp_path, SECTIONS, set(), model="m", embed=embed)
    columns = VectorStore.open(tmp_path)
    (tmp_path / ROWS_FILE).write_text(json.dumps({"model": "m", "rows": [[s.path, s.number, s.digest]
                                                                          for s in SECTIONS]}))
    legacy = VectorStore.open(tmp_path)
    assert columns is not None and legacy is not None
    assert (legacy.paths, legacy.spans, legacy.rows, legacy.model) == (columns.paths, columns.spans, columns.rows, "m")
    np.testing.assert_array_equal(legacy.starts, columns.starts)
    (tmp_path / "next").mkdir()
    assert update_vectors(tmp_path / "next", SECTIONS, set(), model="m", embed=embed, previous=tmp_path) == 0


def test_an_update_embeds_only_changed_text_and_keeps_articles_grouped(tmp_path: Path, embed: Embed) -> None:
    update_vectors(tmp_path, SECTIONS, set(), model="m", embed=embed)
    before = VectorStore.open(tmp_path, mmap=False)
    edited = [SectionText("router.md", 1, SECTIONS[0].text), SectionText("router.md", 2, "Check the lights again.")]
    assert update_vectors(tmp_path, edited, {"router.md"}, model="m", embed=embed) == 1
    after = VectorStore.open(tmp_path)
    assert before is not None and after is not None
    assert after.paths == ["billing.md", "password.md", "router.md"]
    assert after.spans["router.md"] == (3, 5)
    np.testing.assert_array_equal(after.matrix[3], before.matrix[0])  # unchanged text: the same vector, reused
    assert not np.array_equal(after.matrix[4], before.matrix[1])
