"""Match confidence against labelled queries: precision and recall of `none`, per corpus.

    python bench/confidence.py [--arduino-index DIR]

Two labelled sets of answerable and unanswerable queries, written for this purpose:
tests/data/sample-confidence.tsv over the sample KB (docs/) and bench/queries/arduino-confidence.tsv
over the Arduino corpus (../shared/corpora/arduino-help). `none` should mean "no answer here":
precision = unanswerable among the queries called `none`, recall = the unanswerable ones caught.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
from collections import Counter
from pathlib import Path

from kb_tools.search import Searcher, build_index

ROOT = Path(__file__).resolve().parent.parent
SETS = {
    "sample KB": (ROOT / "docs", ROOT / "tests" / "data" / "sample-confidence.tsv"),
    "arduino": (ROOT.parent / "shared" / "corpora" / "arduino-help", ROOT / "bench" / "queries" / "arduino-confidence.tsv"),
}


def labelled(path: Path) -> list[tuple[str, bool]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [(row["query"], row["answerable"] == "yes") for row in csv.DictReader(handle, delimiter="\t")]


def measure(name: str, searcher: Searcher, queries: list[tuple[str, bool]], mode: str) -> None:
    table: Counter[tuple[str, bool]] = Counter()
    for query, answerable in queries:
        table[(searcher.search(query, limit=3, mode=mode, link_sections=False).confidence, answerable)] += 1
    caught, wrong = table[("none", False)], table[("none", True)]
    unanswerable = sum(n for (_, answerable), n in table.items() if not answerable)
    precision = caught / (caught + wrong) if caught + wrong else 0.0
    recall = caught / unanswerable if unanswerable else 0.0
    levels = "  ".join(f"{level}: {table[(level, True)]} answerable / {table[(level, False)]} not"
                       for level in ("strong", "partial", "none"))
    print(f"{name:<10}{mode:<9}{len(queries):>4} queries  none: precision {precision:.2f} recall {recall:.2f}   {levels}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--arduino-index", type=Path, help="a kb index of the Arduino corpus to update and reuse")
    parser.add_argument("--sample-index", type=Path, help="a kb index of docs/ to update and reuse")
    args = parser.parse_args()
    given = {"sample KB": args.sample_index, "arduino": args.arduino_index}
    with tempfile.TemporaryDirectory() as tmp:
        for name, (docs, queries) in SETS.items():
            if not docs.is_dir() or not queries.is_file():
                print(f"{name}: skipped ({docs} or {queries} is absent)", file=sys.stderr)
                continue
            index = given[name] or Path(tmp) / name.replace(" ", "-")
            build_index(docs, index)
            searcher = Searcher(index)
            for mode in ("hybrid", "lexical"):
                measure(name, searcher, labelled(queries), mode)
            searcher.close()


if __name__ == "__main__":
    main()
