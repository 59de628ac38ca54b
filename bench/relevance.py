"""Relevance benchmark: the levers of the semantic half, side by side, on tuned and untuned query sets.

    python bench/relevance.py [--levers int8 float32 ...] [--docs ../shared/corpora/arduino-help]
    python bench/relevance.py --baselines      # kb against plain Whoosh and Material's lunr search

Each lever builds its own indexes (in a child process, so each loads only its model) of the Arduino
help centre and of the sample KB (docs/), and answers four query sets with `kb` hybrid search:
- dev: ../shared/eval/arduino-dev-queries.tsv, which the ranking was tuned on;
- own, own-2: bench/queries/arduino-own.tsv and arduino-own-2.tsv, customers' words written without
  reading the dev set; nothing is ever tuned on them, and a lever counts only if they improve;
- sample: tests/sample-queries.tsv over docs/ (the only corpus with summaries and customer phrases).
The table gives MRR@10, P@1 and recall@10 for each, and the sections/s of the lever's Arduino build,
with the load average beside it (the machine is shared; compare ratios within one run).

Levers: int8 (the default: model-int8.onnx, 8-bit linear layers; section = title, heading, text),
float32 (model.onnx, the default before it), enriched (the section text prefixed with the article's
summary and customer phrases), title-row (one more row per article: its title, summary and customer
phrases), and those two with float32. A stronger embedding model and a cross-encoder are not levers here: no
registry package carries their upstream-verifiable weights (docs/decisions/embedding-model.md).

--baselines compares kb with plain Whoosh (bench/plain_whoosh.py) and Material's lunr search
(bench/material_lunr.py, run under node; skipped when node is absent). Target: kb/lunr MRR@10 >= 1.4x.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
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
ARDUINO = SHARED / "corpora" / "arduino-help"
TARGET_OVER_LUNR = 1.4  # kb's MRR@10 over Material's lunr search
QUERY_SETS = {  # name: (query file, corpus)
    "dev": (SHARED / "eval" / "arduino-dev-queries.tsv", ARDUINO),
    "own": (ROOT / "bench" / "queries" / "arduino-own.tsv", ARDUINO),
    "own-2": (ROOT / "bench" / "queries" / "arduino-own-2.tsv", ARDUINO),
    "sample": (ROOT / "tests" / "sample-queries.tsv", ROOT / "docs"),
}
LEVERS = {  # name: (KB_MODEL_BUILD, what is embedded: "sections", "enriched" or "title-row")
    "int8": ("int8", "sections"),
    "float32": ("float32", "sections"),
    "enriched": ("int8", "enriched"),
    "enriched-float32": ("float32", "enriched"),
    "title-row": ("int8", "title-row"),
    "title-row-float32": ("float32", "title-row"),
}
METRICS = ("mrr@10", "p@1", "recall@10")


def load_average() -> str:
    return "load average " + " ".join(f"{value:.2f}" for value in os.getloadavg())


def measure_lever(name: str) -> dict:
    """Run in the lever's own process: build its indexes, answer every query set, return the figures."""
    if LEVERS[name][1] != "sections":
        _change_section_texts(LEVERS[name][1])
    figures: dict = {"sets": {}}
    with tempfile.TemporaryDirectory() as tmp:
        searchers = {}
        for corpus in dict.fromkeys(corpus for _, corpus in QUERY_SETS.values()):
            stats = build_index(corpus, Path(tmp) / corpus.name)
            if stats.semantic:
                raise SystemExit(f"lever {name}: the model is unavailable ({stats.semantic})")
            if corpus == ARDUINO:
                figures["sections_per_s"] = stats.embedded / max(stats.embed_seconds, 1e-9)
                figures["load"] = load_average()
            searchers[corpus] = Searcher(Path(tmp) / corpus.name)
        for set_name, (path, corpus) in QUERY_SETS.items():
            queries = read_queries(path)
            searcher = searchers[corpus]
            figures["sets"][set_name] = {
                "hybrid": evaluate(queries, lambda text, s=searcher: s.search(text, limit=10).hits).metrics,
                "lexical": evaluate(queries, lambda text, s=searcher: s.search(text, limit=10, mode="lexical").hits).metrics,
            }
        for searcher in searchers.values():
            searcher.close()
    return figures


def _change_section_texts(how: str) -> None:
    """Swapped in for this lever's process only, to measure it:
    - enriched: every section's embedded text starts with its article's summary and customer
      phrases (the title is already there);
    - title-row: each article gets one more row, its title, summary and customer phrases, so an
      article is as close to a query as its best section or its own description."""
    from kb_tools.search import documents
    from kb_tools.search.vectors import SectionText

    plain = documents.section_texts

    def changed(article):  # type: ignore[no-untyped-def]
        context = ". ".join(part for part in (article.meta.summary, *article.meta.customer_says) if part)
        sections = plain(article)
        if how == "enriched":
            return [SectionText(s.path, s.number, f"{context}. {s.text}" if context else s.text) for s in sections]
        described = ". ".join(part for part in (article.title, context) if part)
        return [*sections, SectionText(article.path, -1, described)] if sections else sections

    documents.section_texts = changed  # type: ignore[assignment]


