"""Phrase queries narrowed by the postings' adjacent pairs (search/exact.py) match what Whoosh alone matches."""

from __future__ import annotations

import random
import re

import numpy as np
import pytest
from conftest import article, copy_docs

from kb_tools.content.model import load_collection
from kb_tools.search import build_index, storage
from kb_tools.search.generation import load
from kb_tools.search.syntax import parse_exact

_WORD = re.compile(r"[\w-]+")


@pytest.fixture(scope="module", params=["full build", "after updates"])
def loaded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    """A loaded generation of the sample KB, built in full, or updated in place (an article edited,
    one deleted, one added: the phrase flow of the kept articles is carried over, renumbered)."""
    root = tmp_path_factory.mktemp("exact")
    docs = copy_docs(root)
    build_index(docs, root / "ix", semantic=False)
    if request.param == "after updates":
        edited = docs / "homehub/wifi-keeps-dropping.md"
        edited.write_text(edited.read_text(encoding="utf-8").replace("cupboards", "wardrobes and cupboards"),
                          encoding="utf-8")
        (docs / "app/run-a-speed-test.md").unlink()
        (docs / "app/speed-check.md").write_text(article("Check your speed", body="Run the speed check in the app."),
                                                  encoding="utf-8")
        assert build_index(docs, root / "ix", semantic=False).full_rebuild is False
    return load(storage.open_generation(root / "ix"), root / "ix"), load_collection(docs)


def exact_queries(collection, count: int) -> list[str]:  # noqa: ANN001 - a Collection
    """Runs of 2-5 words from the articles' text, on-screen labels, and both combined with AND, OR and NOT."""
    r = random.Random(3)
    articles = [a for a in collection.articles if a.meta.type != "page"]
    phrases, labels = [], []
    for _ in range(count):
        words = _WORD.findall(r.choice(articles).text())
        start = r.randrange(max(1, len(words) - 5))
        phrases.append('"' + " ".join(words[start:start + r.randint(2, 5)]) + '"')
        found = [label for step in r.choice(articles).steps() for label in step.labels]
        if found:
            labels.append(f'label:"{r.choice(found)}"')
    mixed = [f"{a} OR {b}" for a, b in zip(phrases, labels, strict=False)][:20]
    mixed += [f"{a} NOT {b}" for a, b in zip(phrases, phrases[1:], strict=False)][:20]
    mixed += [f"{a} title:wifi" for a in phrases][:10]
    return phrases + labels + mixed + ['"card declined" OR title:refund', '"my internet keeps"~3',
                                       '"wardrobes and cupboards"', '"speed check in the app"', 'title:"Run a speed test"']


def test_narrowed_phrase_matching_gives_whoosh_own_answer(loaded):  # noqa: ANN001
    generation, collection = loaded
    queries = exact_queries(collection, 120)
    seen_matches = 0
    for text in queries:
        exact = parse_exact(text, generation.store.schema)
        if exact is None:
            continue  # stop words only: everyday words, not a phrase
        ours = generation.exact_matches(exact)
        number_of = generation.postings.number_of
        live = generation.store.live_paths()
        whoosh = np.unique([number_of[live[doc]] for doc in generation.store.matching(exact.query)])
        assert ours.tolist() == whoosh.tolist(), text
        seen_matches += bool(len(ours))
    assert seen_matches > len(queries) // 2  # the queries are not all misses
