"""The Markdown files of a docs folder, and the ones that cannot be read as articles.

A docs folder is written by people and tools: a link can point back at its own folder (`ln -s .
docs/loop`), at nothing, or at itself; a `.md` name can be a FIFO that blocks whoever opens it;
a file can be Latin-1, or megabytes long, or have front matter that does not parse. Each is found
here once, with the file and the fix, so `kb check`, `kb index` and the site build all refuse it
in the same words instead of looping, hanging or failing with a traceback.

  scan_docs(docs_dir)          the readable Markdown files by relative path, and the problems of the rest
  read_problem(path, raw)      what makes the bytes of one file unusable: not UTF-8, front matter that
                               does not parse
  source_problems(docs_dir)    both, over every file (for `kb check` and the site build)
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from kb_tools.content.findings import Finding
from kb_tools.content.frontmatter import split_front_matter

RULE = "unreadable-file"
# Longer articles are split by any writer; past this size the Markdown parse of one article takes
# minutes (a 5 MB article: over 240 s), so it is refused with the reason instead of silently.
MAX_ARTICLE_BYTES = 1_000_000


@dataclass
class DocsScan:
    """The readable Markdown files of a docs folder (relative POSIX path -> file name) and the problems."""

    files: dict[str, str] = field(default_factory=dict)
    problems: list[Finding] = field(default_factory=list)


def scan_docs(docs_dir: Path | str) -> DocsScan:
    """Walk `docs_dir` as MkDocs does (following links, skipping hidden names), sorted; a folder
    reached twice (a link back up the tree), a link to nothing and anything that is not a regular
    file are problems, not files. Only `stat` is used: no file is opened."""
    root = str(docs_dir)
    scan = DocsScan()
    seen: set[tuple[int, int]] = set()
    for folder, subfolders, names in os.walk(root, followlinks=True):
        prefix = os.path.relpath(folder, root).replace(os.sep, "/")
        prefix = "" if prefix == "." else prefix + "/"
        here = os.stat(folder)
        seen.add((here.st_dev, here.st_ino))
        kept = []
        for name in sorted(subfolders):
            if name.startswith("."):
                continue
            try:
                info = os.stat(os.path.join(folder, name))
            except OSError as exc:
                scan.problems.append(_problem(prefix + name, _why(exc)))
                continue
            if (info.st_dev, info.st_ino) in seen:
                scan.problems.append(_problem(prefix + name, "a link to a folder that is already in the docs "
                                              "(it would repeat every article below it); remove the link"))
                continue
            seen.add((info.st_dev, info.st_ino))
            kept.append(name)
        subfolders[:] = kept
        for name in names:
            if name.endswith(".md") and not name.startswith("."):
                _add_file(scan, prefix + name, os.path.join(folder, name))
    scan.files = dict(sorted(scan.files.items()))
    scan.problems.sort()
    return scan


def _add_file(scan: DocsScan, relative: str, filename: str) -> None:
    try:
        info = os.stat(filename)
    except OSError as exc:
        scan.problems.append(_problem(relative, _why(exc)))
        return
    if not stat.S_ISREG(info.st_mode):
        kind = "a FIFO" if stat.S_ISFIFO(info.st_mode) else "a socket" if stat.S_ISSOCK(info.st_mode) else "a device"
        scan.problems.append(_problem(relative, f"not a regular file ({kind}): reading it would block; "
                                                "remove it or rename it without .md"))
    elif info.st_size > MAX_ARTICLE_BYTES:
        scan.problems.append(_problem(relative, f"the file is {info.st_size // 1000:,} KB; an article may be at most "
                                                f"{MAX_ARTICLE_BYTES // 1000:,} KB: split it into several articles"))
    else:
        scan.files[relative] = filename


def _why(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "a link that points at itself (a loop of links); remove it or point it at an article"
    if exc.errno == errno.ENOENT:
        target = os.readlink(exc.filename) if exc.filename and os.path.islink(exc.filename) else "a file"
        return f"a link to {target}, which does not exist; remove the link or restore the file"
    return f"cannot be read ({exc.strerror}); fix its permissions or remove it"


def read_problem(relative: str, raw: bytes) -> Finding | None:
    """Why the bytes of the article at `relative` cannot be used, or None: not UTF-8 (with the line of
    the first bad byte), or front matter that does not parse (an article is never indexed or
    published with made-up values)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        return _problem(relative, f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at line {line}); save the file as "
                                  "UTF-8", line=line)
    front = split_front_matter(text)
    if front.error:
        return Finding(relative, front.error_line, "error", "front-matter",
                       f"{front.error}. Fix the YAML between the two `---` lines.")
    return None


def source_problems(docs_dir: Path | str) -> list[Finding]:
    """Every problem of `scan_docs`, and `read_problem` of every readable file (not UTF-8 only: the
    front matter is the model's own finding)."""
    scan = scan_docs(docs_dir)
    problems = list(scan.problems)
    for relative, filename in scan.files.items():
        with open(filename, "rb") as handle:
            found = read_problem(relative, handle.read())
        if found is not None and found.rule == RULE:
            problems.append(found)
    return sorted(problems)


def _problem(relative: str, message: str, *, line: int = 1) -> Finding:
    return Finding(relative, line, "error", RULE, message)
