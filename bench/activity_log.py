"""Activity log benchmark: records written per second, and `kb report` over a month of a busy floor.

    python bench/activity_log.py [--writes 2000] [--threads 8] [--processes 4] [--month 100000]
                                 [--log postgresql://... --month-log postgresql://...]

Writes searches (as `kb serve` does: scrubbed, as-you-type merging, reworded marks) into a fresh
log in a temporary folder, from one thread, from --threads threads sharing one ActivityLog, and
from --processes processes at once; prints records/s and p50/p99 latency of one write. Then fills a
log with --month searches (plus clicks and feedback) spread over 30 days and times reading it and
building the report over the sample docs/ (no findability). Figures depend on the machine's load,
printed with them. With `--log postgresql://...` the writes go to that database instead (the
write rate per record a floor's hosts can share); with `--month-log` (another, empty database)
the month is copied into it with `kb log copy` (timed) and the report is read from there.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb_tools.measure.activity import ActivityLog, read_activity  # noqa: E402
from kb_tools.measure.report import build_report, period_bounds  # noqa: E402

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


def _print(label: str, records: int, seconds: float, latencies: list[float]) -> None:
    quantiles = statistics.quantiles(latencies, n=100)
    print(f"{label:<28} {records / seconds:8.0f} records/s   p50 {quantiles[49] * 1000:6.2f} ms   "
          f"p99 {quantiles[98] * 1000:6.2f} ms")


def bench_writes(folder: Path, writes: int, threads: int, processes: int, url: str | None = None) -> None:
    def where(name: str) -> str:
        return url or str(folder / f"{name}.sqlite")

    log = ActivityLog(where("one"))
    started = time.perf_counter()
    latencies = _write(log, writes, 1)
    _print("1 thread", writes, time.perf_counter() - started, latencies)
    log.close()

    shared, results = ActivityLog(where("threads")), []
    workers = [threading.Thread(target=lambda s=s: results.extend(_write(shared, writes // threads, s)))
               for s in range(threads)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    _print(f"{threads} threads, one log", len(results), time.perf_counter() - started, results)
    shared.close()

    code = ("import sys, time; sys.path.insert(0, sys.argv[3]); from bench.activity_log import _write; "
            "from kb_tools.measure.activity import ActivityLog; log = ActivityLog(sys.argv[1], busy_timeout=30); "
            "lat = _write(log, int(sys.argv[2]), int(sys.argv[4])); print(' '.join(map(str, lat)))")
    started = time.perf_counter()
    spawned = [subprocess.Popen([sys.executable, "-c", code, where("processes"), str(writes // processes),
                                 str(ROOT), str(p)], stdout=subprocess.PIPE, text=True) for p in range(processes)]
    latencies = [float(x) for p in spawned for x in p.communicate()[0].split()]
    _print(f"{processes} processes (with start-up)", len(latencies), time.perf_counter() - started, latencies)


def bench_report(folder: Path, month: int, url: str | None = None) -> None:
    import datetime as dt

    from kb_tools.content.model import load_collection

    log, rng = ActivityLog(folder / "month.sqlite"), random.Random(7)
    now, started = time.time(), time.perf_counter()
    for n in range(month):
        at = now - rng.random() * 30 * 86400
        search_id = log.record_search(_query(rng), results=rng.choice([0, 3, 8]), shown=["homehub/wifi-keeps-dropping.md"],
                                      session=f"desk-{n:06}", at=at)
        if n % 3 == 0:
            log.record_click(search_id, "homehub/wifi-keeps-dropping.md", rank=1, at=at + 5)
        if n % 20 == 0:
            log.record_feedback("homehub/wifi-keeps-dropping.md", helpful=n % 40 == 0, reason=None, at=at + 60)
    log.close()
    print(f"filled a month: {month} searches in {time.perf_counter() - started:.1f} s, "
          f"{(folder / 'month.sqlite').stat().st_size / 1e6:.1f} MB")
    target = str(folder / "month.sqlite")
    if url:
        from kb_tools.measure.log_admin import copy_log

        started = time.perf_counter()
        copied = copy_log(target, url)
        took = time.perf_counter() - started
        print(f"kb log copy into PostgreSQL: {sum(copied.counts.values())} records in {took:.1f} s "
              f"({sum(copied.counts.values()) / took:.0f} records/s)")
        target = url
    until = dt.date.today()
    since = until - dt.timedelta(days=29)
    started = time.perf_counter()
    activity = read_activity(target, since=period_bounds(since, until)[0])
    read = time.perf_counter() - started
    collection = load_collection(ROOT / "docs")
    started = time.perf_counter()
    report = build_report(activity, collection, since=since, until=until)
    print(f"kb report over it: read {read:.2f} s, built {time.perf_counter() - started:.2f} s "
          f"({report.searches} searches, {len(report.top_queries)} top queries)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--writes", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--month", type=int, default=100_000)
    parser.add_argument("--log", metavar="URL", help="a postgresql:// database to write to instead of SQLite")
    parser.add_argument("--month-log", metavar="URL", help="an empty postgresql:// database to copy the month into")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="kb-activity-bench-") as tmp:
        bench_writes(Path(tmp), args.writes, args.threads, args.processes, args.log)
        bench_report(Path(tmp), args.month, args.month_log)


if __name__ == "__main__":
    main()
