"""Relevance benchmark: `kb` search against plain Whoosh on a judged query set, in one run.

    python bench/relevance.py [--docs ../shared/corpora/arduino-help] [--queries ../shared/eval/arduino-dev-queries.tsv]

Plain Whoosh is the baseline the issue names: StemmingAnalyzer, title + body, OR of the words,
default BM25F. Both are scored by the same `kb_tools.search.evaluate` code.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.analysis import StemmingAnalyzer
from whoosh.fields import ID, STORED, TEXT, Schema
from whoosh.qparser import MultifieldParser, OrGroup

from kb_tools import load_collection
from kb_tools.search import Searcher, build_index
from kb_tools.search.evaluate import evaluate, read_queries
from kb_tools.search.searcher import Hit

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


def plain_whoosh(docs: Path, where: Path):  # noqa: ANN201 - returns a search function
    """The baseline: one document per article, title + body, OR query parser."""
    schema = Schema(path=ID(stored=True), title=TEXT(analyzer=StemmingAnalyzer()),
                    body=TEXT(analyzer=StemmingAnalyzer()), url=STORED())
    ix = whoosh_index.create_in(str(where), schema)
    with ix.writer() as writer:
        for article in load_collection(docs):
            writer.add_document(path=article.path, title=article.title, body=article.text())
    searcher = ix.searcher()
    parser = MultifieldParser(["title", "body"], schema, group=OrGroup)

    def search(text: str) -> list[Hit]:
        results = searcher.search(parser.parse(text), limit=10)
        return [Hit(r["path"], "", "", "", "", "", "", "", "both", "", r.score, "") for r in results]

    return search


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=Path, default=SHARED / "corpora" / "arduino-help")
    parser.add_argument("--queries", type=Path, default=SHARED / "eval" / "arduino-dev-queries.tsv")
    args = parser.parse_args()
    if not args.docs.is_dir() or not args.queries.is_file():
        sys.exit(f"skipped: {args.docs} or {args.queries} is absent (they live in ../shared).")
    queries = read_queries(args.queries)
    with tempfile.TemporaryDirectory() as tmp:
        build_index(args.docs, Path(tmp) / "kb")
        kb = Searcher(Path(tmp) / "kb")
        (Path(tmp) / "plain").mkdir()
        systems = {"plain whoosh": plain_whoosh(args.docs, Path(tmp) / "plain"),
                   "kb": lambda text: kb.search(text, limit=10).hits}
        print(f"{len(queries)} queries from {args.queries.name} over {args.docs.name}")
        print(f"{'system':<14}{'MRR@10':>8}{'nDCG@10':>9}{'R@10':>7}{'P@1':>6}{'ms/query':>10}")
        results = {}
        for name, search in systems.items():
            started = time.perf_counter()
            report = evaluate(queries, search)
            elapsed = (time.perf_counter() - started) * 1000 / len(queries)
            m = report.metrics
            results[name] = m
            print(f"{name:<14}{m['mrr@10']:>8.3f}{m['ndcg@10']:>9.3f}{m['recall@10']:>7.3f}{m['p@1']:>6.3f}{elapsed:>10.1f}")
        ratio = results["kb"]["mrr@10"] / max(results["plain whoosh"]["mrr@10"], 1e-9)
        print(f"kb / plain whoosh MRR@10: {ratio:.2f}x")


if __name__ == "__main__":
    main()
