"""A Python-Markdown extension that marks checkpoint paragraphs so the site can style them.

A checkpoint is a paragraph inside a step that starts with `Checkpoint:` (see "Writing
articles"). Both the site (through the `kb` plugin) and the content model render with this
extension, so both see the same `<p class="kb-checkpoint">`.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree

from markdown import Extension, Markdown
from markdown.treeprocessors import Treeprocessor

CHECKPOINT_PREFIX = "checkpoint:"
CHECKPOINT_CLASS = "kb-checkpoint"


def is_checkpoint_text(text: str) -> bool:
    return text.lstrip().lower().startswith(CHECKPOINT_PREFIX)


class _CheckpointMarker(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        for paragraph in root.iter("p"):
            lead = paragraph.text or ""
            if not lead.strip() and len(paragraph) and paragraph[0].tag in ("strong", "em", "b"):
                lead = paragraph[0].text or ""  # **Checkpoint:** written in bold
            if is_checkpoint_text(lead):
                classes = paragraph.get("class", "")
                paragraph.set("class", f"{classes} {CHECKPOINT_CLASS}".strip())


class CheckpointExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        # After inline processing (priority 20), so paragraph text is final.
        md.treeprocessors.register(_CheckpointMarker(md), "kb_checkpoints", 15)


def makeExtension(**kwargs: object) -> CheckpointExtension:  # noqa: N802
    return CheckpointExtension(**kwargs)
