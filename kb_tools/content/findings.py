"""A `Finding`: one problem in one file, as `kb check` and the site build report it."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Finding:
    """One problem: where it is, how bad, what to do. `rule` is a documented rule id."""

    path: str
    line: int
    severity: Severity
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.severity}: {self.message} [{self.rule}]"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
