"""The activity log shared by many processes and hosts: PostgreSQL, limits across workers, the spool, `kb log`.

A real PostgreSQL server for the session (tests/postgres.py, `postgres` in conftest), a fresh
database per test, real `kb serve` processes ("hosts", each with its own copy of the index, so
its own spool) writing to it.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlencode

import pytest
from click.testing import CliRunner
from conftest import SAMPLE_DOCS, SERVED_INDEXES, kb_serve
from postgres import TempPostgres
from test_feedback_api import ARTICLE_PATH, post, search, send

from kb_tools.cli import main
from kb_tools.measure.activity import ActivityLog
from kb_tools.measure.log_admin import copy_log
from kb_tools.measure.log_read import read_activity
from kb_tools.measure.log_spool import SPOOL_FILE, Spool
from kb_tools.measure.log_store import MIGRATIONS, SCHEMA_VERSION, open_store
from kb_tools.measure.report import build_report

TODAY = dt.date.today()


def noon(days_ago: int) -> float:
    return dt.datetime.combine(TODAY - dt.timedelta(days=days_ago), dt.time(12)).timestamp()


def write_records(log: ActivityLog) -> None:
    """The same desk activity, whatever keeps it: typed, reworded, opened, voted, stuck."""
    for n, text in enumerate(["wifi password forgotten", "WiFi password  forgotten"]):
        log.record_search(text, results=0, session=f"desk-000{n}", at=noon(0) + n)
    log.record_search("router lights", results=2, shown=["a.md", "b.md"], session="desk-0010", at=noon(1),
                      confidence="none")
    log.record_search("portal locked", results=1, shown=["b.md"], session="desk-0020", at=noon(1) + 100,
                      as_you_type=True, confidence="strong")
    log.record_search("portal locked out", results=1, shown=["b.md"], session="desk-0020", at=noon(1) + 103,
                      as_you_type=True, confidence="none")  # typed on: the same row, now matching badly
    final = log.record_search("cannot log in", results=1, shown=["c.md"], session="desk-0020", at=noon(1) + 120)
    assert final is not None
    log.record_click(final, "c.md", rank=1, at=noon(1) + 125)
    log.record_search("reset router", results=3, shown=["a.md"], session="desk-0030", at=noon(20))
    log.record_feedback("a.md", helpful=False, reason="missing-step", comment="call jo@example.com", step=2, via="call",
                        at=noon(0))
    log.record_feedback("c.md", helpful=True, at=noon(1))
    for n in range(2):  # two calls stuck after the same answers, across two articles
        log.record_feedback("c.md", helpful=False, step=3, via="call", at=noon(0) + 10 + n,
                            trail=[("a.md", 1, "Blinking red"), ("c.md", 2, "AUTH-423")])
    # An old stuck call and two hand-offs, one older than every search (the log starts with it).
    log.record_feedback("a.md", helpful=False, step=1, via="call", at=noon(21), trail=[("a.md", 1, "Blinking red")])
    log.record_handoff("c.md", team="network-support", step=3, depth="expert", via="call", session="desk-0020",
                       at=noon(0) + 20)
    log.record_handoff("a.md", team="billing", at=noon(22))


def version_1_log(url: str, query: str, at: float) -> None:
    """A log on the database as the kb before the shared limits wrote it (schema 1), with one search."""
    store = open_store(url)
    with store.transaction() as tx:
        for statement in MIGRATIONS[0].format(**store.types).split(";\n"):
            tx.run(statement)
        store.set_version(tx, 1)
        tx.run("INSERT INTO searches (at, source, query, filters, results, shown) VALUES (?, 'api', ?, '{}', 0, '[]')",
               (at, query))
    store.close()


def stuck_on(report: dict, path: str) -> list[dict]:
    return next((h["stuck_branches"] for h in report["helpfulness"] if h["path"] == path), [])


def report_of(target: Path | str, *, days: int = 30) -> dict:
    since = TODAY - dt.timedelta(days=days)
    lo = dt.datetime.combine(since, dt.time()).timestamp()
    data = build_report(read_activity(target, since=lo), None, since=since, until=TODAY).to_dict()
    data.pop("log")  # where the log is: the one thing that differs
    return data


def hosts(n: int, index: Path, root: Path) -> list[Path]:
    """`n` copies of the index, as `n` hosts would have (each with its own spool beside it)."""
    copies = []
    for number in range(n):
        copy = root / f"host{number}" / "search_index"
        shutil.copytree(index, copy)
        copies.append(copy)
    return copies


@pytest.fixture(scope="module")
def served_index(served_kb: str) -> Path:
    return SERVED_INDEXES[served_kb]  # /api/health names only the folder


# --- one schema, one report, two back ends --------------------------------------------------------


def test_the_report_is_the_same_on_sqlite_and_postgresql(pg_url: str, tmp_path: Path):
    for target in (tmp_path / "log.sqlite", pg_url):
        log = ActivityLog(target)
        write_records(log)
        log.close()
    on_sqlite, on_postgres = report_of(tmp_path / "log.sqlite"), report_of(pg_url)
    assert on_sqlite == on_postgres
    assert on_sqlite["searches"] == 6 and on_sqlite["reworded"] == 1 and on_sqlite["votes"] == 5
    assert stuck_on(on_sqlite, "c.md") == [{"trail": [{"article": "a.md", "step": 1, "outcome": "Blinking red"},
                                                      {"article": "c.md", "step": 2, "outcome": "AUTH-423"}],
                                            "step": 3, "count": 2}]
    assert on_sqlite["handoffs"] == 2
    assert {t["team"]: t["count"] for t in on_sqlite["handoffs_by_team"]} == {"network-support": 1, "billing": 1}
    # The oldest record is a hand-off: the log starts with it, whatever kind it is.
    assert on_sqlite["log_starts"] == (TODAY - dt.timedelta(days=22)).isoformat()
    # Each search's confidence is kept (as typed on, the last one's): the gaps are those with no good match.
    assert on_sqlite["no_good_match"] == 4
    assert {q["query"] for q in on_sqlite["no_match_queries"]} == {"wifi password forgotten", "router lights",
                                                                   "portal locked out"}
    assert report_of(pg_url, days=6)["searches"] == 5  # the period, on the database too


def test_kb_log_copy_round_trip_is_idempotent_and_counts_in_equal_counts_out(pg_url: str, tmp_path: Path):
    source, back = tmp_path / "log.sqlite", tmp_path / "back.sqlite"
    log = ActivityLog(source)
    write_records(log)
    log.close()
    runner = CliRunner()

    def interrupt(table: str, done: int) -> None:
        if table == "feedback":
            raise KeyboardInterrupt  # Ctrl-C (or a lost connection) half-way: after the first batch of feedback

    with pytest.raises(KeyboardInterrupt):
        copy_log(str(source), pg_url, progress=interrupt, batch=2)
    first = runner.invoke(main, ["log", "copy", str(source), pg_url], catch_exceptions=False)
    assert first.exit_code == 0, first.output  # the next run finishes it
    assert "14 records in both logs (6 searches, 1 clicks, 5 feedback, 2 handoffs); 5 copied now, 9 were already " \
           "there" in first.stdout  # 6 searches, 1 click and 2 feedback rows were in
    again = runner.invoke(main, ["log", "copy", str(source), pg_url], catch_exceptions=False)
    assert "14 records in both logs" in again.stdout and "0 copied now, 14 were already there" in again.stdout
    assert copy_log(pg_url, str(back)).counts == {"searches": 6, "clicks": 1, "feedback": 5, "handoffs": 2}
    assert report_of(source) == report_of(pg_url) == report_of(back)  # the trails and hand-offs too
    assert stuck_on(report_of(back), "c.md")[0]["count"] == 2
    assert [(h.article, h.team, h.step, h.depth, h.via) for h in read_activity(back).handoffs] == [
        ("a.md", "billing", None, None, "article"), ("c.md", "network-support", 3, "expert", "call")]
    # Pruned by date on the copy: each kind counted, the trail going with its feedback row.
    cut = (TODAY - dt.timedelta(days=15)).isoformat()
    pruned = runner.invoke(main, ["log", "prune", "--log", str(back), "--before", cut], catch_exceptions=False)
    assert f"deleted 1 searches, 0 clicks, 1 feedback and 1 hand-off records from before {cut}." in pruned.stdout
    assert stuck_on(report_of(back), "a.md") == [] and len(read_activity(back).handoffs) == 1
    # New records after the copy get new ids on the database (its identity follows the copied ids).
    added = ActivityLog(pg_url)
    added.record_feedback("a.md", helpful=True)
    added.record_handoff("a.md", team="billing")
    added.close()  # a pool left to the garbage collector may be collected in its own worker thread, which cannot join itself
    assert len(read_activity(pg_url).feedback) == 6 and len(read_activity(pg_url).handoffs) == 3
    # A log with records of its own is refused, with the reason.
    other = tmp_path / "other.sqlite"
    own = ActivityLog(other)
    own.record_feedback("z.md", helpful=True)
    own.close()
    refused = runner.invoke(main, ["log", "copy", str(source), str(other)])
    assert refused.exit_code == 1 and "holds records of its own; copy into an empty log" in refused.output


def test_kb_log_upgrade_brings_a_version_1_log_up_and_prune_keeps_the_period(pg_url: str, tmp_path: Path):
    import sqlite3

    old = tmp_path / "old.sqlite"
    with sqlite3.connect(old) as db:  # a log written by the kb before the shared limits
        db.executescript("CREATE TABLE searches (id INTEGER PRIMARY KEY, at REAL NOT NULL, source TEXT NOT NULL, "
                         "session TEXT, query TEXT NOT NULL, filters TEXT NOT NULL, results INTEGER NOT NULL, "
                         "shown TEXT NOT NULL, reworded_as INTEGER); CREATE TABLE clicks (id INTEGER PRIMARY KEY, "
                         "search_id INTEGER NOT NULL, at REAL NOT NULL, article TEXT NOT NULL, rank INTEGER); "
                         "CREATE TABLE feedback (id INTEGER PRIMARY KEY, at REAL NOT NULL, article TEXT NOT NULL, "
                         "helpful INTEGER NOT NULL, reason TEXT, comment TEXT, step INTEGER, depth TEXT, "
                         "via TEXT NOT NULL, session TEXT); PRAGMA user_version = 1;")
    runner = CliRunner()
    done = runner.invoke(main, ["log", "upgrade", "--log", str(old)], catch_exceptions=False)
    assert done.stdout == f"{old}: schema 1 -> {SCHEMA_VERSION}\n"
    version_1_log(pg_url, "old", noon(2))  # the same version-1 log on the database
    done = runner.invoke(main, ["log", "upgrade", "--log", pg_url], catch_exceptions=False)
    assert done.stdout.endswith(f": schema 1 -> {SCHEMA_VERSION}\n")
    again = runner.invoke(main, ["log", "upgrade", "--log", pg_url], catch_exceptions=False)
    assert again.stdout.endswith(f": schema {SCHEMA_VERSION} (already)\n")
    assert [(s.query, s.confidence) for s in read_activity(pg_url).searches] == [("old", None)]  # kept, in place
    log = ActivityLog(pg_url)
    write_records(log)
    log.close()
    pruned = runner.invoke(main, ["log", "prune", "--log", pg_url, "--retention-days", "10"], catch_exceptions=False)
    assert "deleted 1 searches, 0 clicks, 1 feedback and 1 hand-off records" in pruned.stdout
    assert "retention_days is 10" in pruned.stdout
    data = report_of(pg_url)
    assert data["searches"] == 6 and data["log_starts"] == (TODAY - dt.timedelta(days=2)).isoformat()
    assert data["handoffs"] == 1 and data["votes"] == 4
    # The report says which period it covers: the one asked for, cut to what the log still holds.
    text = runner.invoke(main, ["report", "--log", pg_url, "--docs", str(SAMPLE_DOCS), "--since",
                                (TODAY - dt.timedelta(days=29)).isoformat(), "--no-findability"],
                         catch_exceptions=False).stdout
    assert text.startswith(f"kb report: {TODAY - dt.timedelta(days=29)} to {TODAY}")
    assert f"this report covers {TODAY - dt.timedelta(days=2)} to {TODAY}" in text
    assert runner.invoke(main, ["log", "prune", "--log", pg_url]).exit_code == 2  # nothing said: usage error


# --- many hosts, one database -----------------------------------------------------------------------


def test_three_hosts_write_one_database_and_the_desk_limit_holds_across_them(
        pg_url: str, postgres: TempPostgres, served_index: Path, sample_site: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch):
    database = pg_url.rsplit("/", 1)[1]
    # A record older than the log's retention_days: the hosts prune it as they write.
    runner = CliRunner()
    assert runner.invoke(main, ["log", "prune", "--log", pg_url, "--retention-days", "30"]).exit_code == 0
    old = ActivityLog(pg_url)
    old.record_search("forgotten long ago", results=0, at=noon(40))
    old.close()
    monkeypatch.setenv("KB_LOG", pg_url)  # hosts 1 and 2 find the database by KB_LOG, host 0 by --log
    with ExitStack() as stack:
        urls = [stack.enter_context(kb_serve(sample_site, index, *(["--log", pg_url] if n == 0 else []),
                                             "--docs", str(SAMPLE_DOCS)))[1]
                for n, index in enumerate(hosts(3, served_index, tmp_path))]
        for number, url in enumerate(urls):
            assert search(url, f"router keeps dropping host{number}", f"tests-host-{number}").status == 200
            handed = post(url, "handoff", {"article": ARTICLE_PATH, "team": "network-support", "step": number + 1,
                                           "via": "call"}, f"tests-host-{number}")
            assert handed.status == 201, handed.body
            assert send(url, "GET", "/api/health").json()["activity_log"] == "ok"
        # One desk, its posts spread over the three hosts by the load balancer: 30 a minute in all.
        answers = [post(urls[n % 3], "feedback", {"article": ARTICLE_PATH, "helpful": True}, "tests-floor-0001").status
                   for n in range(36)]
        assert answers.count(201) == 30 and answers[30:] == [429] * 6
        assert post(urls[1], "feedback", {"article": ARTICLE_PATH, "helpful": True}, "tests-floor-0002").status == 201
        page = send(urls[0], "GET", "/report")  # one host's /report: every host's searches
        assert page.status == 200 and all(f"router keeps dropping host{n}".encode() in page.body for n in range(3))
    # A `kb search` on a fourth machine writes to the same database (KB_LOG), and
    assert runner.invoke(main, ["search", "router keeps dropping cli", "--index", str(served_index)],
                         catch_exceptions=False).exit_code == 0
    # a fifth process, the report, sees every host's records and knows the database by KB_LOG alone.
    report = subprocess.run([str(Path(sys.executable).with_name("kb")), "report", "--docs", str(SAMPLE_DOCS),
                             "--index", str(served_index), "--json", "--no-findability"],
                            capture_output=True, text=True, check=True, env={**os.environ, "KB_LOG": pg_url})
    data = json.loads(report.stdout)
    queries = {q["query"] for q in data["top_queries"] + data["zero_result_queries"] + data["unopened_queries"]}
    assert {f"router keeps dropping host{n}" for n in range(3)} | {"router keeps dropping cli"} <= queries
    assert data["searches"] == 4 and data["votes"] == 31 and data["handoffs"] == 3
    assert "forgotten long ago" not in queries  # pruned by retention_days, by the hosts
    assert postgres.sql("SELECT count(*) FROM searches WHERE query = 'forgotten long ago'", database).strip() == "0"
    assert postgres.sql("SELECT max(version) FROM kb_schema", database).strip() == str(SCHEMA_VERSION)


def connections_to_each_worker(url: str, workers: int) -> list[http.client.HTTPConnection]:
    """One kept-alive connection answered by each worker of a `kb serve --workers N`."""
    host, port = url.removeprefix("http://").split(":")
    by_worker: dict[int, http.client.HTTPConnection] = {}
    deadline = time.monotonic() + 60
    while len(by_worker) < workers:  # connections are shared out between the workers: open some until each answers
        assert time.monotonic() < deadline, "a worker never answered"
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        worker = send(url, "GET", "/api/health", connection=connection).json()["process"]
        if worker in by_worker:
            connection.close()
        else:
            by_worker[worker] = connection
    return list(by_worker.values())


def test_the_limit_holds_across_two_workers_on_sqlite(served_index: Path, sample_site: Path, tmp_path: Path):
    log = tmp_path / "log.sqlite"
    with kb_serve(sample_site, served_index, "--log", str(log), "--workers", "2") as (_, url):
        connections = connections_to_each_worker(url, 2)
        try:
            answers = [post(url, "feedback", {"article": ARTICLE_PATH, "helpful": True}, "tests-workers-01",
                            connection=connections[n % 2]).status for n in range(36)]
        finally:
            for connection in connections:
                connection.close()
    assert answers.count(201) == 30 and answers[30:] == [429] * 6
    assert len(read_activity(log).feedback) == 30


# --- the database away ------------------------------------------------------------------------------


def postgres_count(server: TempPostgres, database: str, table: str) -> int:
    return int(server.sql(f"SELECT count(*) FROM {table}", database))


def wait_for(condition: object, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


@pytest.fixture
def database_down(postgres: TempPostgres) -> Iterator[TempPostgres]:
    """The session's server, which the test stops; started again however the test ends."""
    yield postgres
    try:
        postgres.start()
    except Exception:  # noqa: BLE001 - already running
        pass


