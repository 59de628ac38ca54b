"""Cold `kb search`: a new process answering one query, lexical and hybrid, as an agent's first search.

    python bench/cold.py [--index DIR] [--runs 9] [--baseline SRC]

Times whole processes (imports, opening the index, loading the model, the search, printing) and
prints the median and worst per mode; target: hybrid <= 0.8 s (issue 15). Without --index it
builds the sample knowledge base's hybrid index in a temporary folder first. --baseline SRC (a
checkout of another version, e.g. `git worktree add /tmp/base main~3`) runs that version's
kb_tools in the same rounds, taking turns, so the ratios hold whatever else the machine is doing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUERY = "my internet keeps dropping"
TARGET_HYBRID = 0.8


def run_once(source: Path, index: Path, mode: str) -> float:
    """Seconds for one `kb search` process from `source`'s kb_tools."""
    code = ("import sys; from kb_tools.cli import main; "
            f"sys.argv = ['kb', 'search', {QUERY!r}, '--index', {str(index)!r}, '--mode', {mode!r}, '--no-log']; main()")
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], env={**os.environ, "PYTHONPATH": str(source)}, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     epilog="example: python bench/cold.py --runs 9 --baseline /tmp/base")
    parser.add_argument("--index", type=Path, help="a built hybrid index (default: the sample KB's, built now)")
    parser.add_argument("--runs", type=int, default=9, help="processes per version and mode (default 9)")
    parser.add_argument("--baseline", type=Path, help="another checkout's source folder, timed in the same rounds")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        index = args.index
        if index is None:
            index = Path(scratch) / "index"
            print("building the sample KB's hybrid index ...", file=sys.stderr)
            kb = Path(sys.executable).parent / "kb"
            subprocess.run([str(kb), "index", str(ROOT / "docs"), "--index", str(index)], check=True,
                           stdout=subprocess.DEVNULL)
        versions = {"this": ROOT, **({"baseline": args.baseline.resolve()} if args.baseline else {})}
        times: dict[tuple[str, str], list[float]] = {(v, m): [] for v in versions for m in ("lexical", "hybrid")}
        for version, mode in times:  # once each, untimed: the disk cache and .pyc files
            run_once(versions[version], index, mode)
        for run in range(args.runs):
            order = list(times) if run % 2 == 0 else list(times)[::-1]
            for version, mode in order:
                times[(version, mode)].append(run_once(versions[version], index, mode))
            print(f"round {run + 1}/{args.runs}", file=sys.stderr)
    load = os.getloadavg()
    print(f"cold `kb search`, {args.runs} processes each, load average {load[0]:.2f} / {load[1]:.2f} (1 / 5 min)")
    print(f"{'version':10} {'mode':8} {'median s':>9} {'worst s':>8}")
    for (version, mode), seconds in times.items():
        verdict = ""
        if mode == "hybrid":
            verdict = "  PASS" if statistics.median(seconds) <= TARGET_HYBRID else f"  MISS (target <= {TARGET_HYBRID})"
        print(f"{version:10} {mode:8} {statistics.median(seconds):9.2f} {max(seconds):8.2f}{verdict}")
    if args.baseline:
        for mode in ("lexical", "hybrid"):
            ratio = statistics.median(times[("this", mode)]) / statistics.median(times[("baseline", mode)])
            print(f"{mode}: this / baseline = {ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