def run_levers(levers: list[str]) -> None:
    missing = [str(path) for path, _ in QUERY_SETS.values() if not path.exists()]
    if missing or not ARDUINO.exists():
        sys.exit(f"skipped: {', '.join(missing) or ARDUINO} absent (the corpus and dev set live in ../shared).")
    print(f"{' '.join(f'{k}: {len(read_queries(p))} queries' for k, (p, _) in QUERY_SETS.items())}; hybrid search")
    results = {}
    for name in levers:
        started = time.perf_counter()
        env = {**os.environ, "KB_MODEL_BUILD": LEVERS[name][0]}
        done = subprocess.run([sys.executable, __file__, "--one", name], env=env, capture_output=True, text=True,
                              check=False)
        if done.returncode != 0:
            sys.exit(f"lever {name} failed:\n{done.stderr.strip()}")
        results[name] = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"  {name}: {time.perf_counter() - started:.0f} s", file=sys.stderr)
    header = f"{'lever':<15}" + "".join(f"{s + ' ' + m:>17}" for s in QUERY_SETS for m in ("MRR", "P@1", "R@10"))
    print(header.replace(" MRR", " MRR@10"))
    first = next(iter(results.values()))
    rows = [("lexical", {s: first["sets"][s]["lexical"] for s in QUERY_SETS})]
    rows += [(name, {s: r["sets"][s]["hybrid"] for s in QUERY_SETS}) for name, r in results.items()]
    for name, by_set in rows:
        cells = "".join(f"{by_set[s][m]:>17.3f}" for s in QUERY_SETS for m in METRICS)
        print(f"{name:<18}{cells}")
    print()
    base = results.get("float32")
    for name, figures in results.items():
        ratio = f", {figures['sections_per_s'] / base['sections_per_s']:.2f}x float32" if base else ""
        print(f"{name:<18}embedding {figures['sections_per_s']:.0f} sections/s{ratio} ({figures['load']})")


def measure(name: str, search: Callable[[str], list[Hit]], queries: list[Judged]) -> dict[str, float]:
    """Evaluate one system and print its row."""
    started = time.perf_counter()
    m = evaluate(queries, search).metrics
    elapsed = (time.perf_counter() - started) * 1000 / len(queries)
    print(f"{name:<14}{m['mrr@10']:>8.3f}{m['ndcg@10']:>9.3f}{m['recall@10']:>7.3f}{m['p@1']:>6.3f}{elapsed:>10.1f}")
    return m


def run_baselines(docs: Path, query_files: list[Path], index: Path | None) -> None:
    missing = [str(p) for p in (docs, *query_files) if not p.exists()]
    if missing:
        sys.exit(f"skipped: {', '.join(missing)} absent (the corpus and dev set live in ../shared).")
    query_sets = {path.name: read_queries(path) for path in query_files}
    no_lunr = node_missing()
    with tempfile.TemporaryDirectory() as tmp:
        index = index or Path(tmp) / "kb"
        build_index(docs, index)
        kb = Searcher(index)
        plain = PlainWhoosh.build(load_collection(docs), Path(tmp) / "plain")
        systems: dict[str, Callable[[str], list[Hit]]] = {
            "plain whoosh": plain.search,
            "kb": lambda text: kb.search(text, limit=10).hits,  # hybrid, the default
            "kb lexical": lambda text: kb.search(text, limit=10, mode="lexical").hits,
            "kb semantic": lambda text: kb.search(text, limit=10, mode="semantic").hits,
        }
        lunr = None if no_lunr else MaterialSearch(build_search_index(docs, Path(tmp) / "material"), docs)
        if lunr is not None:
            systems["lunr"] = lunr.search
        results_by_set = {}
        for set_name, queries in query_sets.items():
            print(f"\n{len(queries)} queries from {set_name} over {docs.name}")
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--levers", nargs="+", choices=list(LEVERS), default=list(LEVERS))
    parser.add_argument("--one", choices=list(LEVERS), help=argparse.SUPPRESS)  # a lever's child process
    parser.add_argument("--baselines", action="store_true", help="kb against plain Whoosh and lunr instead")
    parser.add_argument("--docs", type=Path, default=ARDUINO, help="with --baselines: the corpus")
    parser.add_argument("--queries", type=Path, nargs="+", help="with --baselines: the query files",
                        default=[QUERY_SETS[name][0] for name in ("dev", "own", "own-2")])
    parser.add_argument("--index", type=Path, help="with --baselines: a kb index of --docs to update and reuse")
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure_lever(args.one)))
    elif args.baselines:
        run_baselines(args.docs, args.queries, args.index)
    else:
        print(f"{time.strftime('%Y-%m-%d %H:%M')} {load_average()} at the start")
        run_levers(args.levers)


if __name__ == "__main__":
    main()