def test_records_wait_while_the_database_is_down_and_arrive_exactly_once(
        pg_url: str, database_down: TempPostgres, served_index: Path, sample_site: Path, tmp_path: Path):
    database = pg_url.rsplit("/", 1)[1]
    version_1_log(pg_url, "kept from version 1", time.time() - 60)  # the hosts upgrade it as they start
    with ExitStack() as stack:
        urls = [stack.enter_context(kb_serve(sample_site, index, "--log", pg_url, "--docs", str(SAMPLE_DOCS)))[1]
                for index in hosts(2, served_index, tmp_path)]
        assert database_down.sql("SELECT max(version) FROM kb_schema", database).strip() == str(SCHEMA_VERSION)
        before = search(urls[0], "router lights before", "tests-down-0001")
        assert before.status == 200 and before.headers["x-kb-search-id"].isdigit()
        database_down.stop()
        during = [search(urls[n % 2], f"wifi dropping during {n}", f"tests-down-{n:04d}") for n in range(6)]
        assert all(answer.status == 200 and answer.json()["hits"] for answer in during)  # search keeps answering
        votes = [post(urls[n % 2], "feedback", {"article": ARTICLE_PATH, "helpful": n % 2 == 0, "reason": None},
                      f"tests-down-v{n:03d}") for n in range(4)]
        assert [v.status for v in votes] == [202] * 4 and votes[0].json() == {"article": ARTICLE_PATH, "queued": True}
        handoffs = [post(urls[n % 2], "handoff", {"article": ARTICLE_PATH, "team": team, "step": n + 1, "via": "call"},
                         f"tests-down-h{n:03d}") for n, team in enumerate(["network-support", "billing", "provisioning"])]
        assert [h.status for h in handoffs] == [202] * 3 and all(h.json()["queued"] for h in handoffs)
        clicked = post(urls[1], "click", {"search": int(before.headers["x-kb-search-id"]), "article": ARTICLE_PATH})
        assert clicked.status == 202
        health = [send(url, "GET", "/api/health").json()["activity_log"] for url in urls]
        # host 0: 3 searches + 2 votes + 2 hand-offs; host 1: the same, 1 hand-off and the click
        assert health == ["degraded (7 waiting)", "degraded (7 waiting)"]
        database_down.start()
        wait_for(lambda: all(send(url, "GET", "/api/health").json()["activity_log"] == "ok" for url in urls))
    activity = read_activity(pg_url)
    queries = sorted(s.query for s in activity.searches)
    assert queries == sorted(["kept from version 1", "router lights before",
                              *(f"wifi dropping during {n}" for n in range(6))])
    for host in range(2):  # each host's records forwarded in the order they were made
        mine = [s.query for s in sorted(activity.searches, key=lambda s: s.id) if s.query.startswith("wifi")
                and int(s.query.rsplit(" ", 1)[1]) % 2 == host]
        assert mine == [f"wifi dropping during {n}" for n in range(host, 6, 2)]
    assert len(activity.feedback) == 4 and sum(f.helpful for f in activity.feedback) == 2
    assert sorted((h.team, h.step, h.via) for h in activity.handoffs) == [
        ("billing", 2, "call"), ("network-support", 1, "call"), ("provisioning", 3, "call")]
    assert [s.opened for s in activity.searches if s.query == "router lights before"] == [(ARTICLE_PATH,)]
    # Exactly once: each of the 14 spooled records was applied under its own uid, and nothing waits.
    assert postgres_count(database_down, database, "forwarded") == 14
    assert [len(activity.searches), len(activity.feedback), len(activity.handoffs)] == [8, 4, 3]
    for host in range(2):
        spool = Spool(tmp_path / f"host{host}" / SPOOL_FILE)  # beside each host's index
        assert spool.path.is_file() and spool.count() == 0
        spool.close()


