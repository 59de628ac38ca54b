"""The activity log: scrubbing, what a search record becomes, many writers at once, locked and full logs."""

from __future__ import annotations

import contextlib
import sqlite3
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from conftest import ROOT

from kb_tools.measure.activity import (
    LOG_FILE,
    SCHEMA_VERSION,
    ActivityLog,
    ActivityLogError,
    log_location,
)
from kb_tools.measure.log_read import read_activity
from kb_tools.measure.scrub import scrub

# --- scrubbing ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "stored"), [
    # e-mail addresses
    ("reset for jo.smith+kb@example.co.uk please", "reset for [email] please"),
    ("MAIL: A_B@mail-host.com", "MAIL: [email]"),
    # phone numbers: international, bracketed area code, grouped, local
    ("call back on +44 20 7946 0958", "call back on [phone]"),
    ("+1 (555) 123-4567 no dial tone", "[phone] no dial tone"),
    ("(020) 7946 0958", "[phone]"),
    ("mobile 07700 900123", "mobile [phone]"),
    ("ring 555-1234 after 5", "ring [phone] after 5"),
    # card and account numbers: long digit runs, however grouped
    ("card 4111 1111 1111 1111 declined", "card [number] declined"),
    ("card 4111-1111-1111-1111", "card [number]"),
    ("account 12345678 locked", "account [number] locked"),
    ("iban DE89 3704 0044 0532 0130 00", "iban DE89 [number]"),
    # what support needs stays as typed
    ("error PAY-051 after 2 days", "error PAY-051 after 2 days"),
    ("admin page 192.168.50.1 port 8080 443", "admin page 192.168.50.1 port 8080 443"),
    ("HomeHub 6 firmware 4.2.1 AX3000 0x80070005", "HomeHub 6 firmware 4.2.1 AX3000 0x80070005"),
    ("5 GHz channel 36-48, £49.99 a month in 2026", "5 GHz channel 36-48, £49.99 a month in 2026"),
])
def test_scrub_replaces_each_kind_of_personal_data_and_keeps_the_rest(typed: str, stored: str):
    assert scrub(typed) == stored


def test_nothing_personal_reaches_the_file(tmp_path: Path):
    path = tmp_path / "log.sqlite"
    log = ActivityLog(path)
    log.record_search("refund jo@example.com card 4111 1111 1111 1111", results=2, session="desk-0001")
    log.record_feedback("a.md", helpful=False, reason="other", comment="caller +44 20 7946 0958\nacct 98765432")
    log.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir())  # the database, its WAL and shared memory
    for secret in (b"jo@example.com", b"4111 1111", b"7946 0958", b"98765432"):
        assert secret not in raw
    activity = read_activity(path)
    assert activity.searches[0].query == "refund [email] card [number]"
    assert activity.feedback[0].comment == "caller [phone]\nacct [number]"


# --- what a search becomes -----------------------------------------------------------------------------


def test_as_you_type_searches_merge_and_a_new_wording_marks_the_last_one_reworded(tmp_path: Path):
    log = ActivityLog(tmp_path / "log.sqlite")
    typed = [log.record_search(text, results=n, shown=["a.md"] * bool(n), session="desk-0001", as_you_type=True, at=t)
             for text, n, t in [("my int", 3, 100.0), ("my internet", 2, 101.0), ("my internet keeps", 0, 102.5)]]
    assert typed[0] == typed[1] == typed[2]  # one search, still being typed
    reworded = log.record_search("router offline", results=4, shown=["b.md"], session="desk-0001", as_you_type=True,
                                 at=130.0)
    assert reworded != typed[0]
    assert log.record_click(reworded, "b.md", rank=1)
    after_click = log.record_search("router offline lights", results=1, session="desk-0001", as_you_type=True,
                                    at=131.0)
    assert after_click != reworded  # a search something was opened from is never rewritten
    other_desk = log.record_search("router offline", results=4, session="desk-0002", at=132.0)
    much_later = log.record_search("bill", results=2, session="desk-0002", at=132.0 + 61)
    assert not log.record_click(999, "b.md")
    log.close()

    rows = {row.id: row for row in read_activity(tmp_path / "log.sqlite").searches}
    assert rows[typed[0]].query == "my internet keeps" and rows[typed[0]].results == 0 and rows[typed[0]].at == 102.5
    assert rows[typed[0]].reworded_as == reworded
    assert rows[reworded].opened == ("b.md",) and rows[reworded].reworded_as is None
    assert rows[other_desk].reworded_as is None  # more than a minute before the next search of its desk
    assert len(rows) == 5 and much_later in rows


def test_feedback_values_are_checked_by_the_store_too(tmp_path: Path):
    log = ActivityLog(tmp_path / "log.sqlite")
    with pytest.raises(ValueError, match="reason must be one of inaccurate, missing-step"):
        log.record_feedback("a.md", helpful=False, reason="boring")
    log.record_feedback("a.md", helpful=True, via="call", depth="expert", step=None)
    log.close()
    (row,) = read_activity(tmp_path / "log.sqlite").feedback
    assert (row.helpful, row.via, row.depth) == (True, "call", "expert")


