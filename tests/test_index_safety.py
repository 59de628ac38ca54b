"""The index build is safe with real processes: `kb index` killed or interrupted midway, two at once,
a searcher in another process during a rebuild, and missing, damaged or too-old indexes.

Builds are caught "midway" by polling for their `.partial` folder, and held there with SIGSTOP when
a test needs time to look; nothing waits on a sleep. Builds are lexical only (`--no-semantic`, and a
KB_MODEL_DIR with no model in it): these tests are about storage, not embeddings.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, article

from kb_tools.errors import IndexBusyError
from kb_tools.search import Searcher, build_index, storage
from kb_tools.search.indexer import (
    _PARALLEL_FROM,  # from this many changed files, parsing is parallel
)

sys.path.insert(0, str(ROOT / "bench"))
from generate_kb import generate_kb  # noqa: E402

KB = str(Path(sys.executable).with_name("kb"))
BIG_ARTICLES = 40  # parsing these takes about a second: a wide window to catch the build midway
TIMEOUT = 90.0  # generous: the machine is shared; a healthy run takes a fraction of it

# Loops searching until the stop file appears, one JSON line per round; then refreshes once.
SEARCHER_CHILD = """\
import json, sys, time
from pathlib import Path
from kb_tools.search import Searcher

searcher = Searcher(Path(sys.argv[1]))
stop = Path(sys.argv[2])

def answer():
    return {"generation": searcher.generation.name,
            "zebra": [hit.path for hit in searcher.search("zebra").hits],
            "quokka": [hit.path for hit in searcher.search("quokka").hits]}

while not stop.exists():
    print(json.dumps(answer()), flush=True)
    time.sleep(0.01)  # pacing, not synchronisation: leave the CPU to the build
print(json.dumps({"refreshed": searcher.refresh(), **answer()}), flush=True)
"""


# --- helpers ------------------------------------------------------------------------------------


def _env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "NO_MKDOCS_2_WARNING": "1", "KB_MODEL_DIR": str(tmp_path / "no-model")}


Spawn = Callable[..., subprocess.Popen[str]]


@pytest.fixture
def spawn(tmp_path: Path) -> Iterator[Spawn]:
    """Start a process in its own process group (as a shell runs a job); output to `log`, else to pipes.

    Whatever is still running when the test ends, pass or fail, is killed with its group and reaped.
    """
    started: list[subprocess.Popen[str]] = []

    def start(command: list[str], *, log: Path | None = None, errors: Path | None = None) -> subprocess.Popen[str]:
        with contextlib.ExitStack() as files:
            stdout = files.enter_context(open(log, "w")) if log else subprocess.PIPE
            stderr = files.enter_context(open(errors, "w")) if errors else subprocess.STDOUT if log else subprocess.PIPE
            # A foreground job hears Ctrl-C even when the tests themselves run as a background job
            # (a shell starts those with SIGINT ignored, and the child would inherit that).
            process = subprocess.Popen(command, stdout=stdout, stderr=stderr, text=True, env=_env(tmp_path),
                                       start_new_session=True,
                                       preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        started.append(process)
        return process

    yield start
    for process in started:
        with contextlib.suppress(ProcessLookupError):  # the group outlives its leader when workers linger
            os.killpg(process.pid, signal.SIGKILL)  # works on a stopped process too
        process.communicate()


def kb(spawn: Spawn, *args: str, log: Path | None = None) -> subprocess.Popen[str]:
    return spawn([KB, *args], log=log)


def kb_index(spawn: Spawn, docs: Path, index: Path, *args: str, log: Path | None = None) -> subprocess.Popen[str]:
    return kb(spawn, "index", str(docs), "--index", str(index), "--no-semantic", *args, log=log)


def finished(process: subprocess.Popen[str]) -> subprocess.CompletedProcess[str]:
    stdout, stderr = process.communicate(timeout=TIMEOUT)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def wait_for(what: str, predicate: Callable[[], Any], *, timeout: float = TIMEOUT) -> Any:
    deadline = time.monotonic() + timeout
    while not (result := predicate()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.005)
    return result


def wait_midway(index: Path, build: subprocess.Popen[str]) -> Path:
    """The build's `.partial` folder, as soon as it exists (the build is then under way, unpublished)."""

    def partial() -> Path | None:
        found = next(index.glob("gen-*.partial"), None)
        assert found or build.poll() is None, "the build ended before it could be caught midway"
        return found

    return wait_for("a .partial folder", partial)