def test_two_workers_of_one_host_share_its_spool_its_health_and_forward_each_record_once(
        pg_url: str, database_down: TempPostgres, served_index: Path, sample_site: Path, tmp_path: Path):
    database = pg_url.rsplit("/", 1)[1]
    (index,) = hosts(1, served_index, tmp_path)
    spool_path = index.parent / SPOOL_FILE
    with kb_serve(sample_site, index, "--log", pg_url, "--docs", str(SAMPLE_DOCS), "--workers", "2") as (_, url):
        connections = connections_to_each_worker(url, 2)
        try:
            database_down.stop()
            for n in range(12):  # the first worker spools them all
                query = urlencode({"q": f"modem offline while down {n}"})
                assert send(url, "GET", f"/api/search?{query}", connection=connections[0]).status == 200
                handed = post(url, "handoff", {"article": ARTICLE_PATH, "team": "billing"}, f"tests-workers-{n:04d}",
                              connection=connections[0])
                assert handed.status == 202
            # The other worker wrote nothing, yet its health says what waits on the host,
            health = [send(url, "GET", "/api/health", connection=c).json()["activity_log"] for c in connections]
            assert health == ["degraded (24 waiting)"] * 2
            time.sleep(1.1)  # (it looks at the host's spool once a second)
            for n in range(12, 16):  # and it spools behind the first worker's records (two forwarders, then)
                query = urlencode({"q": f"modem offline while down {n}"})
                assert send(url, "GET", f"/api/search?{query}", connection=connections[1]).status == 200
            spool = Spool(spool_path)
            try:
                assert spool.count() == 28  # one file for the host, whichever worker spooled
                database_down.start()
                wait_for(lambda: spool.count() == 0)
            finally:
                spool.close()
        finally:
            for connection in connections:
                connection.close()
    activity = read_activity(pg_url)
    assert sorted(s.query for s in activity.searches) == sorted(f"modem offline while down {n}" for n in range(16))
    assert len(activity.handoffs) == 12 and postgres_count(database_down, database, "forwarded") == 28
    # In the host's order: the second worker's records after the first's.
    assert [s.query for s in sorted(activity.searches, key=lambda s: s.id)][12:] == [
        f"modem offline while down {n}" for n in range(12, 16)]


