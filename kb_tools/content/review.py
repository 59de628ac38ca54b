"""`kb review`: what is due for review, soonest first, and marking an article reviewed.

Marking is guarded: `reviewed` moves to today only when the article checks without errors, and
only that one front-matter line changes (the rest of the file stays byte for byte).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from kb_tools.content.checks import check_collection
from kb_tools.content.files import replace_file
from kb_tools.content.findings import Finding
from kb_tools.content.frontmatter import split_front_matter
from kb_tools.content.metadata import PAGE_TYPE
from kb_tools.content.model import Article, Collection, load_collection, relative_path
from kb_tools.errors import KBError

DUE_WITHIN_DAYS = 30
_REVIEWED_LINE = re.compile(r"^(?P<key>reviewed[ \t]*:[ \t]*)(?P<value>[^#\r\n]*?)(?P<rest>[ \t]*(?:#[^\r\n]*)?\r?\n?)$")


@dataclass(frozen=True)
class DueReview:
    """One article to review: when it is (or was) due, and why it is listed."""

    path: str
    title: str
    owner: str | None
    due: dt.date | None  # None: the article has no valid review date
    overdue: bool
    reason: str

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["due"] = self.due.isoformat() if self.due else None
        return data


@dataclass(frozen=True)
class Reviewed:
    """What `mark_reviewed` did: the file, its old and new dates, and the warnings left to look at."""

    path: Path
    previous: str
    today: dt.date
    warnings: tuple[Finding, ...]


def due_reviews(collection: Collection, *, today: dt.date | None = None, owner: str | None = None,
                within_days: int = DUE_WITHIN_DAYS) -> list[DueReview]:
    """Articles overdue or due within `within_days`, soonest first; `owner` keeps one expert's."""
    today = today or dt.date.today()
    horizon = today + dt.timedelta(days=within_days)
    due: list[DueReview] = []
    for article in collection:
        meta = article.meta
        if meta.type == PAGE_TYPE or meta.status == "archived":
            continue
        if owner is not None and (meta.owner or "").casefold() != owner.casefold():
            continue
        when = meta.review_due
        if when is None:
            due.append(DueReview(article.path, article.title, meta.owner, None, True,
                                 "no review date: set 'reviewed' and 'review_every'"))
        elif when <= horizon:
            due.append(DueReview(article.path, article.title, meta.owner, when, when < today,
                                 _reason(when, today, meta.reviewed)))
    return sorted(due, key=lambda item: (item.due or dt.date.min, item.path))


def mark_reviewed(docs_dir: Path | str, article_path: Path | str, *, today: dt.date | None = None) -> Reviewed:
    """Set the article's `reviewed` to today, refusing when `kb check` finds an error in it."""
    today = today or dt.date.today()
    collection = load_collection(docs_dir)
    article = _find_article(collection, Path(article_path))
    findings = [f for f in check_collection(collection, today=today).findings if f.path == article.path]
    errors = [f for f in findings if f.severity == "error"]
    if errors:
        listed = "; ".join(f"line {f.line}: {f.message} [{f.rule}]" for f in errors[:3])
        more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
        raise KBError(f"{article.source_path} is not marked reviewed: `kb check` finds {len(errors)} "
                      f"error(s) in it: {listed}{more}. Fix them, then run `kb review {article.path} --done` again.")
    previous = _rewrite_reviewed(article, today)
    warnings = tuple(f for f in findings if f.rule != "review-overdue")  # the new date settles that one
    return Reviewed(article.source_path, previous, today, warnings)


def _reason(due: dt.date, today: dt.date, reviewed: dt.date | None) -> str:
    days = (due - today).days
    last = f"last reviewed {reviewed}" if reviewed else "never reviewed"
    if days < 0:
        return f"overdue by {_days(-days)} (due {due}, {last})"
    if days == 0:
        return f"due today ({last})"
    return f"due in {_days(days)} (on {due}, {last})"


def _days(count: int) -> str:
    return f"{count} day{'' if count == 1 else 's'}"


def _find_article(collection: Collection, given: Path) -> Article:
    """The article named by a path as typed: relative to the docs folder or to where we are."""
    docs = collection.config.docs_dir
    candidates = [relative_path(given.resolve(), docs), given.as_posix()]
    for candidate in candidates:
        article = collection.get(candidate)
        if article is not None:
            return article
    raise KBError(f"no article {str(given)!r} in {docs}; give its path, e.g. `kb review "
                  f"{next(iter(collection)).path if len(collection) else 'product/article.md'} --done`.")


def _rewrite_reviewed(article: Article, today: dt.date) -> str:
    """Replace the value on the `reviewed:` line, keeping its quoting style, comment and line ending."""
    raw = article.source_path.read_bytes().decode("utf-8")
    lines = raw.splitlines(keepends=True)
    line_number = split_front_matter(raw).key_lines.get("reviewed")
    match = _REVIEWED_LINE.match(lines[line_number - 1]) if line_number else None
    if match is None:
        raise KBError(f"{article.source_path}: no `reviewed: YYYY-MM-DD` line in the front matter to update; "
                      "add one.")
    value = match["value"]
    quote = value[0] if value[:1] in ("'", '"') else ""
    lines[line_number - 1] = f"{match['key']}{quote}{today.isoformat()}{quote}{match['rest']}"  # type: ignore[operator]
    replace_file(article.source_path, "".join(lines).encode("utf-8"))
    return value.strip("'\"")

