"""Relevance benchmark: `kb` search against plain Whoosh and Material's lunr search, in one run.

    python bench/relevance.py [--docs ../shared/corpora/arduino-help] [--queries FILE ...] [--index DIR]

By default two query sets, side by side: the dev set (../shared/eval/arduino-dev-queries.tsv,
which the ranking was tuned on) and our own set written in customers' words that nothing is ever
tuned on (bench/queries/arduino-own.tsv). A change counts only if the untuned set improves too.

The baselines:
- plain Whoosh (bench/plain_whoosh.py), the one the issue names: StemmingAnalyzer, title + body,
  OR of the words, default BM25F;
- lunr (bench/material_lunr.py), the search a Material site has out of the box: a real
  `mkdocs build` with the `search` plugin, answered by the search worker mkdocs-material ships
  (lunr.js, Material's defaults), run under node; skipped with a message when node is absent.
All are scored by the same `kb_tools.search.evaluate` code. Target: kb/lunr MRR@10 >= 1.4x.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from kb_tools import load_collection
from kb_tools.search import Searcher, build_index
from kb_tools.search.evaluate import Judged, evaluate, read_queries
from kb_tools.search.searcher import Hit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from material_lunr import MaterialSearch, build_search_index, node_missing  # noqa: E402  (sibling scripts)
from plain_whoosh import PlainWhoosh  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
TARGET_OVER_LUNR = 1.4  # kb's MRR@10 over Material's lunr search


def measure(name: str, search: Callable[[str], list[Hit]], queries: list[Judged]) -> dict[str, float]:
    """Evaluate one system and print its row."""
    started = time.perf_counter()
    m = evaluate(queries, search).metrics
    elapsed = (time.perf_counter() - started) * 1000 / len(queries)
    print(f"{name:<14}{m['mrr@10']:>8.3f}{m['ndcg@10']:>9.3f}{m['recall@10']:>7.3f}{m['p@1']:>6.3f}{elapsed:>10.1f}")
    return m


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=Path, default=SHARED / "corpora" / "arduino-help")
    parser.add_argument("--queries", type=Path, nargs="+",
                        default=[SHARED / "eval" / "arduino-dev-queries.tsv", ROOT / "bench" / "queries" / "arduino-own.tsv"])
    parser.add_argument("--index", type=Path, help="a kb index of --docs to update and reuse (embedding the "
                        "corpus takes minutes; later runs only re-embed what changed)")
    args = parser.parse_args()
    missing = [str(p) for p in (args.docs, *args.queries) if not p.exists()]
    if missing:
        sys.exit(f"skipped: {', '.join(missing)} absent (the corpus and dev set live in ../shared).")
    query_sets = {path.name: read_queries(path) for path in args.queries}
    no_lunr = node_missing()
    with tempfile.TemporaryDirectory() as tmp:
        index = args.index or Path(tmp) / "kb"
        build_index(args.docs, index)
        kb = Searcher(index)
        plain = PlainWhoosh.build(load_collection(args.docs), Path(tmp) / "plain")
        systems: dict[str, Callable[[str], list[Hit]]] = {
            "plain whoosh": plain.search,
            "kb": lambda text: kb.search(text, limit=10).hits,  # hybrid, the default
            "kb lexical": lambda text: kb.search(text, limit=10, mode="lexical").hits,
            "kb semantic": lambda text: kb.search(text, limit=10, mode="semantic").hits,
        }
        lunr = None if no_lunr else MaterialSearch(build_search_index(args.docs, Path(tmp) / "material"), args.docs)
        if lunr is not None:
            systems["lunr"] = lunr.search
        results_by_set = {}
        for set_name, queries in query_sets.items():
            print(f"\n{len(queries)} queries from {set_name} over {args.docs.name}")
            print(f"{'system':<14}{'MRR@10':>8}{'nDCG@10':>9}{'R@10':>7}{'P@1':>6}{'ms/query':>10}")
            results_by_set[set_name] = {name: measure(name, search, queries) for name, search in systems.items()}
        if lunr is not None:
            lunr.close()
        kb.close()
        plain.close()
    print()
    for set_name, results in results_by_set.items():
        ratio = results["kb"]["mrr@10"] / max(results["plain whoosh"]["mrr@10"], 1e-9)
        print(f"{set_name}: kb / plain whoosh MRR@10: {ratio:.2f}x")
        if no_lunr:
            print(f"{set_name}: kb / lunr MRR@10: skipped ({no_lunr})")
            continue
        ratio = results["kb"]["mrr@10"] / max(results["lunr"]["mrr@10"], 1e-9)
        verdict = "PASS" if ratio >= TARGET_OVER_LUNR else "MISS"
        print(f"{set_name}: kb / lunr MRR@10: {ratio:.2f}x (target >= {TARGET_OVER_LUNR}x): {verdict}")


if __name__ == "__main__":
    main()