def test_a_slow_database_spools_the_record_instead_of_making_the_desk_wait(pg_url: str, tmp_path: Path):
    import psycopg

    log = ActivityLog(pg_url, spool=tmp_path / SPOOL_FILE, statement_timeout=1.0)
    try:
        assert log.record_search("before the lock", results=1) is not None
        with psycopg.connect(pg_url) as blocker:  # another program holds the table: every insert waits
            blocker.execute("LOCK TABLE searches IN ACCESS EXCLUSIVE MODE")
            started = time.monotonic()
            assert log.record_search("while it is slow", results=1) is None  # spooled, not an error
            assert time.monotonic() - started < 10  # the statement timeout, not the lock, decided
            assert log.state() == "degraded (1 waiting)"
            assert log.record_feedback("a.md", helpful=True) is None  # behind it, in order
            blocker.rollback()
        wait_for(lambda: log.state() == "ok")
        assert log.record_search("after", results=1) is not None
    finally:
        log.close()
    activity = read_activity(pg_url)
    assert [s.query for s in activity.searches] == ["before the lock", "while it is slow", "after"]
    assert len(activity.feedback) == 1


def test_a_database_that_cannot_be_reached_is_one_clear_line(postgres: TempPostgres):
    runner = CliRunner()
    for url, reason in [(postgres.url_of("nosuchdb"), 'database "nosuchdb" does not exist'),
                        ("postgresql://kb:secret@127.0.0.1:1/kb", "Connection refused")]:
        result = runner.invoke(main, ["report", "--log", url, "--no-findability"])
        assert result.exit_code == 1 and reason in result.output and "check the URL" in result.output
        assert "Traceback" not in result.output and "secret" not in result.output
