"""When each article last changed and by whom, from git, and the "Suggest a change" link.

One `git log` over the docs folder per build (not one per page: a 10,000-article site would run
10,000 processes). Outside a git work tree, or without git, there is no history and pages
simply show none; a shallow clone knows only its last commit, so every page shows that one.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import subprocess
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)
_RECORD = "\x1e"


@dataclass(frozen=True)
class Change:
    """The last commit that touched a file."""

    date: dt.date
    author: str


def read_history(docs_dir: Path) -> dict[str, Change]:
    """The last change of every file under `docs_dir`, by its path relative to `docs_dir`."""
    top = _git(docs_dir, "rev-parse", "--show-toplevel")
    if top is None:
        return {}
    output = _git(docs_dir, "-c", "core.quotepath=false", "log", f"--format={_RECORD}%aI%x09%an", "--name-only", "--no-renames",
                  "--relative", "--", ".")
    history: dict[str, Change] = {}
    for record in (output or "").split(_RECORD)[1:]:
        header, _, names = record.partition("\n")
        stamp, _, author = header.partition("\t")
        when = dt.datetime.fromisoformat(stamp.strip()).date()
        for name in names.split("\n"):
            if name.strip():
                history.setdefault(name.strip(), Change(when, author.strip()))  # newest first: keep the first
    return history


def history_line(change: Change | None, edit_url: str | None) -> str:
    """The line under an article's badges: last change (when known) and the edit link (when configured)."""
    parts = []
    if change is not None:
        parts.append(f"Last changed {change.date.isoformat()} by {html.escape(change.author)}")
    if edit_url:
        parts.append(f'<a class="kb-suggest" href="{html.escape(edit_url, quote=True)}">Suggest a change</a>')
    return f'<p class="kb-history">{" · ".join(parts)}</p>' if parts else ""


def _git(folder: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, check=False,
                              timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:  # no git installed: no history, still a site
        log.debug("no git history for %s: %s", folder, exc)
        return None
    return done.stdout if done.returncode == 0 else None