def lines(path: Path) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.endswith("}")]


def current(index: Path) -> str:
    return (index / "CURRENT").read_text(encoding="utf-8").strip()


def live_processes(pids: list[int]) -> list[int]:
    """The pids still running (a zombie waiting for its reaper counts as gone)."""
    alive = []
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.append(pid)
    return alive


def children_of(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    """The one line a user mistake prints; fails on a traceback or anything more."""
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    assert result.returncode == 1 and result.stdout == "", (result.returncode, result.stdout)
    error = result.stderr.strip().splitlines()
    assert len(error) == 1 and error[0].startswith("Error: "), result.stderr
    return error[0]


# --- fixtures ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def big_docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated KB of BIG_ARTICLES articles plus one about quokkas (read-only: tests build from it)."""
    docs = generate_kb(tmp_path_factory.mktemp("big"), BIG_ARTICLES)
    (docs / "homehub" / "quokka.md").write_text(article("Quokka pairing", product="homehub"), encoding="utf-8")
    return docs


@pytest.fixture
def small_index(write_docs: Callable[..., Path], tmp_path: Path) -> tuple[Path, Path]:
    """(docs, index): two router articles, one about zebras, indexed into gen-000001."""
    docs = write_docs({"router/zebra.md": article("Zebra router reset"), "router/beta.md": article("Beta router")})
    build_index(docs, tmp_path / "ix", semantic=False)
    return docs, tmp_path / "ix"


def _answers(index: Path) -> tuple[str, list[str], list[str]]:
    searcher = Searcher(index)
    try:
        return (searcher.generation.name, [h.path for h in searcher.search("zebra").hits],
                [h.path for h in searcher.search("quokka").hits])
    finally:
        searcher.close()


OLD_ANSWERS = ("gen-000001", ["router/zebra.md"], [])


# --- a build stopped midway ---------------------------------------------------------------------


@pytest.mark.parametrize("how", ["SIGKILL", "Ctrl-C"])
def test_a_build_stopped_midway_leaves_the_previous_index(how: str, small_index: tuple[Path, Path],
                                                          big_docs: Path, tmp_path: Path, spawn: Spawn):
    docs, index = small_index
    build = kb_index(spawn, big_docs, index, log=tmp_path / "build.log")
    partial = wait_midway(index, build)
    assert _answers(index) == OLD_ANSWERS  # a reader opening now gets the old generation, not the partial
    if how == "SIGKILL":
        build.kill()
        assert build.wait(timeout=TIMEOUT) == -signal.SIGKILL
        assert partial.is_dir()  # it really died before publishing
    else:
        os.killpg(build.pid, signal.SIGINT)  # what the terminal does on Ctrl-C: the whole foreground job
        assert build.wait(timeout=TIMEOUT) == 130
        output = (tmp_path / "build.log").read_text(encoding="utf-8")
        assert output.strip().splitlines() == ["Interrupted."], output
    assert current(index) == "gen-000001" and not (index / "gen-000002").exists()
    assert _answers(index) == OLD_ANSWERS
    # The next build (what `kb index` runs; wait=0: the dead one must not have left the lock held)
    again = build_index(docs, index, wait=0, semantic=False)
    assert (again.generation, again.unchanged) == ("gen-000002", 2)
    assert not list(index.glob("*.partial"))
    assert _answers(index) == ("gen-000002", ["router/zebra.md"], [])


def test_a_killed_parallel_build_leaves_no_workers_and_no_lock(small_index: tuple[Path, Path], tmp_path: Path,
                                                               tmp_path_factory: pytest.TempPathFactory,
                                                               spawn: Spawn):
    if (os.cpu_count() or 1) < 2:
        pytest.skip("the indexer parses in worker processes only with 2 or more CPUs")
    many = generate_kb(tmp_path_factory.mktemp("many"), _PARALLEL_FROM)
    docs, index = small_index
    build = kb_index(spawn, many, index, log=tmp_path / "build.log")
    wait_midway(index, build)
    workers = wait_for("the parsing workers", lambda: children_of(build.pid))
    build.kill()
    assert build.wait(timeout=TIMEOUT) == -signal.SIGKILL
    # The orphaned workers must neither keep the index locked nor live on.
    assert build_index(docs, index, wait=0, semantic=False).generation == "gen-000002"
    assert current(index) == "gen-000002" and not list(index.glob("*.partial"))
    wait_for(f"workers {workers} to exit", lambda: not live_processes(workers), timeout=30)


# --- two builds at once -------------------------------------------------------------------------


def test_concurrent_builds_wait_or_stop_with_a_clear_message(small_index: tuple[Path, Path], big_docs: Path,
                                                            tmp_path: Path, spawn: Spawn):
    _, index = small_index
    first = kb_index(spawn, big_docs, index, log=tmp_path / "first.log")
    wait_midway(index, first)
    os.kill(first.pid, signal.SIGSTOP)  # hold it mid-build, lock taken, for as long as we look
    try:
        busy = finished(kb_index(spawn, big_docs, index, "--wait", "0"))
        assert "another `kb index` is writing" in one_error_line(busy)
        second = kb_index(spawn, big_docs, index, log=tmp_path / "second.log")
        wait_for("the second build to say it waits",
                 lambda: "waiting" in (tmp_path / "second.log").read_text(encoding="utf-8"))
        assert second.poll() is None
    finally:
        os.kill(first.pid, signal.SIGCONT)
    assert first.wait(timeout=TIMEOUT) == 0, (tmp_path / "first.log").read_text()
    assert second.wait(timeout=TIMEOUT) == 0, (tmp_path / "second.log").read_text()
    articles = len(list(big_docs.rglob("*.md")))
    assert f"full build: {articles} added" in (tmp_path / "first.log").read_text()
    # The second ran after the first had published: nothing left for it to do.
    assert f"into gen-000003 (incremental: 0 added, 0 updated, 0 deleted, {articles} unchanged" in (
        tmp_path / "second.log").read_text()
    assert current(index) == "gen-000003" and not list(index.glob("*.partial"))
    searcher = Searcher(index)
    assert searcher.article_count() == articles
    assert [h.path for h in searcher.search("quokka").hits] == ["homehub/quokka.md"]
    assert searcher.search("zebra").hits == []


def test_a_second_writer_in_the_same_process_is_refused(small_index: tuple[Path, Path]):
    """The lock on disk is per process (a record lock); threads of one process must still take turns."""
    docs, index = small_index
    with storage.writer_lock(index, wait=0):
        with pytest.raises(IndexBusyError, match="another `kb index` is writing"):
            build_index(docs, index, wait=0, semantic=False)
    assert build_index(docs, index, wait=0, semantic=False).generation == "gen-000002"


# --- a searcher in another process ---------------------------------------------------------------


def test_a_searcher_in_another_process_answers_through_rebuilds(small_index: tuple[Path, Path], big_docs: Path,
                                                                tmp_path: Path, spawn: Spawn):
    _, index = small_index
    script, out, stop = tmp_path / "child.py", tmp_path / "child.out", tmp_path / "stop"
    script.write_text(SEARCHER_CHILD, encoding="utf-8")
    child = spawn([sys.executable, str(script), str(index), str(stop)], log=out, errors=tmp_path / "child.err")
    wait_for("the child's first answer", lambda: lines(out))
    build = kb_index(spawn, big_docs, index, log=tmp_path / "build.log")
    wait_midway(index, build)
    os.kill(build.pid, signal.SIGSTOP)
    try:
        seen = len(lines(out))
        wait_for("answers while a half-built index sits beside", lambda: len(lines(out)) >= seen + 3)
    finally:
        os.kill(build.pid, signal.SIGCONT)
    assert build.wait(timeout=TIMEOUT) == 0, (tmp_path / "build.log").read_text()
    # Two more builds: the child's generation is pruned from disk while it still has it open.
    for _ in range(2):
        build_index(big_docs, index, semantic=False)
    assert current(index) == "gen-000004" and not (index / "gen-000001").exists()
    seen = len(lines(out))
    wait_for("answers after the rebuilds", lambda: len(lines(out)) >= seen + 3)
    stop.touch()
    assert child.wait(timeout=TIMEOUT) == 0
    assert (tmp_path / "child.err").read_text() == ""
    *answers, last = [json.loads(line) for line in lines(out)]
    assert all(a == {"generation": "gen-000001", "zebra": ["router/zebra.md"], "quokka": []} for a in answers)
    assert last == {"refreshed": True, "generation": "gen-000004", "zebra": [], "quokka": ["homehub/quokka.md"]}


# --- missing, damaged and too-old indexes ---------------------------------------------------------


def _truncate_segment(generation: Path) -> None:
    segment = next(generation.glob("*.seg"))
    segment.write_bytes(segment.read_bytes()[: segment.stat().st_size // 2])


def _overwrite_tail(pattern: str) -> Callable[[Path], None]:
    def damage(generation: Path) -> None:
        target = next(generation.glob(pattern))
        data = bytearray(target.read_bytes())
        size = min(256, len(data) // 4)
        data[-size:] = b"\xff" * size  # same size: only Whoosh itself can notice
        target.write_bytes(data)

    return damage


def _break_manifest(generation: Path) -> None:
    (generation / "manifest.json").write_text("{broken", encoding="utf-8")


def _make_too_old(generation: Path) -> None:
    manifest = json.loads((generation / "manifest.json").read_text(encoding="utf-8"))
    (generation / "manifest.json").write_text(json.dumps({**manifest, "format": "kb-index-1"}), encoding="utf-8")


BROKEN_INDEXES: dict[str, tuple[Callable[[Path], None] | None, str]] = {
    "missing": (None, "no search index in {index}; build it with `kb index`"),
    "manifest unreadable": (_break_manifest, "is damaged (gen-000001 has no readable manifest); "
                                             "rebuild it with `kb index --rebuild`."),
    "segment truncated": (_truncate_segment, "is damaged (gen-000001/MAIN_"),
    "segment overwritten": (_overwrite_tail("*.seg"), "is damaged"),
    "table of contents overwritten": (_overwrite_tail("*.toc"), "is damaged"),
    "too old": (_make_too_old, "was built by another version of kb; rebuild it with `kb index --rebuild`."),
}


def test_missing_damaged_and_old_indexes_say_what_to_run(write_docs: Callable[..., Path], tmp_path: Path,
                                                         spawn: Spawn):
    docs = write_docs({"router/zebra.md": article("Zebra router reset")})
    cases = {}
    for number, (name, (damage, expected)) in enumerate(BROKEN_INDEXES.items()):
        index = tmp_path / f"ix{number}"
        if damage is not None:
            build_index(docs, index, semantic=False)
            damage(index / "gen-000001")
        cases[name] = (index, expected.format(index=index))
    # Real processes, all at once. `kb steps` opens the index as `kb search` does: one case of each kind.
    runs = [(name, ["search", "zebra"]) for name in cases]
    runs += [(name, ["steps", "reset the router"]) for name in ("missing", "segment overwritten", "too old")]
    processes = [(name, kb(spawn, *args, "--index", str(cases[name][0]))) for name, args in runs]
    for name, process in processes:
        result = finished(process)
        index, expected = cases[name]
        message = one_error_line(result)
        assert expected in message, (name, result.args, message)
        fix = f"--index {index}`)." if name == "missing" else "`kb index --rebuild`."
        assert message.endswith(fix), (name, result.args, message)
    # A plain build (what `kb index` runs, without --rebuild) repairs every one of them.
    for name, (index, _) in cases.items():
        stats = build_index(docs, index, semantic=False)
        assert stats.full_rebuild and stats.added == 1, name
        assert [h.path for h in Searcher(index).search("zebra").hits] == ["router/zebra.md"], name

