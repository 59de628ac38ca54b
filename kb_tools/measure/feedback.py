"""What the desk posts to `kb serve`: article feedback and result clicks, parsed and validated.

The bodies are small JSON objects; anything else (not JSON, an unknown field, a wrong type or
value, too long a text) is refused with a PayloadError naming the field, before anything is stored.

  POST /api/feedback  {"article", "helpful", "reason"?, "comment"?, "step"?, "depth"?, "via"?, "session"?, "trail"?}

"trail" is call mode's answers, oldest first: [[article path, step position, outcome number], ...].
resolve_trail checks each against the article's steps graph and stores the outcome's label from the
article, never text the desk typed.
  POST /api/click     {"search", "article", "rank"?, "session"?}
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from kb_tools.measure.activity import MAX_TEXT, REASONS, VIAS

MAX_BODY = 4096  # bytes
MAX_STEP = 500
MAX_RANK = 100
MAX_TRAIL = 50  # answers in one call
MAX_OUTCOMES = 50
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
    trail: tuple[tuple[str, int, int], ...] = ()  # (article, step position, outcome number), oldest first


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
                                                                      "session", "trail"))
    helpful = data["helpful"]
    if not isinstance(helpful, bool):
        raise PayloadError("helpful must be true or false")
    reason = _choice(data, "reason", REASONS)
    if reason and helpful:
        raise PayloadError("reason is for helpful: false only")
    comment = _text(data, "comment", MAX_TEXT)
    return FeedbackInput(article=_article(data), helpful=helpful, reason=reason, comment=comment or None,
                         step=_whole(data, "step", MAX_STEP), depth=_choice(data, "depth", DEPTHS),
                         via=_choice(data, "via", VIAS) or "article", session=session_id(data.get("session")),
                         trail=_trail(data.get("trail")))


StepsOf = Callable[[str], Sequence[dict[str, Any]] | None]


def resolve_trail(trail: Sequence[tuple[str, int, int]], steps_of: StepsOf) -> list[tuple[str, int, str]]:
    """The trail as (article, step, outcome label), each answer checked against the article's steps graph.

    `steps_of(article)` gives the article's steps at the call's depth (None: no such article); the
    label is the article's own, so nothing the desk typed is stored. PayloadError names the answer
    that is not in the graph."""
    resolved = []
    for at, (article, step, outcome) in enumerate(trail, 1):
        steps = steps_of(article)
        if steps is None:
            raise PayloadError(f"trail answer {at}: {article[:100]!r} is not an article of the index")
        outcomes = steps[step - 1].get("outcomes", []) if step <= len(steps) else []
        if not 1 <= outcome <= len(outcomes):
            raise PayloadError(f"trail answer {at}: step {step} of {article} has no outcome {outcome}")
        resolved.append((article, step, str(outcomes[outcome - 1]["label"])))
    return resolved


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


def _trail(value: object) -> tuple[tuple[str, int, int], ...]:
    if value is None:
        return ()
    shape = f"trail must be a list of at most {MAX_TRAIL} answers, each [article path, step, outcome number]"
    if not isinstance(value, list) or len(value) > MAX_TRAIL:
        raise PayloadError(shape)
    answers = []
    for answer in value:
        if not (isinstance(answer, list) and len(answer) == 3 and isinstance(answer[0], str)
                and 0 < len(answer[0]) <= _MAX_ARTICLE):
            raise PayloadError(shape)
        numbers = {"trail step": answer[1], "trail outcome": answer[2]}
        step, outcome = _whole(numbers, "trail step", MAX_STEP), _whole(numbers, "trail outcome", MAX_OUTCOMES)
        assert step is not None and outcome is not None
        answers.append((answer[0], step, outcome))
    return tuple(answers)


def _whole(data: dict[str, Any], name: str, most: int) -> int | None:
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= most:
        raise PayloadError(f"{name} must be a whole number from 1 to {most}")
    return value
