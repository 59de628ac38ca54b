"""`kb paths` as text: the list of onboarding paths, or one path's steps with their times.

`style` is given the text and click.style's keywords (bold=, fg=); the default leaves the text
plain, the command passes click.style for a terminal.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from kb_tools.content.paths import Catalog, LearningPath, format_minutes

Style = Callable[..., str]


def _plain(text: str, **_: Any) -> str:
    return text


def render_path(catalog: Catalog, path: LearningPath, *, answers: bool = False, style: Style = _plain) -> str:
    """One path: its title, length and audience, then each step with its time (and model answers)."""
    lines = [style(path.title, bold=True) + f": {len(path.steps)} steps, about {format_minutes(catalog.total_minutes(path))}",
             f"For: {path.audience}"]
    for step in path.steps:
        what = (f"{catalog.title_of(step.article)} ({step.article})" if step.kind == "read" and step.article
                else step.question or step.scenario)
        lines.append(f"\n{step.number:>2}. {step.label:<13} {what}  "
                     + style(format_minutes(catalog.step_minutes(step)), fg="cyan"))
        lines += [f"    {label}: {text}" for label, text in (("Focus", step.focus),
                                                               ("Model answer", step.answer if answers else "")) if text]
        if step.kind == "mock_call" and step.article:
            lines.append(f"    Use: {catalog.title_of(step.article)} ({step.article})")
    return "".join(f"{line}\n" for line in lines)


def render_catalog(catalog: Catalog, docs: Path | str, *, style: Style = _plain) -> str:
    """Every path with its length and audience, or where to add the first one."""
    if not catalog.paths:
        return f"No paths yet: add a page under {docs}/paths/ (see docs/writing-articles.md).\n"
    return "".join(style(path.title, bold=True) + f" ({path.name}): {len(path.steps)} steps, "
                   f"about {format_minutes(catalog.total_minutes(path))}\n   For: {path.audience}\n"
                   for path in catalog.paths)
