"""The shared rules of what the desk posts (feedback, clicks, hand-offs): one small flat JSON object,
each field checked, and a PayloadError naming the field and what it must be, before anything is stored.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_BODY = 4096  # bytes
MAX_STEP = 500
DEPTHS = ("beginner", "expert")
SESSION = re.compile(r"[A-Za-z0-9_-]{8,64}")
MAX_ARTICLE = 300


class PayloadError(ValueError):
    """A posted body the API refuses; the message names the field and what it must be."""


def session_id(value: object) -> str | None:
    """The desk's session id when it has the expected shape (random letters, digits, - and _), else None."""
    return value if isinstance(value, str) and SESSION.fullmatch(value) else None


def json_object(body: bytes, *, required: tuple[str, ...], optional: tuple[str, ...]) -> dict[str, Any]:
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


def article_field(data: dict[str, Any]) -> str:
    article = data["article"]
    if not isinstance(article, str) or not article.strip() or len(article) > MAX_ARTICLE:
        raise PayloadError(f"article must be an article path or page URL of at most {MAX_ARTICLE} characters")
    return article.strip()


def text_field(data: dict[str, Any], name: str, limit: int) -> str:
    value = data.get(name)
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > limit:
        raise PayloadError(f"{name} must be text of at most {limit} characters")
    return value.strip()


def choice_field(data: dict[str, Any], name: str, choices: tuple[str, ...]) -> str | None:
    value = data.get(name)
    if value is None or value == "":
        return None
    if value not in choices:
        raise PayloadError(f"{name} must be one of {', '.join(choices)}")
    return str(value)


def whole_field(data: dict[str, Any], name: str, most: int) -> int | None:
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= most:
        raise PayloadError(f"{name} must be a whole number from 1 to {most}")
    return value
