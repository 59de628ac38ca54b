"""Activity log benchmark: the write cost per record on SQLite and on PostgreSQL, the shared
rate-limit write, and `kb report` over a month of a busy floor.

    python bench/activity_log.py [--writes 2000] [--threads 8] [--processes 4] [--month 100000]
                                 [--log postgresql://... --month-log postgresql://...] [--no-postgres]

For each back end (a fresh SQLite file in a temporary folder, then PostgreSQL: the empty
database of --log, else a throw-away server started the way the tests start one, tests/postgres.py):

  records   searches written as `kb serve` writes them (scrubbed, as-you-type merging, reworded
            marks), from one thread, from --threads threads sharing one ActivityLog, and from
            --processes processes at once: records/s, the wall time per record (ms/record) and
            p50/p99 of one write.
  limits    the shared rate-limit write kb serve makes before it records a search or a POST: one
            short transaction that locks the desk's and the address's keys, counts their events
            of the last minute and adds one (kb_tools.desk.rate_limit), over 200 desks so none is
            refused: the same figures.

A recorded search costs one of each; the summary adds them up, the figure the README's floor
section extrapolates from. Then a month of --month searches (plus clicks and feedback) spread over
30 days is written into SQLite, copied into PostgreSQL with `kb log copy` (timed; into --month-log,
an empty database, when --log is given) and `kb report` is timed over it on each. The figures depend on the
machine's load, printed with them.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb_tools.desk.rate_limit import RateLimiter  # noqa: E402
from kb_tools.measure.activity import ActivityLog  # noqa: E402
from kb_tools.measure.log_read import read_activity  # noqa: E402
from kb_tools.measure.report import build_report, period_bounds  # noqa: E402

DESKS = 200  # desks the limit checks are spread over: at most --writes / 200 events a key, never refused
PER_MINUTE = 120  # /api/search's limit per desk (kb serve's RATES); the address gets ten times that


WORDS = "wifi keeps dropping router lights orange password reset bill refund app crash slow speed".split()


def _query(rng: random.Random) -> str:
    return " ".join(rng.sample(WORDS, rng.randint(2, 4)))


def _write(log: ActivityLog, count: int, seed: int) -> list[float]:
    rng, latencies = random.Random(seed), []
    for n in range(count):
        started = time.perf_counter()
        log.record_search(_query(rng), results=rng.randint(0, 20), shown=[f"a/{rng.randint(1, 40)}.md"] * 3,
                          session=f"bench-{seed:04}-{n // 5:05}", as_you_type=True)
        latencies.append(time.perf_counter() - started)
    return latencies


def _limit(limiter: RateLimiter, count: int, seed: int) -> list[float]:
    """`count` limit checks as kb serve makes them (the desk's key and its address's), none refused."""
    rng, latencies, refused = random.Random(seed), [], 0
    for _ in range(count):
        desk = rng.randrange(DESKS)
        address = f"10.0.{desk % 50}.1"
        started = time.perf_counter()
        refused += bool(limiter.retry_after((("desk", address, f"bench-desk-{desk:04}"), PER_MINUTE),
                                            (("floor", address), PER_MINUTE * 10)))
        latencies.append(time.perf_counter() - started)
    if refused:
        raise SystemExit(f"{refused} limit checks were refused: lower --writes (at most {DESKS * PER_MINUTE} a minute)")
    return latencies


@dataclass(frozen=True)
class Figure:
    label: str
    records: int
    seconds: float
    latencies: list[float]

    @property
    def per_second(self) -> float:
        return self.records / self.seconds

    def line(self) -> str:
        quantiles = statistics.quantiles(self.latencies, n=100)
        return (f"  {self.label:<30} {self.per_second:8.0f} records/s  {1000 / self.per_second:6.2f} ms/record   "
                f"p50 {quantiles[49] * 1000:6.2f} ms   p99 {quantiles[98] * 1000:6.2f} ms")


def _threads(work: Callable[[int], list[float]], threads: int) -> tuple[float, list[float]]:
    """`work(seed)` on `threads` threads at once: (wall seconds, every latency)."""
    results: list[float] = []
    workers = [threading.Thread(target=lambda s=s: results.extend(work(s))) for s in range(threads)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return time.perf_counter() - started, results


def bench_writes(where: Callable[[str], str], writes: int, threads: int, processes: int) -> dict[str, Figure]:
    """Searches recorded from 1 thread, `threads` threads and `processes` processes."""
    figures = {}
    log = ActivityLog(where("one"))
    log.ensure_schema()
    started = time.perf_counter()
    latencies = _write(log, writes, 1)
    figures["1"] = Figure("records, 1 thread", writes, time.perf_counter() - started, latencies)
    log.close()

    shared = ActivityLog(where("threads"))
    shared.ensure_schema()
    seconds, latencies = _threads(lambda seed: _write(shared, writes // threads, seed), threads)
    figures["threads"] = Figure(f"records, {threads} threads", len(latencies), seconds, latencies)
    shared.close()

    code = ("import sys, time; sys.path.insert(0, sys.argv[3]); from bench.activity_log import _write; "
            "from kb_tools.measure.activity import ActivityLog; log = ActivityLog(sys.argv[1], busy_timeout=30); "
            "lat = _write(log, int(sys.argv[2]), int(sys.argv[4])); log.close(); print(' '.join(map(str, lat)))")
    target = where("processes")
    ActivityLog(target).close()  # created before the processes race to create it
    started = time.perf_counter()
    spawned = [subprocess.Popen([sys.executable, "-c", code, target, str(writes // processes), str(ROOT), str(p)],
                                stdout=subprocess.PIPE, text=True) for p in range(processes)]
    latencies = [float(x) for p in spawned for x in p.communicate()[0].split()]
    figures["processes"] = Figure(f"records, {processes} processes (+start)", len(latencies),
                                  time.perf_counter() - started, latencies)
    return figures


def bench_limits(where: Callable[[str], str], writes: int, threads: int) -> dict[str, Figure]:
    """The shared rate-limit write, from 1 thread and from `threads` threads sharing one log."""
    figures = {}
    for label, count in (("1", 1), ("threads", threads)):
        log = ActivityLog(where(f"limits-{label}"))
        log.ensure_schema()
        limiter = RateLimiter(PER_MINUTE, shared=log, name="/api/search")
        seconds, latencies = _threads(functools.partial(_limit, limiter, writes // count), count)
        figures[label] = Figure(f"limit checks, {count} thread{'s' if count > 1 else ''}", len(latencies), seconds,
                                latencies)
        log.close()
    return figures


def summary(engine: str, records: dict[str, Figure], limits: dict[str, Figure], threads: int) -> list[str]:
    """What one recorded search costs the log: its record plus its limit check."""
    lines = []
    for key, how in (("1", "1 thread"), ("threads", f"{threads} threads")):
        per_search = 1 / records[key].per_second + 1 / limits[key].per_second
        lines.append(f"  recorded search on {engine} ({how}): {records[key].seconds / records[key].records * 1000:.2f} ms "
                     f"record + {limits[key].seconds / limits[key].records * 1000:.2f} ms limit = "
                     f"{per_search * 1000:.2f} ms, {1 / per_search:.0f} searches/s")
    return lines


@contextlib.contextmanager
def postgres_databases(url: str | None, *, wanted: bool = True) -> Iterator[Callable[[str], str] | None]:
    """Where each PostgreSQL run writes: --log's database (every run in it), else a fresh database per
    run on a throw-away server (tests/postgres.py); None when PostgreSQL is not wanted or not installed."""
    if not wanted:
        yield None
        return
    if url:
        yield lambda name: url
        return
    sys.path.insert(0, str(ROOT / "tests"))
    from postgres import TempPostgres, find_bindir

    if find_bindir() is None:
        yield None
        return
    with TempPostgres() as server:
        yield lambda name: server.create_database(f"bench_{name.replace('-', '_')}")


def bench_report(folder: Path, month: int, url: str | None = None) -> None:
    import datetime as dt

    from kb_tools.content.model import load_collection

    log, rng = ActivityLog(folder / "month.sqlite"), random.Random(7)
    now, started = time.time(), time.perf_counter()
    for n in range(month):
        at = now - rng.random() * 30 * 86400
        search_id = log.record_search(_query(rng), results=rng.choice([0, 3, 8]), shown=["homehub/wifi-keeps-dropping.md"],
                                      session=f"desk-{n:06}", at=at)
        if n % 3 == 0 and search_id is not None:
            log.record_click(search_id, "homehub/wifi-keeps-dropping.md", rank=1, at=at + 5)
        if n % 20 == 0:
            log.record_feedback("homehub/wifi-keeps-dropping.md", helpful=n % 40 == 0, reason=None, at=at + 60)
    log.close()
    print(f"filled a month: {month} searches in {time.perf_counter() - started:.1f} s, "
          f"{(folder / 'month.sqlite').stat().st_size / 1e6:.1f} MB")
    targets = [("SQLite", str(folder / "month.sqlite"))]
    if url:
        from kb_tools.measure.log_admin import copy_log

        started = time.perf_counter()
        copied = copy_log(targets[0][1], url)
        took = time.perf_counter() - started
        print(f"kb log copy into PostgreSQL: {sum(copied.counts.values())} records in {took:.1f} s "
              f"({sum(copied.counts.values()) / took:.0f} records/s)")
        targets.append(("PostgreSQL", url))
    until = dt.date.today()
    since = until - dt.timedelta(days=29)
    collection = load_collection(ROOT / "docs")
    for engine, target in targets:
        started = time.perf_counter()
        activity = read_activity(target, since=period_bounds(since, until)[0])
        read = time.perf_counter() - started
        started = time.perf_counter()
        report = build_report(activity, collection, since=since, until=until)
        print(f"kb report over it on {engine}: read {read:.2f} s, built {time.perf_counter() - started:.2f} s "
              f"({report.searches} searches, {len(report.top_queries)} top queries)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--writes", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--month", type=int, default=100_000)
    parser.add_argument("--log", metavar="URL", help="an empty postgresql:// database to write to "
                                                     "[default: a throw-away server, as the tests start one]")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--month-log", metavar="URL", help="an empty postgresql:// database to copy the month into")
    args = parser.parse_args()
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores; "
          f"{args.writes} writes per run")
    totals: list[str] = []
    with tempfile.TemporaryDirectory(prefix="kb-activity-bench-") as tmp, \
            postgres_databases(args.log, wanted=not args.no_postgres) as postgres:
        engines: list[tuple[str, Callable[[str], str] | None]] = [
            ("SQLite", lambda name: str(Path(tmp) / f"{name}.sqlite"))]
        if not args.no_postgres:
            engines.append(("PostgreSQL", postgres))
        for engine, where in engines:
            if where is None:
                print(f"{engine}: not installed (no initdb), skipped")
                continue
            print(engine)
            records = bench_writes(where, args.writes, args.threads, args.processes)
            limits = bench_limits(where, args.writes, args.threads)
            print("\n".join(figure.line() for figure in (*records.values(), *limits.values())))
            totals += summary(engine, records, limits, args.threads)
        print("\n".join(["Per recorded search (a search or a POST: one record + one limit check):", *totals]))
        month_log = args.month_log or (postgres("month") if postgres is not None and not args.log else None)
        bench_report(Path(tmp), args.month, month_log)
    print(f"load average after {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
