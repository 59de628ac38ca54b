"""Index generations on disk: build beside the live one, switch in one atomic step.

    search_index/
      CURRENT          the name of the live generation (replaced atomically)
      gen-000007/      a complete index: Whoosh files + manifest.json
      .lock            held by the one `kb index` that may write

Readers resolve CURRENT once and keep using that generation, so a build never shows them a
half-written index. A build that crashes or is interrupted leaves only a `*.partial` folder
behind, which the next build removes; CURRENT still names the previous generation.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import IndexBusyError, IndexMissingError

CURRENT_FILE = "CURRENT"
LOCK_FILE = ".lock"
MANIFEST_FILE = "manifest.json"
_PREFIX = "gen-"
_PARTIAL = ".partial"
KEEP_OLD_GENERATIONS = 2  # readers in other processes may still be answering from these


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
    return _current_name(index_dir) is not None


def open_generation(index_dir: Path) -> Generation:
    """The live generation, or IndexMissingError saying what to run."""
    name = _current_name(index_dir)
    if name is None:
        raise IndexMissingError(f"no search index in {index_dir}; build it with `kb index` "
                                f"(e.g. `kb index docs --index {index_dir}`).")
    path = index_dir / name
    try:
        manifest = json.loads((path / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise IndexMissingError(f"the search index in {index_dir} is damaged ({name} has no readable manifest); "
                                "rebuild it with `kb index --rebuild`.") from None
    return Generation(path, _number(name), manifest)


@contextlib.contextmanager
def writer_lock(index_dir: Path, *, wait: float) -> Iterator[None]:
    """Hold the index's writer lock; wait up to `wait` seconds for another `kb index`."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / LOCK_FILE, "a+") as handle:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise IndexBusyError(f"another `kb index` is writing {index_dir}; "
                                         "wait for it to finish, then run this again.") from None
                time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


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
    _write_atomic(partial / MANIFEST_FILE, json.dumps(manifest, indent=1))
    final = partial.with_name(partial.name[: -len(_PARTIAL)])
    os.replace(partial, final)
    _fsync_dir(index_dir)
    _write_atomic(index_dir / CURRENT_FILE, final.name + "\n")
    _prune(index_dir, keep=final.name)
    return Generation(final, _number(final.name), manifest)


def _current_name(index_dir: Path) -> str | None:
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
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def _fsync_dir(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
