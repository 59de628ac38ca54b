"""Embedding benchmark: model load time, one-query latency, and indexing throughput of each build.

    python bench/embedding.py [--sections 500] [--threads 2] [--rounds 2] [--builds float32 int8]

Queries are the callers' words of tests/sample-queries.tsv, embedded one at a time as a search
would; sections are the docs/ articles' sections (title, heading and text, as an index would
embed them), then those of ../shared/corpora/arduino-help, up to --sections. The builds take turns
(--rounds times each) so a change in the machine's load hits them alike; the ratios against
float32 (model.onnx, the default until int8 replaced it) are the figures to compare, with the load
average beside them. Target: the default build >= 120 sections/s (float32 did 69/s on an idle machine).
Needs the model: `python -m kb_tools.semantic.fetch`.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import time
from pathlib import Path

from kb_tools import load_collection
from kb_tools.semantic import Embedder, model_dir, store

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpora" / "arduino-help"


def section_texts(count: int) -> list[str]:
    """`count` different sections: docs/ first, then the help-centre corpus when it is there."""
    texts: list[str] = []
    for folder in (ROOT / "docs", CORPUS):
        if len(texts) >= count or not folder.is_dir():
            continue
        texts += [f"{article.title} — {section.heading}\n{section.text}" for article in load_collection(folder)
                  for section in article.sections if section.text.strip()]
    return [texts[i % len(texts)] for i in range(count)]  # repeats only without the corpus


def queries() -> list[str]:
    with open(ROOT / "tests" / "sample-queries.tsv", encoding="utf-8", newline="") as handle:
        return [row["query"] for row in csv.DictReader(handle, delimiter="\t")]


def load_average() -> str:
    return "load average " + " ".join(f"{value:.2f}" for value in os.getloadavg())


def query_times(embedder: Embedder, asked: list[str]) -> list[float]:
    embedder.embed_query(asked[0])  # the first run allocates; a server would have done it already
    times = []
    for text in asked:
        started = time.perf_counter()
        embedder.embed_query(text)
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sections", type=int, default=500)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--builds", nargs="+", choices=list(store.BUILDS), default=list(store.BUILDS))
    args = parser.parse_args()

    embedders = {}
    for name in args.builds:
        build = store.BUILDS[name]
        started = time.perf_counter()
        embedders[name] = Embedder.load(threads=args.threads, build=build)
        size = (model_dir() / build.file).stat().st_size / 1e6
        print(f"{name}: {build.file} ({size:.1f} MB), load {time.perf_counter() - started:.2f} s "
              "(hash check + onnxruntime session; imports excluded)")
    asked, texts = queries(), section_texts(args.sections)
    latencies: dict[str, list[float]] = {name: [] for name in embedders}
    rates: dict[str, list[float]] = {name: [] for name in embedders}
    for _ in range(args.rounds):
        for name, embedder in embedders.items():
            latencies[name] += query_times(embedder, asked)
            started = time.perf_counter()
            embedder.embed(texts)
            rates[name].append(len(texts) / (time.perf_counter() - started))
    print(f"{len(texts)} sections, {len(asked)} queries, {args.rounds} rounds, threads {args.threads}; {load_average()}")
    baseline = "float32" if "float32" in embedders else args.builds[0]
    base = statistics.median(rates[baseline])
    for name in embedders:
        cuts = statistics.quantiles(latencies[name], n=100)
        rate = statistics.median(rates[name])
        print(f"{name:<8} indexing {rate:.0f} sections/s ({rate / base:.2f}x {baseline}; rounds: "
              f"{', '.join(f'{r:.0f}' for r in rates[name])}); query p50 {cuts[49]:.1f} ms, p95 {cuts[94]:.1f} ms")


if __name__ == "__main__":
    main()
