"""HTML to Markdown for `kb import`, on the standard library's html.parser.

Two uses: a whole HTML block (a help centre's `<div>` cards, a `<table>`) becomes Markdown
blocks; an inline fragment inside a Markdown line (`<b>`, `<a href>`, `<br>`) becomes inline
Markdown, leaving the Markdown around it as written. What Markdown cannot say is kept as
HTML (`<kbd>`, `<sup>`, an `<a id>` anchor); forms, scripts and styles are dropped.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

BLOCK_TAGS = frozenset({"div", "p", "table", "figure", "figcaption", "section", "article", "header", "footer",
                        "form", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "hr",
                        "main", "nav", "aside", "body", "html", "thead", "tbody", "tr", "td", "th", "center"})
_KEPT = frozenset({"kbd", "sup", "sub", "mark", "abbr", "u", "s", "del", "ins", "small"})
_DROPPED_WITH_CONTENT = frozenset({"script", "style", "head", "title", "button", "select", "textarea", "svg",
                                   "video", "audio"})
_VOID_DROPPED = frozenset({"input", "meta", "link", "source", "wbr", "col"})
_SILENT = frozenset({"span", "label", "font", "tfoot", "caption", "colgroup", "picture", "video", "iframe"})
_EMPHASIS = {"b": "**", "strong": "**", "i": "_", "em": "_"}
_HEADING = re.compile(r"h([1-6])")
_LIST_ITEM = re.compile(r"\s*(\* |\d+\. )")
_KNOWN = BLOCK_TAGS | _KEPT | _DROPPED_WITH_CONTENT | _VOID_DROPPED | _SILENT | set(_EMPHASIS) | {
    "a", "img", "br", "code"}


class _Converter(HTMLParser):
    def __init__(self, *, inline: bool) -> None:
        super().__init__(convert_charrefs=False)
        self.inline = inline
        self.buffers: list[list[str]] = [[]]
        self.links: list[tuple[str | None, int]] = []  # (href, buffer position where the text starts)
        self.lists: list[list[int]] = []  # one [next number] per open list; 0 for bullets
        self.table: list[list[str]] | None = None
        self.heading_ids: list[str | None] = []
        self.dropping = 0
        self.pre = False

    @property
    def out(self) -> list[str]:
        return self.buffers[-1]

    def _block(self, text: str = "") -> None:
        if not self.inline:
            self.out.append(f"\n\n{text}")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag in ("video", "audio", "source") and attributes.get("src"):  # media: kept as a link to it
            self.out.append(f"[{tag.capitalize()}: {attributes['src']}]({attributes['src']})")
        if self.dropping or tag in _DROPPED_WITH_CONTENT:
            self.dropping += tag in _DROPPED_WITH_CONTENT
            return
        if tag == "a":
            if "href" not in attributes and attributes.get("id"):
                self.out.append(f'<a id="{attributes["id"]}"></a>')
            self.links.append((attributes.get("href"), len(self.out)))
        elif tag == "img":
            src = attributes.get("src", "")
            if src:
                self.out.append(f"![{attributes.get('alt', '').strip()}]({src.replace(' ', '%20')})")
        elif tag == "br":
            self.out.append(" " if self.table is not None or self.heading_ids or self.inline else "  \n")
        elif tag in _EMPHASIS:
            self.out.append(_EMPHASIS[tag])
        elif tag == "code":
            self.out.append("" if self.pre else "`")
        elif tag in _KEPT or tag not in _KNOWN:
            self.out.append(self.get_starttag_text() or "")
        elif tag in ("td", "th"):
            self.buffers.append([])
        elif tag == "tr" and self.table is not None:
            self.table.append([])
        elif tag == "table":
            self._block()
            self.table = []
        elif match := _HEADING.fullmatch(tag):
            self._block("#" * int(match.group(1)) + " ")
            self.heading_ids.append(attributes.get("id"))
        elif tag in ("ul", "ol"):
            self.lists.append([1 if tag == "ol" else 0])
            if len(self.lists) == 1:
                self._block()
        elif tag == "li":
            self._list_item()
        elif tag == "pre":
            self._block("```\n")
            self.pre = True
        elif tag == "hr":
            self._block("---\n\n")
        elif tag in BLOCK_TAGS:
            self._block()

    def _list_item(self) -> None:
        indent = "    " * (len(self.lists) - 1)
        current = self.lists[-1] if self.lists else [0]
        marker = f"{current[0]}. " if current[0] else "* "
        if current[0]:
            current[0] += 1
        self.out.append(f"\n{indent}{marker}")

    def handle_endtag(self, tag: str) -> None:
        if self.dropping:
            self.dropping -= tag in _DROPPED_WITH_CONTENT
            return
        if tag == "a" and self.links:
            href, start = self.links.pop()
            if href:
                text = " ".join("".join(self.out[start:]).split()) or href
                del self.out[start:]
                self.out.append(f"[{text}]({href.replace(' ', '%20')})")
        elif tag in _EMPHASIS:
            self.out.append(_EMPHASIS[tag])
        elif tag == "code":
            self.out.append("" if self.pre else "`")
        elif tag in _KEPT or tag not in _KNOWN:
            self.out.append(f"</{tag}>")
        elif tag in ("td", "th") and len(self.buffers) > 1:
            cell = " ".join("".join(self.buffers.pop()).split()).replace("|", "\\|")
            if self.table is not None:
                if not self.table:
                    self.table.append([])
                self.table[-1].append(cell)
        elif tag == "table" and self.table is not None:
            self.out.append(_markdown_table(self.table))
            self.table = None
        elif _HEADING.fullmatch(tag) and self.heading_ids:
            anchor = self.heading_ids.pop()
            self.out.append(f" {{#{anchor}}}" if anchor else "")
            self._block()
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
            if not self.lists:
                self._block()
        elif tag == "pre":
            self.pre = False
            self.out.append("\n```")
            self._block()
        elif tag in BLOCK_TAGS and tag != "li":
            self._block()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in ("img", "br", "hr", "input") and tag not in _VOID_DROPPED:
            self.handle_endtag(tag)

    def handle_data(self, data: str) -> None:
        if self.dropping:
            return
        if self.inline or self.pre:
            self.out.append(data)
        else:
            self.out.append(re.sub(r"\s+", " ", data))

    def handle_entityref(self, name: str) -> None:
        if not self.dropping:
            self.out.append(f"&{name};")

    def handle_charref(self, name: str) -> None:
        if not self.dropping:
            self.out.append(f"&#{name};")

    def result(self) -> str:
        while len(self.buffers) > 1:  # an unclosed cell: keep its text
            text = self.buffers.pop()
            self.out.extend(text)
        return "".join(self.out)


def _markdown_table(rows: list[list[str]]) -> str:
    rows = [row for row in rows if any(cell for cell in row)]
    if not rows:
        return ""
    width = max(len(row) for row in rows)
    padded = [row + [""] * (width - len(row)) for row in rows]
    lines = ["| " + " | ".join(padded[0]) + " |", "|" + " --- |" * width]
    lines += ["| " + " | ".join(row) + " |" for row in padded[1:]]
    return "\n\n" + "\n".join(lines) + "\n\n"


def html_block_to_markdown(html: str) -> str:
    """Markdown for a block of HTML, without leading or trailing blank lines."""
    converter = _Converter(inline=False)
    converter.feed(html)
    converter.close()
    text = converter.result()
    lines = [line.rstrip() if not line.endswith("  ") else line for line in text.split("\n")]
    text = "\n".join(line if line.strip() else "" for line in lines)
    text = re.sub(r"\n{3,}", "\n\n", text).strip("\n")
    return "\n".join(line if _LIST_ITEM.match(line) else line.lstrip() for line in text.split("\n"))


def html_inline_to_markdown(fragment: str) -> str:
    """Inline HTML tags of one Markdown line as Markdown; the rest of the line as written."""
    if "<" not in fragment:
        return fragment
    converter = _Converter(inline=True)
    converter.feed(fragment)
    converter.close()
    return converter.result()


def starts_html_block(line: str) -> bool:
    """Whether a Markdown line opens an HTML block (a block-level tag first on the line)."""
    match = re.match(r"\s*<([a-zA-Z][a-zA-Z0-9]*)[\s>/]", line + " ")
    return match is not None and match.group(1).lower() in BLOCK_TAGS | {"img"}


def html_block_depth(line: str) -> int:
    """How many block-level elements the line opens, less those it closes."""
    opened = len([t for t in re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)[\s>/]", line + " ")
                  if t.lower() in BLOCK_TAGS and t.lower() not in ("hr",)])
    closed = len([t for t in re.findall(r"</([a-zA-Z][a-zA-Z0-9]*)\s*>", line) if t.lower() in BLOCK_TAGS])
    return opened - closed
