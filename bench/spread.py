"""How `kb serve --workers N` shares out kept-alive connections: the split of C connections over the workers.

    python bench/spread.py [--connections 8] [--trials 20] [--workers 2] [--kb COMMAND] [--keep DIR]

Starts `kb serve` on a small generated knowledge base, then, `--trials` times, opens
`--connections` HTTP/1.1 connections one after another (as a load balancer or a browser opens
its pool), asks /api/health on each and counts which worker process answered; the connections are
closed before the next trial. Prints each split's frequency (e.g. "4-4: 12 of 20") and how often
the split was even. With --kb another version's kb is measured the same way first.
"""

from __future__ import annotations

import argparse
import collections
import http.client
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import KB, log, prepare_kb, start_server  # noqa: E402  (a sibling script, not a package)


def one_trial(port: int, connections: int) -> tuple[int, ...]:
    kept = [http.client.HTTPConnection("127.0.0.1", port, timeout=10) for _ in range(connections)]
    answered_by: collections.Counter[int] = collections.Counter()
    for connection in kept:
        connection.request("GET", "/api/health")
        answered_by[json.loads(connection.getresponse().read())["process"]] += 1
    for connection in kept:
        connection.close()
    return tuple(sorted(answered_by.values(), reverse=True))


def measure(kb: str, site: Path, index: Path, *, workers: int, connections: int, trials: int) -> str:
    process, port = start_server(site, index, 4, workers, kb=kb)
    try:
        load_before = os.getloadavg()[0]
        splits: collections.Counter[tuple[int, ...]] = collections.Counter()
        for _ in range(trials):
            split = one_trial(port, connections)
            splits[split + (0,) * (workers - len(split))] += 1
            time.sleep(0.2)  # let the workers see the connections close
    finally:
        process.terminate()
        process.wait(timeout=30)
    even = tuple([connections // workers] * workers) if connections % workers == 0 else None
    lines = [f"{kb} serve --workers {workers}: {connections} kept-alive connections, {trials} trials "
             f"(load average {load_before:.2f})"]
    lines += [f"  {'-'.join(map(str, split))}: {count} of {trials}" for split, count in splits.most_common()]
    if even:
        lines.append(f"  even: {splits[even]} of {trials}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--articles", type=int, default=200)
    parser.add_argument("--kb", dest="other", metavar="COMMAND", help="another version's kb, measured first")
    parser.add_argument("--keep", type=Path, help="keep (and reuse) the knowledge base and index in this folder")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kb-spread-") as scratch:
        root = args.keep or Path(scratch)
        root.mkdir(parents=True, exist_ok=True)
        _, index, site = prepare_kb(root, args.articles)
        for kb in [args.other, KB] if args.other else [KB]:
            log(f"Measuring {kb} ...")
            print(measure(kb, site, index, workers=args.workers, connections=args.connections, trials=args.trials),
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
