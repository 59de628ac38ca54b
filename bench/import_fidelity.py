"""Import fidelity: searching an imported help centre finds what searching the raw corpus finds.

    python bench/import_fidelity.py [--docs ../shared/corpora/arduino-help] [--queries ...dev-queries.tsv]
                                    [--mode hybrid|lexical] [--work DIR]

`kb import`s the corpus, indexes the raw corpus and the imported docs, and scores the judged
queries on both, judged by article title (paths change on import: each hit is mapped back to
its source article's title). Target: |MRR@10 imported - raw| <= 0.02.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from kb_tools.content.importer import import_help_centre
from kb_tools.content.importer.sources import find_sources, read_source
from kb_tools.search import Searcher, build_index
from kb_tools.search.evaluate import Judged, evaluate, read_queries
from kb_tools.search.searcher import Hit

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
TARGET_GAP = 0.02


def title_judged(queries: list[Judged], titles: dict[str, str]) -> list[Judged]:
    """The judgments keyed by title instead of path (anchors dropped, best grade kept)."""
    judged = []
    for query in queries:
        relevant: dict[str, int] = {}
        for key, grade in query.relevant.items():
            title = titles[key.split("#", 1)[0]]
            relevant[title] = max(grade, relevant.get(title, 0))
        judged.append(Judged(query.qid, query.query, relevant))
    return judged


def by_title(search: Callable[[str], list[Hit]], titles: dict[str, str]) -> Callable[[str], list[Hit]]:
    """A search whose hits are named by their source article's title."""
    return lambda text: [replace(hit, path=titles.get(hit.path, hit.title), anchor="") for hit in search(text)]


def compare(docs: Path, queries_file: Path, work: Path, *, semantic: bool, mode: str) -> dict[str, float]:
    """MRR@10 of the raw corpus and of its import, both judged by title."""
    source_titles = {str(read_source(p, docs).relative): read_source(p, docs).title for p in find_sources(docs)}
    report = import_help_centre(docs, work / "imported" / "docs")
    imported_titles = {a.path: source_titles[a.source] for a in report.articles}
    queries = title_judged(read_queries(queries_file), source_titles)
    scores = {}
    for name, folder, titles in (("raw", docs, source_titles), ("imported", work / "imported" / "docs", imported_titles)):
        build_index(folder, work / f"{name}-index", semantic=semantic)
        searcher = Searcher(work / f"{name}-index")
        try:
            search = by_title(lambda text, s=searcher: s.search(text, limit=10, mode=mode).hits, titles)
            scores[name] = evaluate(queries, search).metrics["mrr@10"]
        finally:
            searcher.close()
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=Path, default=SHARED / "corpora" / "arduino-help")
    parser.add_argument("--queries", type=Path, default=SHARED / "eval" / "arduino-dev-queries.tsv")
    parser.add_argument("--mode", choices=["hybrid", "lexical"], default="hybrid")
    parser.add_argument("--work", type=Path, help="keep the import and the indexes here (default: a temporary folder)")
    args = parser.parse_args()
    if not args.docs.is_dir() or not args.queries.is_file():
        sys.exit(f"skipped: {args.docs} or {args.queries} is absent (they live in ../shared).")
    with tempfile.TemporaryDirectory() as tmp:
        work = args.work or Path(tmp)
        scores = compare(args.docs, args.queries, work, semantic=args.mode == "hybrid", mode=args.mode)
    gap = scores["imported"] - scores["raw"]
    print(f"load average {os.getloadavg()[0]:.2f}; mode {args.mode}; judged by title")
    print(f"MRR@10 raw corpus {scores['raw']:.3f}, imported {scores['imported']:.3f}, "
          f"difference {gap:+.3f} (target within {TARGET_GAP})")


if __name__ == "__main__":
    main()
