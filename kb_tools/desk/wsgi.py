"""The bits of WSGI the desk's handlers share."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def status_line(status: int) -> str:
    """'404 Not Found' for 404."""
    return f"{status} {HTTPStatus(status).phrase}"
