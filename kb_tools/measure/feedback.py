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

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from kb_tools.measure.activity import MAX_TEXT, REASONS, VIAS
from kb_tools.measure.payload import (
    DEPTHS,
    MAX_ARTICLE,
    MAX_STEP,
    PayloadError,
    article_field,
    choice_field,
    json_object,
    session_id,
    text_field,
    whole_field,
)

MAX_RANK = 100
MAX_TRAIL = 50  # answers in one call
MAX_OUTCOMES = 50
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
    data = json_object(body, required=("article", "helpful"), optional=("reason", "comment", "step", "depth", "via",
                                                                      "session", "trail"))
    helpful = data["helpful"]
    if not isinstance(helpful, bool):
        raise PayloadError("helpful must be true or false")
    reason = choice_field(data, "reason", REASONS)
    if reason and helpful:
        raise PayloadError("reason is for helpful: false only")
    comment = text_field(data, "comment", MAX_TEXT)
    return FeedbackInput(article=article_field(data), helpful=helpful, reason=reason, comment=comment or None,
                         step=whole_field(data, "step", MAX_STEP), depth=choice_field(data, "depth", DEPTHS),
                         via=choice_field(data, "via", VIAS) or "article", session=session_id(data.get("session")),
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
    data = json_object(body, required=("search", "article"), optional=("rank", "session"))
    search = whole_field(data, "search", 2**62)
    assert search is not None
    return ClickInput(search=search, article=article_field(data), rank=whole_field(data, "rank", MAX_RANK),
                      session=session_id(data.get("session")))


def _trail(value: object) -> tuple[tuple[str, int, int], ...]:
    if value is None:
        return ()
    shape = f"trail must be a list of at most {MAX_TRAIL} answers, each [article path, step, outcome number]"
    if not isinstance(value, list) or len(value) > MAX_TRAIL:
        raise PayloadError(shape)
    answers = []
    for answer in value:
        if not (isinstance(answer, list) and len(answer) == 3 and isinstance(answer[0], str)
                and 0 < len(answer[0]) <= MAX_ARTICLE):
            raise PayloadError(shape)
        numbers = {"trail step": answer[1], "trail outcome": answer[2]}
        step, outcome = whole_field(numbers, "trail step", MAX_STEP), whole_field(numbers, "trail outcome", MAX_OUTCOMES)
        assert step is not None and outcome is not None
        answers.append((answer[0], step, outcome))
    return tuple(answers)
