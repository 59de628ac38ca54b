"""What `kb import` guesses about an article, with its reason: the type and a one-sentence summary."""

from __future__ import annotations

import re

_TROUBLE_TITLE = re.compile(
    r"^(if|why|error|fix|troubleshoot\w*)\b|\b(errors?|not working|doesn'?t|does not|don'?t|won'?t|can'?t|cannot"
    r"|unable|fails?|failed|failing|issues?|problems?|not detected|not recogni[sz]ed|not responding|stuck|missing"
    r"|broken|troubleshoot\w*)\b", re.IGNORECASE)
_REFERENCE_TITLE = re.compile(
    r"^(about|what|which|who|when|where|list|overview|supported|compatib\w*|specifications?|differences?|"
    r"glossary|faq)\b|\b(overview|specifications|list of|compatibility|faq|differences?|pinout|limits?|"
    r"policy|terms|bulletins?)\b", re.IGNORECASE)
_ORDERED_STEP = re.compile(r"^\s{0,3}1\.\s", re.MULTILINE)
_MARKUP = re.compile(r"!?\[([^\]]*)\]\([^)]*\)|[*_`|]+|\{[^}]*\}")
_TAG = re.compile(r"<[^>]+>")
_SENTENCE = re.compile(r"(.+?[.!?])(?:\s|$)")


def guess_type(title: str, body: str) -> tuple[str, str]:
    """(type, why): troubleshooting for a problem title, reference for an "About"/"What" title,
    how-to for numbered steps, else reference."""
    if match := _TROUBLE_TITLE.search(title):
        return "troubleshooting", f'the title says "{match.group(0).strip()}"'
    if match := _REFERENCE_TITLE.search(title):
        return "reference", f'the title says "{match.group(0).strip()}"'
    if _ORDERED_STEP.search(body):
        return "how-to", "it has numbered steps"
    if title.lower().startswith("how "):
        return "how-to", 'the title says "how"'
    return "reference", "no steps and no problem in the title"


def summary_of(title: str, body: str) -> str:
    """The first sentence of the first paragraph of text, else the title as a sentence."""
    for paragraph in re.split(r"\n\s*\n", body):
        first = paragraph.strip()
        if not first or first[0] in "#|<!-*>\x00" or re.match(r"\d+\.\s|`{3}|~{3}|\[", first):
            continue
        text = " ".join(_MARKUP.sub(lambda m: m.group(1) or "", _TAG.sub(" ", first)).split())
        text = text.replace("((", "(").replace("))", ")")  # never a `kb check` placeholder
        if len(text) < 20:
            continue
        sentence = _SENTENCE.match(text)
        summary = (sentence.group(1) if sentence else text).strip()
        if len(summary) > 220:
            summary = summary[:217].rsplit(" ", 1)[0] + "..."
        return summary if summary[-1] in ".!?" else summary + "."
    return title.rstrip(".") + "."