def test_reading_a_period_keeps_only_its_rows(tmp_path: Path):
    log = ActivityLog(tmp_path / "log.sqlite")
    for at in (10.0, 20.0, 30.0):
        log.record_search(f"query at {at}", results=1, at=at)
        log.record_feedback("a.md", helpful=True, at=at)
    log.close()
    activity = read_activity(tmp_path / "log.sqlite", since=15.0, until=30.0)
    assert [s.at for s in activity.searches] == [20.0] and [f.at for f in activity.feedback] == [20.0]


# --- where the log is ------------------------------------------------------------------------------


@pytest.mark.parametrize(("setting", "expected"), [
    (None, "beside"), ("", "beside"), ("off", None), ("OFF", None), ("no", None), ("0", None),
    ("/var/lib/kb/log.sqlite", Path("/var/lib/kb/log.sqlite")),
])
def test_log_location(setting: str | None, expected: object, tmp_path: Path):
    found = log_location(setting, tmp_path / "search_index")
    assert found == (tmp_path / LOG_FILE if expected == "beside" else expected)


def test_a_missing_or_off_log_reads_as_empty_with_a_note(tmp_path: Path):
    assert "off" in (read_activity(None).note or "")
    missing = read_activity(tmp_path / "none.sqlite")
    assert missing.searches == [] and "no activity log at" in (missing.note or "")
    assert not (tmp_path / "none.sqlite").exists()  # reading never creates it


# --- many writers -----------------------------------------------------------------------------------


def test_threads_writing_at_once_lose_nothing(tmp_path: Path):
    shared = ActivityLog(tmp_path / "log.sqlite")
    own = [ActivityLog(tmp_path / "log.sqlite") for _ in range(3)]  # other processes would have their own

    def write(log: ActivityLog, worker: int) -> None:
        for n in range(40):
            log.record_search(f"worker {worker} query {n}", results=n % 3, session=f"desk-{worker:04}")
            log.record_feedback("a.md", helpful=n % 2 == 0, comment=f"w{worker} n{n}")

    threads = [threading.Thread(target=write, args=(shared if w < 5 else own[w - 5], w)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for log in (shared, *own):
        log.close()
    activity = read_activity(tmp_path / "log.sqlite")
    assert len(activity.searches) == 8 * 40 and len(activity.feedback) == 8 * 40
    assert len({f.comment for f in activity.feedback}) == 8 * 40


WRITER = textwrap.dedent("""
    import sys
    from kb_tools.measure.activity import ActivityLog
    log = ActivityLog(sys.argv[1], busy_timeout=10)
    for n in range(int(sys.argv[3])):
        log.record_search(f"process {sys.argv[2]} query {n}", results=1, session=f"desk-{sys.argv[2]:0>4}")
        log.record_feedback("a.md", helpful=True, comment=f"p{sys.argv[2]} n{n}")
    log.close()
""")


def test_processes_writing_at_once_lose_nothing(tmp_path: Path):
    path = tmp_path / "log.sqlite"
    processes = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(p), "60"], cwd=ROOT,
                                  stderr=subprocess.PIPE, text=True) for p in range(4)]
    for process in processes:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
    activity = read_activity(path)
    assert len(activity.searches) == 4 * 60 and len({f.comment for f in activity.feedback}) == 4 * 60
    with contextlib.closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


# --- when the log cannot be written -----------------------------------------------------------------


def test_a_locked_log_gives_a_clear_message_and_works_again_once_released(tmp_path: Path):
    path = tmp_path / "log.sqlite"
    log = ActivityLog(path, busy_timeout=0.2)
    log.record_search("first", results=1)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another program holding the write lock
    try:
        with pytest.raises(ActivityLogError) as caught:
            log.record_search("second", results=1)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    message = str(caught.value)
    assert message.startswith(f"the activity log {path} is locked by another program")
    assert "KB_LOG=off" in message
    log.record_search("third", results=1)
    log.close()
    assert [s.query for s in read_activity(path).searches] == ["first", "third"]


def test_a_full_log_gives_a_clear_message_and_keeps_what_it_had(tmp_path: Path):
    path = tmp_path / "log.sqlite"
    log = ActivityLog(path, max_bytes=128 * 1024)  # a size cap: the same SQLite error as a full disk
    written = 0
    with pytest.raises(ActivityLogError) as caught:
        for n in range(10_000):
            log.record_feedback("a.md", helpful=False, reason="other", comment=f"{n} " + "x" * 900)
            written += 1
    log.close()
    assert str(caught.value).startswith(f"cannot write the activity log {path}: the disk (or the log's size limit) is full")
    assert written > 10 and len(read_activity(path).feedback) == written


def test_not_a_log_and_a_newer_log_are_refused_by_name(tmp_path: Path):
    junk = tmp_path / "junk.sqlite"
    junk.write_text("this is not a database, it is a note\n" * 200)
    with pytest.raises(ActivityLogError, match=r"junk.sqlite is not a kb activity log"):
        ActivityLog(junk).record_search("x", results=0)
    newer = tmp_path / "newer.sqlite"
    with contextlib.closing(sqlite3.connect(newer)) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(ActivityLogError, match="written by a newer kb"):
        ActivityLog(newer).record_search("x", results=0)
    with pytest.raises(ActivityLogError, match="written by a newer kb"):
        read_activity(newer)


def test_a_missing_folder_names_the_fix(tmp_path: Path):
    with pytest.raises(ActivityLogError, match="its folder is missing or not writable"):
        ActivityLog(tmp_path / "no" / "such" / "log.sqlite").record_search("x", results=0)
