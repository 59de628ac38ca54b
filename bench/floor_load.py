"""Floor benchmark: two hosts writing one activity log (`python bench/load.py --log postgresql://...`).

Two `kb serve --workers 2` on different ports of 127.0.0.1 (two "hosts", each with its own copy
of the index), `--clients` agents spread over them, each on its own loopback address
(127.0.0.10, .11, ...: the per-address limit is per agent, as on a floor) and keep-alive
connection: searches, and one request in ten a feedback post from one of 200 desks. Run once
against the PostgreSQL database given (which must be empty) and once against a fresh SQLite
file shared by both "hosts" (one machine's disk: what a single host can do), for `--seconds`
each. Prints requests/s, p50/p99 per run, and records sent (searches answered 200, feedback
answered 201 or 202) against records stored once both servers have stopped: they must be equal.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

FEEDBACK_EVERY = 10
DESKS = 200


@dataclass
class Counts:
    latencies: list[float] = field(default_factory=list)
    searches: int = 0
    feedback: int = 0
    refused: int = 0  # 429: over a desk's limit (not sent to the log)
    unrecorded: int = 0  # searches answered over the address's recording limit: never sent to the log
    errors: list[str] = field(default_factory=list)


def agent(number: int, ports: list[int], queries: list[dict[str, str]], articles: list[str], start: float, stop: float,
          counts: Counts) -> None:
    rng = random.Random(number)
    port = ports[number % len(ports)]
    source = (f"127.0.0.{10 + number}", 0)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=source)
    n = 0
    while (now := time.perf_counter()) < stop:
        n += 1
        desk = f"bench-desk-{rng.randrange(DESKS):04d}"
        recorded = False
        try:
            if n % FEEDBACK_EVERY == 0:
                body = json.dumps({"article": rng.choice(articles), "helpful": rng.random() < 0.7}).encode()
                connection.request("POST", "/api/feedback", body=body,
                                   headers={"Content-Type": "application/json", "X-KB-Session": desk})
            else:
                # No session: each search is one record (no as-you-type merging to blur the count).
                connection.request("GET", "/api/search?" + urlencode(rng.choice(queries)))
            response = connection.getresponse()
            response.read()
            status = response.status
            recorded = response.getheader("X-KB-Search-Id") is not None
        except (OSError, http.client.HTTPException) as exc:
            status = 0
            counts.errors.append(repr(exc))
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=source)
        if now >= start:
            counts.latencies.append(time.perf_counter() - now)
        # Every record counts, warm-up included: the log must hold each one it was sent.
        if n % FEEDBACK_EVERY == 0:
            counts.feedback += status in (201, 202)
            counts.refused += status == 429
        else:  # a search over the recording limit still answers, without an id: it is not in the log
            counts.searches += status == 200 and recorded
            counts.unrecorded += status == 200 and not recorded
        if status not in (200, 201, 202, 429) and now >= start:
            counts.errors.append(f"HTTP {status}")
    connection.close()


def stored(target: str) -> tuple[int, int]:
    from kb_tools.measure.log_read import read_activity

    activity = read_activity(target)
    return len(activity.searches), len(activity.feedback)


def run_floor(args: Any, root: Path, docs: Path, index: Path, site: Path, queries: list[dict[str, str]],
              start_server: Any) -> int:
    from kb_tools.search import Searcher

    searcher = Searcher(index)
    articles = [hit.path for hit in searcher.search("wifi router password app bill", limit=50).hits] or ["a.md"]
    searcher.close()
    lines = [f"Floor: {args.clients} agents over 2 hosts x kb serve --workers {args.workers}, {args.seconds:.0f} s, "
             f"searches + 1 in {FEEDBACK_EVERY} feedback; {os.cpu_count()} cores"]
    runs = [("postgresql", args.log), ("sqlite", str(root / "floor-activity.sqlite"))]
    for label, target in runs:
        if label == "sqlite":
            Path(target).unlink(missing_ok=True)
        hosts = []
        for number in range(2):  # each host: its own copy of the index, so its own spool beside it
            copy = root / f"floor-host{number}" / "search_index"
            shutil.rmtree(copy.parent, ignore_errors=True)
            shutil.copytree(index, copy)
            hosts.append(start_server(site, copy, args.threads, args.workers, ["--log", target]))
        load_before = os.getloadavg()[0]
        begin = time.perf_counter()
        start, stop = begin + args.warmup, begin + args.warmup + args.seconds
        counts = [Counts() for _ in range(args.clients)]
        threads = [threading.Thread(target=agent, args=(n, [port for _, port in hosts], queries, articles, start, stop,
                                                         counts[n])) for n in range(args.clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for process, _ in hosts:
            process.terminate()
            process.wait(timeout=60)
        ordered = sorted(x for c in counts for x in c.latencies)
        sent = (sum(c.searches for c in counts), sum(c.feedback for c in counts))
        kept = stored(target)
        p50, p99 = (ordered[min(len(ordered) - 1, int(q * (len(ordered) - 1)))] * 1000 for q in (0.5, 0.99))
        errors = [e for c in counts for e in c.errors]
        lines += [
            f"  {label:<10} {len(ordered) / args.seconds:6.1f} requests/s   p50 {p50:6.1f} ms   p99 {p99:6.1f} ms   "
            f"errors {len(errors)}" + (f" (first: {errors[0]})" if errors else "") + f"   load before {load_before:.2f}",
            f"             records sent {sum(sent)} ({sent[0]} searches, {sent[1]} feedback; "
            f"{sum(c.refused for c in counts)} posts over a desk's limit; {sum(c.unrecorded for c in counts)} searches "
            f"answered unrecorded over an address's limit), stored {sum(kept)} "
            f"({kept[0]} + {kept[1]}): " + ("equal" if sent == kept else "NOT equal"),
        ]
    print("\n".join(lines))
    return 0
