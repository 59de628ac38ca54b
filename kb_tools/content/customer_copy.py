"""Copy for the customer: the follow-up e-mail the agent sends, worded by the team's Jinja2 template.

The template (`docs/templates/customer-email.md.j2`) is rendered when the site is built, once per
depth and ending, with the steps at that depth (their text never holds `!!! agent` blocks). The
problem as the agent restated it is only known on the call: the template gets `PROBLEM_SLOT` in its
place, and the desk puts the agent's words there as they type.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from kb_tools.content.findings import Finding
from kb_tools.errors import ContentError

TEMPLATE_PATH = "templates/customer-email.md.j2"
PROBLEM_SLOT = "\u27e6problem\u27e7"  # ⟦problem⟧, replaced in the browser by the agent's words
# The endings an e-mail is written for: from the article (not known), after "Yes, it's solved", after "Not yet".
ENDINGS: dict[str, bool | None] = {"any": None, "solved": True, "not_solved": False}


def load_template(docs_dir: Path) -> jinja2.Template | None:
    """The team's e-mail template, or None when docs/ has none; a syntax error names its file and line."""
    path = docs_dir / TEMPLATE_PATH
    if not path.is_file():
        return None
    source = path.read_text(encoding="utf-8")
    environment = SandboxedEnvironment(undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                                       keep_trailing_newline=True, autoescape=False)  # plain text, never HTML
    try:
        return environment.from_string(source)
    except jinja2.TemplateSyntaxError as exc:
        message = f"the customer e-mail template does not parse: {exc.message}; fix this line."
        raise ContentError(path, exc.lineno, message) from None


HANDOFF_KEYS = ("what_happens_next", "who", "by_when")  # what the e-mail says of a hand-off
HANDED_OFF = "not_solved"  # the ending of a call handed off; `not_solved:TEAM` for another team than the article's


def handoff_details(handoff: Mapping[str, Any] | None) -> dict[str, str] | None:
    """What the e-mail says happens next when the call is handed off: None (no hand-off), or {"what_happens_next":
    what the caller is told, "who": who gets back to them, in a customer's words, "by_when": how soon}, from a
    hand-off as the desk reads it (`Handoff.to_dict()`, or `handoff_data`: `escalation:` and docs/teams.yml)."""
    if not handoff or not handoff.get("team"):
        return None
    return {key: str(handoff.get(key) or "") for key in HANDOFF_KEYS}


def customer_emails(template: jinja2.Template, *, title: str, steps_by_depth: Mapping[str, Iterable[Mapping[str, Any]]],
                    handoff: Mapping[str, str] | None, other_handoffs: Mapping[str, Mapping[str, str] | None] | None = None,
                    source: Path | str = TEMPLATE_PATH) -> dict[str, dict[str, str]]:
    """{depth: {ending: e-mail text}} with `PROBLEM_SLOT` where the restated problem goes. `handoff` is the
    article's own, said after a call handed off (`not_solved`); `other_handoffs` (team id -> details) add
    a `not_solved:TEAM` ending for each team an outcome hands to instead."""
    # Only a call that ended in a hand-off promises a call-back: from the article's own button (`any`) no
    # one knows whether the case was handed off.
    endings: list[tuple[str, bool | None, Mapping[str, str] | None]] = [
        (ending, solved, handoff if solved is False else None) for ending, solved in ENDINGS.items()]
    endings += [(f"{HANDED_OFF}:{team}", False, details) for team, details in (other_handoffs or {}).items() if details]
    emails: dict[str, dict[str, str]] = {}
    for depth, steps in steps_by_depth.items():
        shown = [{"number": number, "text": step["text"], "checkpoint": step.get("checkpoint"),
                  "variant": step.get("variant") or ""} for number, step in enumerate(steps, start=1)]
        if not shown:
            continue
        emails[depth] = {}
        for ending, solved, details in endings:
            try:
                text = template.render(title=title, problem=PROBLEM_SLOT, steps=shown, solved=solved,
                                       handoff=dict(details) if details else None)
            except jinja2.TemplateError as exc:
                message = f"the customer e-mail template failed: {exc}; use only the variables listed at its top."
                raise ContentError(source, _template_line(exc), message) from None
            emails[depth][ending] = _tidy(text)
    return emails


def _template_line(exc: jinja2.TemplateError) -> int:
    return getattr(exc, "lineno", None) or 1


def _tidy(text: str) -> str:
    """At most one blank line in a row, and one newline at the end."""
    lines: list[str] = []
    for line in text.splitlines():
        line = line.rstrip()
        if line or (lines and lines[-1]):
            lines.append(line)
    return "\n".join(lines).strip("\n") + "\n"


def check_template(collection: Any) -> Iterable[Finding]:
    """`kb check`: the e-mail template parses and renders (with a hand-off and without), before any agent copies it."""
    docs_dir = collection.config.docs_dir
    try:
        template = load_template(docs_dir)
        if template is not None:
            sample = [{"text": "Tap Restart hub.", "checkpoint": "the lights turn white.", "variant": ""}]
            handoff = {"what_happens_next": "Network Support will call you back.", "who": "Network Support",
                       "by_when": "4 hours"}
            for example in (None, handoff):
                customer_emails(template, title="Example", steps_by_depth={"beginner": sample}, handoff=example)
    except ContentError as exc:
        return [Finding(TEMPLATE_PATH, exc.line, "error", "customer-email", exc.message)]
    return []
