"""What the desk posts to `kb serve`: article feedback and result clicks, parsed and validated.

The bodies are small JSON objects; anything else (not JSON, an unknown field, a wrong type or
value, too long a text) is refused with a PayloadError naming the field, before anything is stored.

  POST /api/feedback  {"article", "helpful", "reason"?, "comment"?, "step"?, "depth"?, "via"?, "session"?}
  POST /api/click     {"search", "article", "rank"?, "session"?}
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from kb_tools.measure.activity import MAX_TEXT, REASONS, VIAS

MAX_BODY = 4096  # bytes
MAX_STEP = 500
MAX_RANK = 100
DEPTHS = ("beginner", "expert")
SESSION = re.compile(r"[A-Za-z0-9_-]{8,64}")
_MAX_ARTICLE = 300


class PayloadError(ValueError):
    """A posted body the API refuses; the message names the field and what it must be."""


@dataclass(frozen=True)
class FeedbackInput:
    """A validated answer to "Did this solve the caller's problem?" (`article` as the desk sent it)."""

    article: str
    helpful: bool
    reason: str | None = None
    comment: str | None = None
    step: int | None = None
    depth: str | None = None
    via: str = "article"
    session: str | None = None


@dataclass(frozen=True)
class ClickInput:
    """A validated "this result was opened"."""

    search: int
    article: str
    rank: int | None = None
    session: str | None = None


def parse_feedback(body: bytes) -> FeedbackInput:
    """The feedback in a request body, or PayloadError."""
    data = _object(body, required=("article", "helpful"), optional=("reason", "comment", "step", "depth", "via",
                                                                      "session"))
    helpful = data["helpful"]
    if not isinstance(helpful, bool):
        raise PayloadError("helpful must be true or false")
    reason = _choice(data, "reason", REASONS)
    if reason and helpful:
        raise PayloadError("reason is for helpful: false only")
    comment = _text(data, "comment", MAX_TEXT)
    return FeedbackInput(article=_article(data), helpful=helpful, reason=reason, comment=comment or None,
                         step=_whole(data, "step", MAX_STEP), depth=_choice(data, "depth", DEPTHS),
                         via=_choice(data, "via", VIAS) or "article", session=session_id(data.get("session")))


def parse_click(body: bytes) -> ClickInput:
    """The click in a request body, or PayloadError."""
    data = _object(body, required=("search", "article"), optional=("rank", "session"))
    search = _whole(data, "search", 2**62)
    assert search is not None
    return ClickInput(search=search, article=_article(data), rank=_whole(data, "rank", MAX_RANK),
                      session=session_id(data.get("session")))


def session_id(value: object) -> str | None:
    """The desk's session id when it has the expected shape (random letters, digits, - and _), else None."""
    return value if isinstance(value, str) and SESSION.fullmatch(value) else None


def _object(body: bytes, *, required: tuple[str, ...], optional: tuple[str, ...]) -> dict[str, Any]:
    try:
        data = json.loads(body.decode("utf-8"))
    except RecursionError:
        raise PayloadError("the body is nested too deeply; send one flat JSON object") from None
    except (UnicodeDecodeError, ValueError):
        raise PayloadError("the body must be a JSON object (UTF-8)") from None
    try:  # "\ud800" is valid JSON but no text: it could be neither searched for nor stored
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except (UnicodeEncodeError, RecursionError):
        raise PayloadError("the body holds a lone surrogate (an escape like \\ud800 without its pair); "
                           "send text as UTF-8") from None
    if not isinstance(data, dict):
        raise PayloadError("the body must be a JSON object")
    unknown = sorted(set(data) - set(required) - set(optional))
    if unknown:
        raise PayloadError(f"unknown field {unknown[0][:40]!r}; the fields are {', '.join(required + optional)}")
    missing = [name for name in required if data.get(name) is None]
    if missing:
        raise PayloadError(f"{missing[0]} is required")
    return data


def _article(data: dict[str, Any]) -> str:
    article = data["article"]
    if not isinstance(article, str) or not article.strip() or len(article) > _MAX_ARTICLE:
        raise PayloadError(f"article must be an article path or page URL of at most {_MAX_ARTICLE} characters")
    return article.strip()


def _text(data: dict[str, Any], name: str, limit: int) -> str:
    value = data.get(name)
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > limit:
        raise PayloadError(f"{name} must be text of at most {limit} characters")
    return value.strip()


def _choice(data: dict[str, Any], name: str, choices: tuple[str, ...]) -> str | None:
    value = data.get(name)
    if value is None or value == "":
        return None
    if value not in choices:
        raise PayloadError(f"{name} must be one of {', '.join(choices)}")
    return str(value)


def _whole(data: dict[str, Any], name: str, most: int) -> int | None:
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= most:
        raise PayloadError(f"{name} must be a whole number from 1 to {most}")
    return value
