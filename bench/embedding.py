"""Embedding benchmark: model load time, one-query latency, and indexing throughput.

    python bench/embedding.py [--sections 500] [--threads 2] [--batch-size 32]

Queries are the callers' words of tests/sample-queries.tsv, embedded one at a time as a search
would; sections are the docs/ articles' sections (title, heading and text, as an index would
embed them), then those of ../shared/corpora/arduino-help, up to --sections.
Needs the model: `python -m kb_tools.semantic.fetch`.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import time
from pathlib import Path

from kb_tools import load_collection
from kb_tools.semantic import Embedder, model_dir

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sections", type=int, default=500)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=8)
    args = parser.parse_args()

    started = time.perf_counter()
    embedder = Embedder.load(threads=args.threads)
    load_s = time.perf_counter() - started
    model_file = model_dir() / "model.onnx"
    print(f"model: {model_file} ({model_file.stat().st_size / 1e6:.1f} MB), threads {args.threads}")
    print(f"load: {load_s:.2f} s (hash check + onnxruntime session; imports excluded)")

    asked = queries()
    embedder.embed_query(asked[0])  # the first run allocates; a server would have done it already
    times = []
    for _ in range(3):
        for text in asked:
            started = time.perf_counter()
            embedder.embed_query(text)
            times.append((time.perf_counter() - started) * 1000)
    cuts = statistics.quantiles(times, n=100)
    print(f"query: p50 {cuts[49]:.1f} ms, p95 {cuts[94]:.1f} ms over {len(times)} short queries")

    texts = section_texts(args.sections)
    started, cpu_started = time.perf_counter(), time.process_time()
    embedder.embed(texts, batch_size=args.batch_size)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    # CPU seconds tell how much of the machine other processes took during the run.
    print(f"indexing: {len(texts)} sections in {elapsed:.1f} s = {len(texts) / elapsed:.0f} sections/s "
          f"(batch size {args.batch_size}; {cpu:.1f} CPU-s over {args.threads} threads)")


if __name__ == "__main__":
    main()
