"""The `placeholder` rule: text of a `kb new` template that nobody filled in.

Templates write every slot to fill as `((what goes here))`: double parentheses never occur in
real prose, read plainly in an editor and on the site, and stay plain text in YAML and
Markdown. The rule looks for that form, not for the templates' current wording, so it keeps
working when a template changes, and it still finds the slots of articles started from an
older template. A test holds every template to the form (no other parentheses in them).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from kb_tools.content.findings import Finding, Severity

PLACEHOLDER = re.compile(r"\(\((?:(?!\(\(|\)\)).)+?\)\)")
RULE = "placeholder"
_FENCE = re.compile(r"^\s*(```|~~~)")
_CODE_SPAN = re.compile(r"(`+).+?\1")


def find_placeholders(text: str) -> Iterator[tuple[int, list[str]]]:
    """Each line (1-based, front matter included) holding placeholders, with them in order.

    Code is left out: a page may show the form in a code block or `code span`, as the writing
    guide does.

    >>> list(find_placeholders("---\\ntitle: ((Title))\\n---\\n`((shown))` ((left))\\n"))
    [(2, ['((Title))']), (4, ['((left))'])]
    """
    in_fence = False
    for number, line in enumerate(text.splitlines(), start=1):
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        found = PLACEHOLDER.findall(_CODE_SPAN.sub("", line))
        if found:
            yield number, found


def placeholder_findings(path: str, text: str, *, status: str) -> Iterator[Finding]:
    """One finding per line with placeholders: an error on a validated article, else a warning."""
    severity: Severity = "error" if status == "validated" else "warning"
    for line, found in find_placeholders(text):
        listed = ", ".join(dict.fromkeys(found))
        yield Finding(path, line, severity, RULE,
                      f"template text left to fill in: {listed}; replace it with the real text.")
