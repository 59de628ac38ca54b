"""Links to `#anchors` the imported articles do not have: matched to the heading they meant, or
dropped (the link then opens the article at its top) and listed for a human."""

from __future__ import annotations

import posixpath
import re
from urllib.parse import unquote

from kb_tools.content.config import KBConfig
from kb_tools.content.model import ArticleParser

_WORDS = re.compile(r"[^0-9a-z]+")


def repair_anchors(texts: dict[str, str], config: KBConfig, needs_human: list[tuple[str, str]]) -> dict[str, str]:
    """`{path: text}` with every link's anchor pointing at an id its target really has."""
    parser = ArticleParser(config)
    ids = {path: parser.parse(config.docs_dir / path, text) for path, text in texts.items()}
    repaired = {}
    for path, text in texts.items():
        base = posixpath.dirname(path)
        for link in ids[path].links:
            target, hashmark, anchor = link.href.partition("#")
            if not hashmark or not link.is_internal:
                continue
            linked = posixpath.normpath(posixpath.join(base, unquote(target))) if target else path
            known = ids[linked].ids if linked in ids else None
            if known is None or unquote(anchor) in known:
                continue
            fixed = _closest(unquote(anchor), known)
            new_href = f"{target}#{fixed}" if fixed else (target or "#")
            if not fixed:
                needs_human.append((path, f"the link to #{unquote(anchor)} ({link.href}) named no heading of "
                                          f"{linked}; it now opens the article"))
            text = text.replace(f"]({link.href})", f"]({new_href})")
        repaired[path] = text
    return repaired


def _closest(anchor: str, known: frozenset[str]) -> str | None:
    """The id written the same way once case and punctuation are set aside (GitHub and
    Python-Markdown make heading ids differently)."""
    key = _WORDS.sub("", anchor.lower())
    matches = [candidate for candidate in known if _WORDS.sub("", candidate.lower()) == key]
    return matches[0] if len(matches) == 1 and key else None


__all__ = ["repair_anchors"]
