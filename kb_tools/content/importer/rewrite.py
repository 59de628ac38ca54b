"""A source article's Markdown made kb Markdown: its HTML converted, its anchors kept, its links
pointed at the new paths.

Stages: hide code (fences and spans are never touched) -> HTML blocks and inline tags to
Markdown -> GitHub alerts to admonitions -> `<a id>` anchors onto the heading they mark and
`{#id}` written the way attr_list reads it -> every link and image through `resolve` -> code back.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from kb_tools.content.importer.html_to_md import (
    html_block_depth,
    html_block_to_markdown,
    html_inline_to_markdown,
    starts_html_block,
)

_FENCE = re.compile(r"^(\s*)(```+|~~~+)")
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
_MASK = "\x00{}\x00"
_MASKED = re.compile(r"\x00(\d+)\x00")
_ALERT = re.compile(r"^> \[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION)\]\s*$", re.IGNORECASE)
_ALERT_KIND = {"note": "note", "tip": "tip", "important": "info", "caution": "danger", "warning": "warning"}
_ANCHOR_LINE = re.compile(r'^\s*<a (?:name|id)="([^"]+)"\s*>\s*</a>\s*$')
_HEADING = re.compile(r"^(#{1,6}\s.*?)\s*(\{[^}]*\})?\s*$")
_FOOTNOTE = re.compile(r"^\[\^([^\]]+)\]:[ \t]*(.*)$", re.MULTILINE)
_CLASS_ATTRS = re.compile(r"\{(?:\s*\.[\w-]+)+\s*\}")
_LINK = re.compile(r"(!?)\[((?:[^\[\]]|\[[^\]]*\])*)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")


@dataclass(frozen=True)
class Target:
    """What a link or image becomes: a new URL, or plain text when it cannot stay a link."""

    url: str | None = None
    text: str | None = None
    image_as_link: bool = False


Resolve = Callable[[str, str, bool], Target]  # (url, text, is_image) -> Target


def to_kb_markdown(body: str, resolve: Resolve) -> str:
    """The body rewritten; `resolve` decides each link and image."""
    code: list[str] = []
    text = _convert_html(_hide_code(body, code))
    text = _alerts(text)
    text = _unreferenced_footnotes(text)
    text = _anchors(text)
    text = _CLASS_ATTRS.sub("", text)
    text = _LINK.sub(lambda m: _link(m, resolve), text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return _MASKED.sub(lambda m: code[int(m.group(1))], text).strip("\n") + "\n"


def _hide_code(text: str, code: list[str]) -> str:
    def hide(chunk: str) -> str:
        code.append(chunk)
        return _MASK.format(len(code) - 1)

    lines, out, fence = text.split("\n"), [], None
    block: list[str] = []
    for line in lines:
        match = _FENCE.match(line)
        if fence is None and match:
            fence, block = match.group(2)[0] * 3, [line]
        elif fence is not None:
            block.append(line)
            if match and match.group(2).startswith(fence):
                out.append(hide("\n".join(block)))
                fence = None
        else:
            out.append(_CODE_SPAN.sub(lambda m: hide(m.group(0)), line))
    if fence is not None:  # an unclosed fence runs to the end, as Markdown reads it
        out.append(hide("\n".join(block)))
    return "\n".join(out)


def _convert_html(text: str) -> str:
    lines, out, index = text.split("\n"), [], 0
    while index < len(lines):
        line = lines[index]
        if starts_html_block(line):
            indent = re.match(r"\s*", line).group(0)  # type: ignore[union-attr]
            block, depth = [line], html_block_depth(line)
            while depth > 0 and index + 1 < len(lines):
                index += 1
                block.append(lines[index])
                depth += html_block_depth(lines[index])
            converted = html_block_to_markdown("\n".join(block))
            out.extend(["", *(indent + part if part else "" for part in converted.split("\n")), ""])
        else:
            out.append(html_inline_to_markdown(line))
        index += 1
    return "\n".join(out)


def _alerts(text: str) -> str:
    """GitHub's `> [!NOTE]` blocks as admonitions (`!!! note`), which the site styles."""
    lines, out, index = text.split("\n"), [], 0
    while index < len(lines):
        match = _ALERT.match(lines[index].strip())
        if not match:
            out.append(lines[index])
            index += 1
            continue
        out += ["", f"!!! {_ALERT_KIND[match.group(1).lower()]}", ""]
        index += 1
        while index < len(lines) and lines[index].startswith(">"):
            content = lines[index][1:].removeprefix(" ")
            out.append(f"    {content}" if content.strip() else "")
            index += 1
        out.append("")
    return "\n".join(out)


def _unreferenced_footnotes(text: str) -> str:
    """A footnote nothing refers to becomes a plain note: Markdown would link it back to nowhere."""
    def note(match: re.Match[str]) -> str:
        label = match.group(1)
        references = len(re.findall(rf"\[\^{re.escape(label)}\](?!:)", text))
        return match.group(0) if references else f"Note: {match.group(2)}"

    return _FOOTNOTE.sub(note, text)


def _anchors(text: str) -> str:
    """`<a id="x"></a>` just above a heading becomes the heading's `{#x}`; `## Title{#x}` gets its space."""
    lines, out, pending = text.split("\n"), [], None
    for line in lines:
        anchor = _ANCHOR_LINE.match(line)
        if anchor:
            if pending:
                out.append(f'<a id="{pending}"></a>')
            pending = anchor.group(1)
            continue
        heading = _HEADING.match(line) if line.startswith("#") else None
        if heading:
            title, attrs = heading.group(1), heading.group(2) or ""
            if pending and "#" not in attrs:
                attrs = f"{{#{pending}}}" if not attrs else attrs[:-1] + f" #{pending}}}"
                pending = None
            line = f"{title} {attrs}" if attrs else title
        elif pending and line.strip():
            out.append(f'<a id="{pending}"></a>')  # not above a heading: keep the HTML anchor
            pending = None
        out.append(line)
    if pending:
        out.append(f'<a id="{pending}"></a>')
    return "\n".join(out)


def _link(match: re.Match[str], resolve: Resolve) -> str:
    is_image, text, url = bool(match.group(1)), match.group(2), match.group(3)
    target = resolve(url, text, is_image)
    if target.url is None:
        return target.text or text
    shown = target.text if target.text is not None else text
    prefix = "!" if is_image and not target.image_as_link else ""
    return f"{prefix}[{shown}]({target.url})"
