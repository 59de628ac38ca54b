"""Load benchmark: `kb serve`'s /api/search under a fixed number of concurrent agents.

    python bench/load.py [--clients 8] [--seconds 20] [--articles 10000] [--workers 2] [--threads 4] [--keep DIR]
                         [--endpoint search|suggest|health] [--kb [NAME=]COMMAND ...] [--single] [--rounds N]
                         [--log postgresql://...]

Generates a knowledge base (bench/generate_kb.py), builds its search index with `kb index`,
starts `kb serve` in a subprocess on a free port of 127.0.0.1, then runs `--clients` client
threads for `--seconds` (after `--warmup` seconds not counted). Each client keeps one HTTP/1.1
connection open and sends one search after another, as an agent typing on a call would: the
caller's words from the articles' `customer_says`, titles, typos, half-typed last words, with or
without a depth and a product filter. Prints requests/s, p50/p95/p99 latency and errors, and
whether the target (>= 150 requests/s, p99 <= 150 ms, no errors at 8 clients) is met.
`--endpoint health` measures the HTTP stack alone (no search), `suggest` the as-you-type calls.
`--log postgresql://...` runs the floor benchmark instead (bench/floor_load.py): two servers
writing one activity log, on that database and on SQLite, records sent vs stored.

The site is not built (the API does not read it; a 10,000-page `mkdocs build` takes minutes): a
placeholder index.html stands in. With --keep DIR the knowledge base and its index are kept in DIR
and reused by the next run with the same --articles. Progress goes to stderr, figures to stdout.
The figures depend on what else the machine is doing: the load average is printed with them.
To compare versions of `kb serve` in the same session, pass each other one's `kb` as --kb OTHER
(repeatable, optionally named: --kb pool=/tmp/old/kb); --single adds this kb with --workers 1. All
are run --rounds times, alternating (the others first), on the same knowledge base and queries; at
the end a summary gives each one's median and worst run, and its ratio to this kb's run of the same
round (median and worst).
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate_kb import generate_kb  # noqa: E402  (a sibling script, not a package)

KB = str(Path(sys.executable).with_name("kb"))
TARGET_RPS, TARGET_P99_MS, TARGET_CLIENTS = 150.0, 150.0, 8
SAMPLE_ARTICLES = 400  # articles the queries are drawn from


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- the knowledge base and its server ---------------------------------------------------------------
def prepare_kb(root: Path, articles: int) -> tuple[Path, Path, Path]:
    """docs, index and site folders under `root`, generated and indexed unless already there."""
    docs, index, site = root / "docs", root / "search_index", root / "site"
    stamp = root / ".load-articles"
    if not (stamp.exists() and stamp.read_text() == str(articles) and _is_readable(index)):
        started = time.perf_counter()
        log(f"Generating {articles} articles in {docs} ...")
        generate_kb(root, articles)
        log(f"Indexing them into {index} (takes a few minutes for 10,000) ...")
        # Lexical: embedding 10,000 articles takes most of an hour on 2 cores (see bench/embedding.py).
        subprocess.run([KB, "-q", "index", str(docs), "--index", str(index), "--rebuild", "--no-semantic"], check=True)
        stamp.write_text(str(articles))
        log(f"Knowledge base ready in {time.perf_counter() - started:.0f} s")
    site.mkdir(exist_ok=True)
    (site / "index.html").write_text("<!doctype html><title>load benchmark</title>\n", encoding="utf-8")
    return docs, index, site


def _is_readable(index: Path) -> bool:
    """True when `index` exists and this version of kb can search it."""
    from kb_tools.errors import IndexMissingError
    from kb_tools.search import Searcher

    try:
        Searcher(index).close()
    except IndexMissingError:
        return False
    return True


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(site: Path, index: Path, threads: int, workers: int,
                 extra: list[str] | None = None, *, kb: str = KB) -> tuple[subprocess.Popen, int]:
    port = free_port()
    server_log = index.parent / f"serve-{port}.log"  # a file, not a pipe: a full pipe would stall the server
    with open(server_log, "w") as output:
        process = subprocess.Popen([kb, "serve", "--site", str(site), "--index", str(index), "--port", str(port),
                                    "--threads", str(threads), "--workers", str(workers), *(extra or [])],
                                   stdout=output, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            raise SystemExit(f"kb serve exited with {process.returncode}: {server_log.read_text()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2):
                return process, port
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                raise SystemExit("kb serve did not answer within 60 s") from None
            time.sleep(0.2)


# --- realistic queries -----------------------------------------------------------------------------------
def load_queries(docs: Path, *, seed: int = 11, count: int = 2000) -> list[dict[str, str]]:
    """Query parameters as agents send them, drawn from the articles' own words."""
    r = random.Random(seed)
    files = sorted(p for p in docs.rglob("*.md") if p.name != "index.md")
    phrases: list[str] = []
    titles: list[str] = []
    products: list[str] = []
    for path in r.sample(files, min(SAMPLE_ARTICLES, len(files))):
        meta = yaml.safe_load(path.read_text(encoding="utf-8").split("---", 2)[1]) or {}
        phrases += [str(p) for p in meta.get("customer_says") or []]
        titles.append(str(meta.get("title", "")))
        products.append(str(meta.get("product", "")))
    queries = []
    for _ in range(count):
        kind = r.random()
        if kind < 0.45:
            text = r.choice(phrases)
        elif kind < 0.65:
            text = re.sub(r"[^\w\s-]", "", r.choice(titles)).lower()
        elif kind < 0.8:
            text = _typo(r, r.choice(phrases))
        else:
            words = r.choice(phrases).split()  # typed so far: the last word unfinished
            text = " ".join(words[:-1] + [words[-1][: max(3, len(words[-1]) // 2)]])
        params = {"q": text, "limit": "10"}
        depth = r.choice(["", "beginner", "expert"])
        if depth:
            params["depth"] = depth
        if r.random() < 0.2:
            params["product"] = r.choice(products)
        queries.append(params)
    return queries


def _typo(r: random.Random, text: str) -> str:
    words = text.split()
    long = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not long:
        return text
    i = r.choice(long)
    w = words[i]
    j = r.randrange(1, len(w) - 1)
    words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2:]  # two letters swapped
    return " ".join(words)


# --- the clients --------------------------------------------------------------------------------------------
@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)  # seconds, counted requests only
    errors: list[str] = field(default_factory=list)


def client(port: int, endpoint: str, queries: list[dict[str, str]], seed: int, start: float, stop: float,
           tally: Tally) -> None:
    """One agent: one keep-alive connection, one search after another until `stop`."""
    r = random.Random(seed)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    while (now := time.perf_counter()) < stop:
        target = f"/api/{endpoint}?" + urlencode(r.choice(queries))
        try:
            connection.request("GET", target)
            response = connection.getresponse()
            body = response.read()
            ok = response.status == 200 and body.startswith(b"{")
        except (OSError, http.client.HTTPException) as exc:
            ok, body = False, repr(exc).encode()
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        elapsed = time.perf_counter() - now
        if now >= start:
            tally.latencies.append(elapsed)
            if not ok:
                tally.errors.append(f"{target}: {body[:200]!r}")
    connection.close()


def run_load(port: int, endpoint: str, queries: list[dict[str, str]], *, clients: int, seconds: float,
             warmup: float) -> Tally:
    begin = time.perf_counter()
    start, stop = begin + warmup, begin + warmup + seconds
    tallies = [Tally() for _ in range(clients)]
    threads = [threading.Thread(target=client, args=(port, endpoint, queries, n, start, stop, tallies[n]))
               for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Tally([x for t in tallies for x in t.latencies], [e for t in tallies for e in t.errors])


def percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def report(tally: Tally, *, endpoint: str, clients: int, seconds: float, threads: int, workers: int,
           articles: int, load_before: float, kb: str = KB) -> str:
    ordered = sorted(tally.latencies)
    if not ordered:
        return "no requests completed"
    rps = len(ordered) / seconds
    p50, p95, p99 = (percentile(ordered, s) * 1000 for s in (0.5, 0.95, 0.99))
    met = rps >= TARGET_RPS and p99 <= TARGET_P99_MS and not tally.errors
    lines = [
        f"/api/{endpoint} on {articles} articles: {clients} clients for {seconds:.0f} s, "
        f"kb serve --workers {workers} --threads {threads}" + ("" if kb == KB else f" (kb: {kb})"),
        f"  requests   {len(ordered)}  ({rps:.1f} requests/s)",
        f"  latency    p50 {p50:.1f} ms   p95 {p95:.1f} ms   p99 {p99:.1f} ms   max {ordered[-1] * 1000:.1f} ms"
        f"   mean {statistics.mean(ordered) * 1000:.1f} ms",
        f"  errors     {len(tally.errors)}" + (f"  (first: {tally.errors[0]})" if tally.errors else ""),
        f"  machine    {os.cpu_count()} cores, load average {load_before:.2f} before the run",
    ]
    if clients == TARGET_CLIENTS and endpoint == "search":
        lines.append(f"  target     >= {TARGET_RPS:.0f} requests/s, p99 <= {TARGET_P99_MS:.0f} ms, 0 errors: "
                     + ("met" if met else "NOT met"))
    return "\n".join(lines)


@dataclass
class Run:
    version: str
    rps: float
    p99_ms: float
    errors: int
    load: float


def summary(runs: list[Run], this: str) -> str:
    """Each version's median and worst run, and its ratio to `this` version's run of the same round."""
    versions = list(dict.fromkeys(run.version for run in runs))
    lines = ["Summary: version, runs, median requests/s (p99), worst run, load averages; ratio to "
             f"{this} in the same round (median, lowest)"]
    for version in versions:
        mine = [run for run in runs if run.version == version]
        worst = min(mine, key=lambda run: run.rps)
        line = (f"  {version:<14} {len(mine):>2} runs  median {statistics.median(r.rps for r in mine):6.1f}/s "
                f"(p99 {statistics.median(r.p99_ms for r in mine):5.0f} ms)  worst {worst.rps:6.1f}/s "
                f"(p99 {worst.p99_ms:5.0f} ms, load {worst.load:.1f})  load {min(r.load for r in mine):.1f}-"
                f"{max(r.load for r in mine):.1f}  errors {sum(r.errors for r in mine)}")
        if version != this:
            ratios = [b.rps / a.rps for a, b in zip(mine, [r for r in runs if r.version == this], strict=False)
                      if a.rps]
            if ratios:
                line += f"  {this}/{version}: median {statistics.median(ratios):.2f}, lowest {min(ratios):.2f}"
        lines.append(line)
    return "\n".join(lines)


def _named(spec: str) -> tuple[str, str]:
    """("pool", "/tmp/old/kb") for "pool=/tmp/old/kb"; the command as its own name without one."""
    name, _, command = spec.rpartition("=")
    return (name or command, command)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=TARGET_CLIENTS, help="concurrent clients (default 8)")
    parser.add_argument("--seconds", type=float, default=20.0, help="measured seconds (default 20)")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of load before measuring (default 3)")
    parser.add_argument("--articles", type=int, default=10000, help="articles in the knowledge base (default 10000)")
    parser.add_argument("--threads", type=int, default=4, help="kb serve --threads (default 4)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="kb serve --workers (default: one per core)")
    parser.add_argument("--endpoint", choices=["search", "suggest", "health"], default="search",
                        help="the API endpoint to load (default search)")
    parser.add_argument("--keep", type=Path, help="keep (and reuse) the knowledge base and index in this folder")
    parser.add_argument("--kb", dest="others", metavar="[NAME=]COMMAND", action="append", default=[],
                        help="another version's kb, run alternately with this one (same session, same queries); "
                             "repeat for more")
    parser.add_argument("--single", action="store_true",
                        help="also run this kb with --workers 1 (the single-process server) in every round")
    parser.add_argument("--rounds", type=int, default=1, help="runs of each version (default 1)")
    parser.add_argument("--log", metavar="URL",
                        help="an empty postgresql:// database: run the floor benchmark of bench/floor_load.py "
                             "(two hosts, searches and feedback, records sent vs stored) on it and on SQLite")
    args = parser.parse_args(argv)
    if args.clients < 1 or args.seconds <= 0 or args.articles < 1:
        parser.error("--clients, --seconds and --articles must be positive")
    with tempfile.TemporaryDirectory(prefix="kb-load-") as scratch:
        root = args.keep or Path(scratch)
        root.mkdir(parents=True, exist_ok=True)
        docs, index, site = prepare_kb(root, args.articles)
        queries = load_queries(docs)
        if args.log:
            from floor_load import run_floor

            return run_floor(args, root, docs, index, site, queries, start_server)
        this = f"workers {args.workers}"
        versions = [(*_named(spec), args.workers) for spec in args.others] + [(this, KB, args.workers)]
        if args.single:
            versions.append(("single", KB, 1))
        runs: list[Run] = []
        for _ in range(args.rounds):
            for name, kb, workers in versions:
                process, port = start_server(site, index, args.threads, workers, kb=kb)
                try:
                    load_before = os.getloadavg()[0]
                    log(f"Loading {kb} serve on port {port} with {args.clients} clients for {args.warmup:.0f}+"
                        f"{args.seconds:.0f} s ...")
                    tally = run_load(port, args.endpoint, queries, clients=args.clients, seconds=args.seconds,
                                     warmup=args.warmup)
                finally:
                    process.terminate()
                    process.wait(timeout=30)
                print(report(tally, endpoint=args.endpoint, clients=args.clients, seconds=args.seconds,
                             threads=args.threads, workers=workers, articles=args.articles,
                             load_before=load_before, kb=kb), flush=True)
                ordered = sorted(tally.latencies)
                runs.append(Run(name, len(ordered) / args.seconds, percentile(ordered, 0.99) * 1000 if ordered else 0.0,
                                len(tally.errors), load_before))
        if len(runs) > 1:
            print(summary(runs, this), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
