"""As-you-type speed: /api/suggest and the results list's hybrid search, at 10,000 articles.

    python bench/suggest.py --docs DIR --index DIR [--site DIR] [--rounds 3]

Types realistic queries (bench/query_mix.py) one keystroke at a time, from the third letter, as an
agent does, and times each keystroke's call:
  suggest   GET /api/suggest?q=... through the desk's WSGI app (routing, the searcher pool, JSON),
            without a socket; without --site, `suggest()` in the library
  hybrid    GET /api/search?q=... for each finished query (what the results list fetches when the
            agent pauses), or `Searcher.search(q, limit=10)` without --site
Prints p50/p95/p99 in ms with the load average beside them (the machine may be shared): targets
suggest p95 <= 15 ms, hybrid p95 <= 60 ms. --docs and --index are a 10k KB and its kb index, e.g.
DIR/docs and DIR/index of `python bench/speed.py --articles 10000 --keep DIR`; both are only read.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from query_mix import make_queries  # noqa: E402  (a sibling script)

from kb_tools import load_collection  # noqa: E402
from kb_tools.search import Searcher  # noqa: E402
from kb_tools.search.suggest import suggest  # noqa: E402

TARGETS = {"suggest": 15.0, "hybrid": 60.0}


def percentile(times: list[float], share: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def wsgi_get(app: Callable, path: str) -> bytes:
    """One GET through the WSGI app, as the server would make it (no socket)."""
    status: list[str] = []
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path.split("?")[0], "QUERY_STRING": path.partition("?")[2],
               "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "HTTP_HOST": "127.0.0.1:8000",
               "REMOTE_ADDR": "127.0.0.1", "wsgi.input": io.BytesIO(), "wsgi.url_scheme": "http"}
    body = b"".join(app(environ, lambda s, headers, exc_info=None: status.append(s)))
    if not status[0].startswith("200"):
        raise SystemExit(f"{path} answered {status[0]}: {body[:200]!r}")
    return body


def endpoint(app: Callable, path: str) -> Callable[[str], object]:
    """A function answering a query through `path` of the WSGI app."""
    return lambda text: json.loads(wsgi_get(app, f"{path}?{urllib.parse.urlencode({'q': text})}"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=Path, required=True, help="the KB's docs folder (the queries come from it)")
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--site", type=Path, help="a built site of the same KB: time the desk's WSGI app")
    parser.add_argument("--queries", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    searcher = Searcher(args.index)
    print("loading the KB for its queries...", file=sys.stderr)
    queries = [q.text for q in make_queries(load_collection(args.docs), args.queries, seed=args.seed)]
    if args.site:
        from kb_tools.desk.app import create_app

        app = create_app(args.site, args.index)
        run_suggest, run_search = endpoint(app, "/api/suggest"), endpoint(app, "/api/search")
    else:
        def run_suggest(text: str) -> object:
            return suggest(searcher, text)

        def run_search(text: str) -> object:
            return searcher.search(text, limit=10)
    typed = [query[:n] for query in queries for n in range(3, len(query) + 1) if query[n - 1:n] != " "]
    for warm in queries[:10]:
        run_search(warm)
        run_suggest(warm[:4])
    times: dict[str, list[float]] = {"suggest": [], "hybrid": []}
    for _ in range(args.rounds):
        for name, run, texts in (("suggest", run_suggest, typed), ("hybrid", run_search, queries)):
            for text in texts:
                started = time.perf_counter()
                run(text)
                times[name].append((time.perf_counter() - started) * 1000)
    load = os.getloadavg()
    where = "the desk's WSGI app" if args.site else "the library"
    print(f"{len(searcher.postings)} articles, {len(queries)} queries ({len(typed)} keystrokes), {args.rounds} rounds, "
          f"through {where}; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores")
    for name, measured in times.items():
        p95 = percentile(measured, 0.95)
        verdict = "PASS" if p95 <= TARGETS[name] else "MISS"
        print(f"{name:<8} p50 {percentile(measured, 0.5):6.1f} ms  p95 {p95:6.1f} ms  p99 {percentile(measured, 0.99):6.1f} ms"
              f"  (target p95 <= {TARGETS[name]:.0f} ms: {verdict})")


if __name__ == "__main__":
    main()
