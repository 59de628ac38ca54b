"""Index generations on disk: build beside the live one, switch in one atomic step.

    search_index/
      CURRENT          the name of the live generation (replaced atomically)
      gen-000007/      a complete index: Whoosh files + manifest.json (which lists every file)
      .lock            held by the one `kb index` that may write

Readers resolve CURRENT once and keep using that generation, so a build never shows them a
half-written index. A build that crashes or is interrupted leaves only a `*.partial` folder
behind, which the next build removes; CURRENT still names the previous generation.

The manifest records each file's size and CRC-32: opening checks the sizes (a stat per file, so
a truncated or half-copied index is caught before Whoosh trips over it), and the writer checks
the CRCs too before it copies a generation, so damage is never carried into the next one.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import shutil
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from kb_tools.errors import IndexBusyError, IndexMissingError
from kb_tools.search.analysis import ANALYSIS_VERSION

# What a generation holds; bump the number when the schema or the files change, and an index of
# another version is rebuilt in full (the analyzer's version is part of it).
INDEX_FORMAT = f"kb-index-17/analysis-{ANALYSIS_VERSION}"  # 17: vectors.json in columns; 16: customer_says in meta
INDEX_NAME = "MAIN"  # the Whoosh index inside a generation
CURRENT_FILE = "CURRENT"
LOCK_FILE = ".lock"
MANIFEST_FILE = "manifest.json"
_PREFIX = "gen-"
_PARTIAL = ".partial"
FILES_KEY = "files"  # in the manifest: {file name: [size, crc32]} of the generation's other files
KEEP_OLD_GENERATIONS = 2  # readers in other processes may still be answering from these

log = logging.getLogger(__name__)
_process_locks: dict[Path, threading.Lock] = {}
_process_locks_guard = threading.Lock()


@dataclass(frozen=True)
class Generation:
    """One complete, immutable index generation."""

    path: Path
    number: int
    manifest: dict[str, Any]

    @property
    def name(self) -> str:
        return self.path.name


def index_exists(index_dir: Path) -> bool:
    """True when `index_dir` has a live generation."""
    return current_name(index_dir) is not None


def open_generation(index_dir: Path, *, verify: bool = False) -> Generation:
    """The live generation, or IndexMissingError saying what to run.

    File sizes are always checked; `verify` also reads every file to check its CRC (the writer
    does, before building on a generation; readers skip it to keep opening cheap).
    """
    name = current_name(index_dir)
    if name is None:
        raise IndexMissingError(f"no search index in {index_dir}; build it with `kb index` "
                                f"(e.g. `kb index docs --index {index_dir}`).")
    path = index_dir / name
    try:
        manifest = json.loads((path / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = None
    if not isinstance(manifest, dict):
        raise _damaged(index_dir, f"{name} has no readable manifest")
    problem = _check_files(path, manifest.get(FILES_KEY) or {}, verify=verify)
    if problem:
        raise _damaged(index_dir, f"{name}/{problem}")
    return Generation(path, _number(name), manifest)


@contextlib.contextmanager
def writer_lock(index_dir: Path, *, wait: float) -> Iterator[None]:
    """Hold the index's writer lock; wait up to `wait` seconds for another `kb index`.

    A POSIX record lock belongs to this process alone: worker processes forked during the build
    do not inherit it, so a killed `kb index` frees the index at once even if a worker lingers
    (an flock would stay held by every process sharing the descriptor). Record locks do not
    exclude threads of one process, hence the in-process lock as well.
    """
    index_dir.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait
    in_process = _process_lock(index_dir)
    if not (in_process.acquire(timeout=wait) if wait > 0 else in_process.acquire(blocking=False)):
        raise _busy(index_dir)
    try:
        with open(index_dir / LOCK_FILE, "a+") as handle:
            _lock_file(handle, index_dir, deadline=deadline, wait=wait)
            try:
                yield
            finally:
                fcntl.lockf(handle, fcntl.LOCK_UN)
    finally:
        in_process.release()


def new_partial(index_dir: Path, *, copy_of: Generation | None) -> Path:
    """A fresh folder for the next generation; a copy of `copy_of` for incremental updates."""
    _remove_partials(index_dir)
    number = max([_number(p.name) for p in _generations(index_dir)] + [0]) + 1
    partial = index_dir / f"{_PREFIX}{number:06d}{_PARTIAL}"
    if copy_of is None:
        partial.mkdir()
    else:
        # Whoosh never rewrites a segment file in place, so hard links are a safe, instant copy.
        shutil.copytree(copy_of.path, partial, copy_function=_link_or_copy)
        (partial / MANIFEST_FILE).unlink(missing_ok=True)
    return partial


def publish(index_dir: Path, partial: Path, manifest: dict[str, Any]) -> Generation:
    """Seal `partial` as a generation and make it the live one, atomically."""
    manifest = {**manifest, FILES_KEY: _describe_files(partial)}
    _write_atomic(partial / MANIFEST_FILE, json.dumps(manifest, indent=1))
    final = partial.with_name(partial.name[: -len(_PARTIAL)])
    os.replace(partial, final)
    _fsync_dir(index_dir)
    _write_atomic(index_dir / CURRENT_FILE, final.name + "\n")
    _fsync_dir(index_dir)
    _prune(index_dir, keep=final.name)
    return Generation(final, _number(final.name), manifest)


def _lock_file(handle: Any, index_dir: Path, *, deadline: float, wait: float) -> None:
    told = False
    while True:
        try:
            fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except OSError:  # EAGAIN or EACCES, depending on the system
            if time.monotonic() >= deadline:
                raise _busy(index_dir) from None
            if not told:
                log.info("Another `kb index` is writing %s; waiting up to %.0f s for it to finish.", index_dir, wait)
                told = True
            time.sleep(0.1)


def _process_lock(index_dir: Path) -> threading.Lock:
    with _process_locks_guard:
        return _process_locks.setdefault(index_dir.resolve(), threading.Lock())


def _busy(index_dir: Path) -> IndexBusyError:
    return IndexBusyError(f"another `kb index` is writing {index_dir}; wait for it to finish, then run this "
                          "again (or give it time with `--wait SECONDS`).")


def _damaged(index_dir: Path, what: str) -> IndexMissingError:
    return IndexMissingError(f"the search index in {index_dir} is damaged ({what}); "
                             "rebuild it with `kb index --rebuild`.")


def size_problem(generation: Generation) -> str | None:
    """The first file of `generation` whose size changed since it was sealed, or None: a stat per
    file, cheap enough before every read of a memory-mapped file (one cut short would kill the
    reading process with SIGBUS). A deleted file is no problem to a process that has it open."""
    files = generation.manifest.get(FILES_KEY) or {}
    for name, (size, _) in files.items() if isinstance(files, dict) else ():
        with contextlib.suppress(OSError):
            actual = (generation.path / name).stat().st_size
            if actual != size:
                return f"{name} has {actual} bytes, expected {size}"
    return None


def _describe_files(directory: Path) -> dict[str, list[int]]:
    """Size and CRC of every file, each flushed to disk first: CURRENT must never name data still in flight."""
    return {path.name: [path.stat().st_size, _crc32(path, sync=True)]
            for path in sorted(p for p in directory.iterdir() if p.is_file() and p.name != MANIFEST_FILE)}


def _check_files(directory: Path, files: Any, *, verify: bool) -> str | None:
    """The first missing, resized or (with `verify`) altered file, described; None when all are sound."""
    if not isinstance(files, dict) or not all(isinstance(v, list) and len(v) == 2 for v in files.values()):
        return f"{MANIFEST_FILE} lists its files wrongly"
    for name, (size, crc) in files.items():
        try:
            actual = (directory / name).stat().st_size
        except OSError:
            return f"{name} is missing"
        if actual != size:
            return f"{name} has {actual} bytes, expected {size}"
        if verify and _crc32(directory / name) != crc:
            return f"{name} does not match its checksum"
    return None


def _crc32(path: Path, *, sync: bool = False) -> int:
    crc = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            crc = zlib.crc32(chunk, crc)
        if sync:
            os.fsync(handle.fileno())
    return crc


def live_has(index_dir: Path, filename: str) -> bool:
    """Whether the live generation holds `filename` (False without one): a glance, nothing opened."""
    name = current_name(index_dir)
    return name is not None and (index_dir / name / filename).is_file()


def current_name(index_dir: Path) -> str | None:
    """The name of the live generation (reads only CURRENT), or None."""
    try:
        name = (index_dir / CURRENT_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return name if name.startswith(_PREFIX) and (index_dir / name).is_dir() else None


def _generations(index_dir: Path) -> list[Path]:
    return sorted(p for p in index_dir.glob(f"{_PREFIX}*") if p.is_dir())


def _number(name: str) -> int:
    digits = name[len(_PREFIX):].split(".")[0]
    return int(digits) if digits.isdigit() else 0


def _remove_partials(index_dir: Path) -> None:
    for leftover in index_dir.glob(f"{_PREFIX}*{_PARTIAL}"):
        shutil.rmtree(leftover, ignore_errors=True)


def _prune(index_dir: Path, *, keep: str) -> None:
    finished = [p for p in _generations(index_dir) if not p.name.endswith(_PARTIAL) and p.name != keep]
    for old in finished[:-KEEP_OLD_GENERATIONS] if KEEP_OLD_GENERATIONS else finished:
        shutil.rmtree(old, ignore_errors=True)


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _write_atomic(path: Path, text: str) -> None:
    replace_file(path, lambda handle: handle.write(text.encode("utf-8")))


def replace_file(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """Write a new file and rename it over `path`: never changes a file in place, so a file
    hard-linked from the live generation (or read by a searcher) is left as it was."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "wb") as handle:
        write(handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def _fsync_dir(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
