"""A damaged index under a running `kb serve --workers 2`: detected, answered from what is good (or 503
with the fix), said by /api/health, and no process dies.

The damage is what disks and careless copies do to the live generation: its Whoosh segment cut
short, bytes flipped in the postings and in the vectors. Workers hold a generation's arrays in
memory (checked against the manifest's checksums when they load it), so damage on disk never
reaches an answer; a worker started afterwards finds the damage and answers 503 saying what to run.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

import pytest
from conftest import SAMPLE_DOCS, SERVED_INDEXES, kb_serve

from kb_tools.search import build_index, storage

QUERIES = ["wifi keeps dropping", "reset password", "slow speed", "install the app", "close account", "mesh extender",
           "parental controls", "firmware update", "no internet", "two step verification", "export my data",
           "router lights", "app crashes", "notifications", "speed test", "change wifi name", "bill", "refund"]
TIMEOUT = 60.0


def get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=30) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


def top_results(url: str) -> dict[str, list[str]]:
    found = {}
    for query in QUERIES:
        status, body = get(f"{url}/api/search?{urlencode({'q': query})}")
        assert status in (200, 503), (query, status, body)
        if status == 503:
            assert "kb index --rebuild" in body["error"], body
        found[query] = [hit["path"] for hit in body.get("hits", [])[:3]] if status == 200 else ["503"]
    return found


def worker_pids(url: str, *, besides: set[int] = frozenset()) -> set[int]:  # type: ignore[assignment]
    """The processes that answer (each health answer names its own, 200 or 503), asked until two
    showed up, one of them not in `besides`."""
    pids: set[int] = set()
    deadline = time.monotonic() + TIMEOUT
    while (len(pids) < 2 or not pids - besides) and time.monotonic() < deadline:
        pids.add(get(f"{url}/api/health")[1]["process"])
    return pids


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def live_generation(index: Path) -> Path:
    return storage.open_generation(index).path


def flip_bytes(path: Path) -> None:
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle:middle + 64] = bytes(b ^ 0xFF for b in data[middle:middle + 64])
    with open(path, "r+b") as handle:  # in place, as a failing disk does: same file, same size
        handle.write(data)


def truncate_segments(generation: Path) -> None:
    for segment in generation.glob("*.seg"):
        with open(segment, "r+b") as handle:
            handle.truncate(segment.stat().st_size // 3)


@pytest.fixture
def index_copy(served_kb: str, tmp_path: Path) -> Path:
    """A copy of the session's semantic index of the sample KB (vectors included), to damage."""
    copy = tmp_path / "index"
    shutil.copytree(SERVED_INDEXES[served_kb], copy)
    return copy


def damage_and_check(sample_site: Path, index: Path, tmp_path: Path, damage: Callable[[Path], None]) -> None:
    with kb_serve(sample_site, index, "--workers", "2", "--no-log", log=tmp_path / "serve.log") as (process, url):
        pids = worker_pids(url)
        assert len(pids) == 2
        before = top_results(url)
        damage(live_generation(index))

        after = top_results(url)
        for query, paths in after.items():  # the good generation in memory, or 503 with the fix
            assert paths in (before[query], ["503"]), query
        deadline = time.monotonic() + TIMEOUT  # sizes are checked at every health check, checksums every 10 s
        while "damaged" not in (said := json.dumps(get(f"{url}/api/health")[1])):
            assert time.monotonic() < deadline, said
            time.sleep(0.5)
        assert "damaged" in said and "kb index --rebuild" in said and str(index) not in said
        assert process.poll() is None and all(alive(pid) for pid in pids)

        victim = next(iter(pids))
        os.kill(victim, signal.SIGKILL)  # a worker dies for another reason: its replacement meets the damage
        assert worker_pids(url, besides=pids) - pids, "the replacement worker never answered"
        assert process.poll() is None
        for query, paths in top_results(url).items():
            assert paths in (before[query], ["503"]), query

        assert build_index(SAMPLE_DOCS, index, rebuild=True, semantic=False).articles > 10  # the fix the 503 names
        deadline = time.monotonic() + TIMEOUT
        while get(f"{url}/api/health")[1].get("status") != "ok" or "503" in str(top_results(url)):
            assert time.monotonic() < deadline, "the rebuilt index was never picked up"
            time.sleep(0.2)
        assert process.poll() is None
    log = (tmp_path / "serve.log").read_text()
    assert "Traceback" not in log and "SIGBUS" not in log


def test_a_truncated_whoosh_segment(sample_site: Path, index_copy: Path, tmp_path: Path):
    damage_and_check(sample_site, index_copy, tmp_path, truncate_segments)


def test_flipped_bytes_in_the_postings(sample_site: Path, index_copy: Path, tmp_path: Path):
    damage_and_check(sample_site, index_copy, tmp_path, lambda generation: flip_bytes(generation / "postings-docs.npy"))


def test_flipped_bytes_in_the_vectors(sample_site: Path, index_copy: Path, tmp_path: Path):
    if not (live_generation(index_copy) / "vectors.npy").is_file():
        pytest.skip("the session's index has no vectors (no embedding model here)")
    damage_and_check(sample_site, index_copy, tmp_path, lambda generation: flip_bytes(generation / "vectors.npy"))
