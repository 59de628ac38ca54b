"""`kb index`: turn the content model into a Whoosh index generation, incrementally.

Stages: hash every file -> compare with the live generation's manifest -> parse only what
changed (in parallel when there is a lot) -> copy the live generation, delete the changed
articles, add their new documents -> publish the new generation atomically.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from whoosh import index as whoosh_index

from kb_tools.content.config import KBConfig, load_config
from kb_tools.content.findings import Finding
from kb_tools.content.model import ArticleParser, markdown_files
from kb_tools.content.sources import read_problem, scan_docs
from kb_tools.errors import IndexMissingError, IndexWriteError, KBError
from kb_tools.search import storage
from kb_tools.search.documents import IndexedArticle, make_schema
from kb_tools.search.postings_write import ArticleTerms, write_postings
from kb_tools.search.storage import INDEX_FORMAT, INDEX_NAME
from kb_tools.search.thesaurus import load_thesaurus, write_thesaurus
from kb_tools.search.vectors import (
    SectionText,
    remove_vectors,
    update_vectors,
)
from kb_tools.search.wordlist import WORDS_FILE, write_english_words
from kb_tools.semantic.shared import shared_embedder

log = logging.getLogger(__name__)

_PARALLEL_FROM = 400  # below this many changed files, starting worker processes costs more than it saves

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class IndexStats:
    """What one `kb index` run did."""

    generation: str
    articles: int
    added: int
    updated: int
    deleted: int
    unchanged: int
    full_rebuild: bool
    seconds: float
    embedded: int = 0  # sections embedded by this run (unchanged text keeps its vector)
    semantic: str = ""  # why there are no section vectors, when there are none
    embed_seconds: float = 0.0  # of `seconds`, the time spent on the vectors
    # Files not indexed: unreadable, or front matter that does not parse (the last good version is kept).
    problems: tuple[Finding, ...] = ()

    def summary(self) -> str:
        kind = "full build" if self.full_rebuild else "incremental"
        vectors = f"; lexical only: {self.semantic}" if self.semantic else f"; {self.embedded} sections embedded"
        if self.embedded and self.embed_seconds:
            vectors += f" in {self.embed_seconds:.1f} s, {self.embedded / self.embed_seconds:.0f}/s"
        return (f"Indexed {self.articles} articles into {self.generation} ({kind}: {self.added} added, "
                f"{self.updated} updated, {self.deleted} deleted, {self.unchanged} unchanged{vectors}) "
                f"in {self.seconds:.1f} s")


def build_index(docs_dir: Path | str, index_dir: Path | str, *, rebuild: bool = False, wait: float = 60.0,
                config: KBConfig | None = None, progress: Progress | None = None, semantic: bool = True,
                embed_progress: Progress | None = None) -> IndexStats:
    """Build or update the index of `docs_dir` in `index_dir`; returns what changed.

    With `semantic`, every section is also embedded (only new text; the rest keeps its vector);
    when the model cannot be loaded the index is lexical only and `IndexStats.semantic` says why.
    """
    started = time.perf_counter()
    config = config or load_config(docs_dir)
    index_path = Path(index_dir)
    thesaurus = load_thesaurus(config.docs_dir)  # a mistake in synonyms.yml stops the build here
    embedder, why_not = shared_embedder() if semantic else (None, "turned off (--no-semantic)")
    with _disk_full_is_readable(index_path), storage.writer_lock(index_path, wait=wait):
        scan = scan_docs(config.docs_dir)
        hashes = {relative: _file_hash(filename) for relative, filename in scan.files.items()}
        live = _live_generation(index_path)
        fingerprint = _fingerprint(config, _model_id() if embedder is not None else "lexical")
        full = rebuild or live is None or live.manifest.get("fingerprint") != fingerprint
        before: dict[str, str] = {} if full else live.manifest.get("articles", {})  # type: ignore[union-attr]
        changed = sorted(p for p, h in hashes.items() if before.get(p) != h)
        refused = _refused(config, changed)
        for finding in refused:  # the live generation's version stays, when there is one
            changed.remove(finding.path)
            if finding.path in before:
                hashes[finding.path] = before[finding.path]
            else:
                del hashes[finding.path]
        deleted = sorted(set(before) - set(hashes))
        partial = storage.new_partial(index_path, copy_of=None if full else live)
        sections = _write(partial, config, changed, deleted, create=full, progress=progress)
        write_thesaurus(partial, thesaurus)
        if full or not (partial / WORDS_FILE).is_file():  # an update keeps the live generation's copy
            write_english_words(partial)
        embedded, embedding_started = 0, time.perf_counter()
        if embedder is not None:
            embedded = update_vectors(partial, sections, set(changed) | set(deleted), model=_model_id(),
                                      embed=embedder.embed, previous=_previous_vectors(index_path) if full else None,
                                      progress=embed_progress)
        else:
            remove_vectors(partial)
        embed_seconds = time.perf_counter() - embedding_started
        manifest = {"format": INDEX_FORMAT, "fingerprint": fingerprint, "docs_dir": str(config.docs_dir),
                    "built_at": time.time(), "articles": hashes, "semantic": why_not or "on"}
        generation = storage.publish(index_path, partial, manifest)
    added = sum(p not in before for p in changed)
    return IndexStats(generation.name, len(hashes), added, len(changed) - added, len(deleted),
                      len(hashes) - len(changed), full, time.perf_counter() - started, embedded, why_not or "",
                      embed_seconds if embedder is not None else 0.0, tuple(sorted([*scan.problems, *refused])))


@contextlib.contextmanager
def _disk_full_is_readable(index_dir: Path) -> Iterator[None]:
    """A full disk (or quota, or file size limit) while building: one line, the half-built generation
    removed, CURRENT untouched (the previous index still serves)."""
    try:
        yield
    except OSError as exc:
        # numpy reports a short write without an errno ("82048 requested and 36336 written").
        short_write = exc.errno is None and " requested and " in str(exc)
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG) and not short_write:
            raise
        storage._remove_partials(index_dir)
        why = exc.strerror or "No space left on device"
        raise IndexWriteError(f"cannot write the index in {index_dir}: {why}; the previous index still "
                              "serves. Free some space (or use --index on another disk) and run `kb index` again.") from None


def _refused(config: KBConfig, changed: list[str]) -> list[Finding]:
    """The changed files that cannot be indexed as they are: not UTF-8, or front matter that does not parse."""
    refused = []
    for relative in changed:
        with open(config.docs_dir / relative, "rb") as handle:
            found = read_problem(relative, handle.read())
        if found is not None:
            refused.append(found)
    return refused


def _model_id() -> str:
    from kb_tools.semantic.store import model_id

    return model_id()


def _write(partial: Path, config: KBConfig, changed: list[str], deleted: list[str], *, create: bool,
           progress: Progress | None) -> list[SectionText]:
    """Write the Whoosh documents and the postings of the changed articles (the same analysed terms);
    returns their section texts to embed."""
    postings: list[ArticleTerms] = []
    if create:
        ix = whoosh_index.create_in(str(partial), make_schema(), indexname=INDEX_NAME)
    else:
        ix = whoosh_index.open_dir(str(partial), indexname=INDEX_NAME)
    writer = ix.writer(limitmb=256)
    try:
        for path in [*changed, *deleted] if not create else []:
            writer.delete_by_term("path", path)
        sections: list[SectionText] = []
        for done, parsed in enumerate(_parse_all(config, changed), start=1):
            if parsed.document is not None and parsed.terms is not None:
                writer.add_document(**parsed.document)
                postings.append(parsed.terms)
                sections += parsed.sections
            if progress:
                progress(done, len(changed))
    except BaseException:
        writer.cancel()
        raise
    # Merging rewrites big segments; an incremental update only adds a small one.
    writer.commit(merge=create or len(changed) > 50, optimize=create)
    write_postings(partial, postings, set(changed) | set(deleted))
    return sections


def _parse_all(config: KBConfig, paths: list[str]) -> Iterable[IndexedArticle]:
    """Each article as the index keeps it; parsed in worker processes when there are many."""
    files = [config.docs_dir / p for p in paths]
    if len(files) < _PARALLEL_FROM or (os.cpu_count() or 1) < 2:
        parser = ArticleParser(config)
        return (IndexedArticle.of(parser.parse(f), config.teams) for f in files)
    pool = ProcessPoolExecutor(max_workers=min(4, os.cpu_count() or 2), initializer=_init_worker,
                               initargs=(config, os.getpid()))
    return _pooled(pool, files)


def _pooled(pool: ProcessPoolExecutor, files: list[Path]) -> Iterator[IndexedArticle]:
    with pool:
        yield from pool.map(_parse_in_worker, files, chunksize=32)


_worker_parser: ArticleParser | None = None


def _init_worker(config: KBConfig, parent: int) -> None:
    global _worker_parser
    _worker_parser = ArticleParser(config)
    # A killed `kb index` cannot shut its pool down, and its workers would wait for work forever.
    threading.Thread(target=_exit_when_orphaned, args=(parent,), daemon=True).start()


def _exit_when_orphaned(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def _parse_in_worker(path: Path) -> IndexedArticle:
    assert _worker_parser is not None
    return IndexedArticle.of(_worker_parser.parse(path), _worker_parser.config.teams)


def index_is_current(docs_dir: Path | str, index_dir: Path | str) -> bool:
    """True when `index_dir` holds an index of exactly the files now in `docs_dir`, with vectors."""
    try:
        live = storage.open_generation(Path(index_dir))
        config = load_config(docs_dir)
    except KBError:
        return False
    manifest = live.manifest
    return (manifest.get("fingerprint") == _fingerprint(config, _model_id())
            and manifest.get("articles") == _hashes(config))


def _hashes(config: KBConfig) -> dict[str, str]:
    return {relative: _file_hash(p) for relative, p in markdown_files(config.docs_dir).items()}


def _previous_vectors(index_dir: Path) -> Path | None:
    """The live generation of any format: its vectors name their model and text, so a full
    rebuild can reuse them for every unchanged section."""
    try:
        return storage.open_generation(index_dir, verify=True).path  # never carry damaged vectors over
    except KBError:
        return None


def _live_generation(index_dir: Path) -> storage.Generation | None:
    try:
        live = storage.open_generation(index_dir, verify=True)  # never build on damaged files
    except IndexMissingError:
        return None
    if live.manifest.get("format") != INDEX_FORMAT:
        log.info("The index in %s is from another version of kb: rebuilding it in full.", index_dir)
        return None
    return live


def _fingerprint(config: KBConfig, vectors: str) -> str:
    """What the index depends on besides the files (`vectors`: the model, or "lexical"): a change
    forces a full rebuild, which still reuses every vector whose text is unchanged."""
    settings = [INDEX_FORMAT, repr(config.markdown_extensions), config.use_directory_urls, str(config.docs_dir),
                vectors, *(f"{team.id}={team.name}" for team in config.teams.teams)]  # hand-offs name their teams
    return hashlib.sha256(json.dumps(settings, default=str).encode()).hexdigest()[:16]


def _file_hash(filename: str) -> str:
    with open(filename, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()
