"""What an API request carries: its query parameters, read and checked, and the error it may end in."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from kb_tools.measure.payload import session_id
from kb_tools.search.analysis import MAX_QUERY_CHARS

DEPTHS = ("beginner", "expert")
MAX_LIMIT = 50
MAX_PARAMS = 50
SESSION_HEADER = "HTTP_X_KB_SESSION"


class ApiError(Exception):
    """An API request the server refuses: the status and a message for the caller."""

    def __init__(self, status: int, message: str, headers: list[tuple[str, str]] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or []


@dataclass
class Request:
    """What a route gets: the query parameters, the body of a POST, the WSGI environ."""

    params: dict[str, str]
    environ: dict[str, Any]
    body: bytes = b""
    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)

    @property
    def session(self) -> str | None:
        return session_id(self.environ.get(SESSION_HEADER))


def query_params(query_string: str) -> dict[str, str]:
    """The query parameters; the first value wins when a name repeats."""
    # WSGI hands the raw bytes over as latin-1; the browser sent UTF-8.
    text = query_string.encode("latin-1", "replace").decode("utf-8", "replace")
    try:
        pairs = parse_qsl(text, keep_blank_values=True, errors="replace", max_num_fields=MAX_PARAMS)
    except ValueError:
        raise ApiError(400, f"too many query parameters (at most {MAX_PARAMS})") from None
    params: dict[str, str] = {}
    for name, value in pairs:
        params.setdefault(name, value)
    return params


def text_param(params: dict[str, str], name: str) -> str:
    """A text parameter, cut to the search module's query limit."""
    return params.get(name, "")[:MAX_QUERY_CHARS]


def depth_param(params: dict[str, str]) -> str | None:
    depth = params.get("depth", "")
    if depth and depth not in DEPTHS:
        raise ApiError(400, f"depth must be beginner or expert, not {depth[:40]!r}")
    return depth or None


def limit_param(params: dict[str, str], *, default: int) -> int:
    raw = params.get("limit", "")
    if not raw:
        return default
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise ApiError(400, f"limit must be a whole number from 1 to {MAX_LIMIT}, not {raw[:40]!r}")
    return int(raw)
