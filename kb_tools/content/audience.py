"""Who reads what: agent-only blocks in the Markdown, links to internal articles, and the steps that
still speak to the agent where a customer reads them.

Agent-only text is an admonition, `!!! agent "For agents"` (or a collapsible `??? agent`), whose block
is the indented lines under it. The customer edition drops those blocks from the Markdown before it
is rendered, so neither its pages nor its search index ever hold them.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterator

from kb_tools.content.findings import Finding
from kb_tools.content.model import Article, Collection

_AGENT_OPENER = re.compile(r"^(?P<indent>[ \t]*)(?:!!!|\?\?\?\+?)[ \t]+agent\b")
_FENCE = re.compile(r"^\s*(```|~~~)")
# An inline link `[text](target "title")`; images (`![...]`) are left alone.
_LINK = re.compile(r"(?<!!)\[(?P<text>[^\]\n]*)\]\((?P<href>[^)\s]+)(?:\s+\"[^\"]*\")?\)")
_EXTERNAL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//")
# A step that tells the agent what to make the customer do, said to the agent.
AGENT_VOICE = re.compile(
    r"\b(?:ask|tell|have|get|let|remind|help|walk)\s+(?:the\s+(?:customer|caller)|them|him|her)\b"
    r"(?:\s+(?:to|that|it|what|how|when|where)\b)?", re.I)


def _indent(line: str) -> int:
    return len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip())


def agent_block_lines(markdown: str) -> Iterator[tuple[str, bool]]:
    """Each line of the Markdown (with its line end), and whether it belongs to an `!!! agent` block
    (the opener line and every line indented under it); code blocks never open one."""
    block_indent: int | None = None
    in_fence = False
    for line in markdown.splitlines(keepends=True):
        if block_indent is not None:
            if not line.strip() or _indent(line) > block_indent:
                yield line, True
                continue
            block_indent = None
        if _FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence and (match := _AGENT_OPENER.match(line)):
            block_indent = _indent(match.group("indent"))
            yield line, True
            continue
        yield line, False


def strip_agent_blocks(markdown: str) -> str:
    """The Markdown without its `!!! agent` blocks (the opener line and every line indented under it)."""
    return "".join(line for line, for_agents in agent_block_lines(markdown) if not for_agents)


def unlink_pages(markdown: str, page: str, is_shown: Callable[[str], bool]) -> str:
    """Links from `page` to Markdown pages `is_shown` rejects become their plain text."""
    def rewrite(match: re.Match[str]) -> str:
        href = match.group("href")
        target = href.partition("#")[0]
        if _EXTERNAL.match(href) or not target.endswith(".md"):
            return match.group(0)
        path = posixpath.normpath(posixpath.join(posixpath.dirname(page), target)).lstrip("/")
        return match.group(0) if is_shown(path) else match.group("text")

    return _LINK.sub(rewrite, markdown)


def check_voice(collection: Collection) -> Iterator[Finding]:
    """Customer-visible steps that speak to the agent ("Ask the customer to…") outside an agent block."""
    for article in collection:
        if article.meta.is_customer_visible and article.meta.status != "archived":
            yield from _agent_voice(article)


def _agent_voice(article: Article) -> Iterator[Finding]:
    source: list[str] | None = None
    for section in article.sections:
        for step in section.steps:
            for text in (step.text, step.checkpoint or "", *(outcome.label for outcome in step.outcomes)):
                match = AGENT_VOICE.search(text)
                if match:
                    source = source if source is not None else _source_lines(article)
                    line = _line_of(source, match.group(0), step.line)
                    yield Finding(article.path, line, "error", "agent-voice",
                                  f"step {step.number} speaks to the agent (\"{match.group(0)}\") in a customer-visible "
                                  "article: write the step to whoever does it (\"Open the app and tap My Hub.\") and "
                                  "put what only the agent does in an `!!! agent` block.")
                    break


def _source_lines(article: Article) -> list[str]:
    try:
        return article.source_path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []


def _line_of(lines: list[str], phrase: str, start: int) -> int:
    """The line, from the step's own, where `phrase` starts (it may wrap onto the next line)."""
    first_word = phrase.split()[0].lower()
    wanted = " ".join(phrase.lower().split())
    for number in range(max(start, 1), len(lines) + 1):
        joined = " ".join((lines[number - 1] + " " + (lines[number] if number < len(lines) else "")).lower().split())
        if wanted in joined and first_word in lines[number - 1].lower():
            return number
    return start
