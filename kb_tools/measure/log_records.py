"""How each kind of activity record is written, inside one open transaction (log_store.Tx), on
either back end: searches (as-you-type merged into one row, rewordings marked), clicks, feedback,
hand-offs. ActivityLog (activity.py) decides when and where; this module only what the rows are.

  WRITERS[kind](tx, args)   store one record of `kind` ("search", "click", "feedback", "handoff")
  normalize_query(text)     the form queries are grouped by, here and in the report
"""

from __future__ import annotations

from typing import Any

from kb_tools.measure.log_store import Tx
from kb_tools.measure.scrub import before_placeholders

# The desk searches as the agent types: a query that extends or trims the previous one of the
# same session, this soon after it, is the same search still being typed.
TYPING_WINDOW = 10.0
# Searching again this soon without opening a result means the first wording did not work.
REWORD_WINDOW = 60.0


def _write_search(db: Tx, args: dict[str, Any]) -> int:
    at, session, source, text = args["at"], args["session"], args["source"], args["query"]
    # A record spooled by an older version has no confidence: stored as unknown (NULL).
    row = (at, text, args["filters"], args["results"], args["shown"], args.get("confidence"))
    previous = _previous_unopened(db, session, source, at) if session else None
    if previous and args["as_you_type"] and at - previous[1] <= TYPING_WINDOW and _is_typing(previous[2], text):
        db.run("UPDATE searches SET at = ?, query = ?, filters = ?, results = ?, shown = ?, confidence = ? "
               "WHERE id = ?", (*row, previous[0]))
        return int(previous[0])
    inserted = db.one("INSERT INTO searches (at, query, filters, results, shown, confidence, source, session) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id", (*row, source, session))
    assert inserted is not None
    if previous:
        db.run("UPDATE searches SET reworded_as = ? WHERE id = ?", (inserted[0], previous[0]))
    return int(inserted[0])


def _write_click(db: Tx, args: dict[str, Any]) -> bool:
    if db.one("SELECT 1 FROM searches WHERE id = ?", (args["search_id"],)) is None:
        return False
    db.run("INSERT INTO clicks (search_id, at, article, rank) VALUES (?, ?, ?, ?)",
           (args["search_id"], args["at"], args["article"], args["rank"]))
    return True


def _write_feedback(db: Tx, args: dict[str, Any]) -> int:
    inserted = db.one("INSERT INTO feedback (at, article, helpful, reason, comment, step, depth, via, session, trail) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                      tuple(args.get(k) for k in ("at", "article", "helpful", "reason", "comment", "step", "depth",
                                                  "via", "session", "trail")))  # (spooled before trails: none)
    assert inserted is not None
    return int(inserted[0])


def _write_handoff(db: Tx, args: dict[str, Any]) -> int:
    inserted = db.one("INSERT INTO handoffs (at, article, team, step, depth, via, session) "
                      "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                      tuple(args[k] for k in ("at", "article", "team", "step", "depth", "via", "session")))
    assert inserted is not None
    return int(inserted[0])


WRITERS = {"search": _write_search, "click": _write_click, "feedback": _write_feedback, "handoff": _write_handoff}


def _previous_unopened(db: Tx, session: str, source: str, at: float) -> tuple[int, float, str] | None:
    """The session's last search, when it is recent, not yet reworded and nothing was opened from it."""
    row = db.one("SELECT id, at, query, reworded_as FROM searches WHERE session = ? AND source = ? "
                 "ORDER BY id DESC LIMIT 1", (session, source))
    if row is None or row[3] is not None or at - row[1] > REWORD_WINDOW:
        return None
    if db.one("SELECT 1 FROM clicks WHERE search_id = ?", (row[0],)):
        return None
    return int(row[0]), float(row[1]), str(row[2])


def _is_typing(before: str, after: str) -> bool:
    a, b = normalize_query(before_placeholders(before)), normalize_query(before_placeholders(after))
    return a.startswith(b) or b.startswith(a)


def normalize_query(text: str) -> str:
    """The form queries are grouped by: case-folded, single spaces, no surrounding punctuation."""
    return " ".join(text.casefold().split()).strip(" .,;:!?\"'")
