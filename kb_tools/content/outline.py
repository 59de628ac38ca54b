"""Read an article's rendered HTML into its outline: sections, depths, steps, tabs and links.

Working from the HTML the site itself produces (rather than re-parsing Markdown by hand) is
what makes anchors, tab contents and text agree with the built site, including duplicate
headings, explicit `{#id}`s and code fences that contain `===`.

The module is longer than most because `_Walker` is one state machine over the HTML (sections,
tab sets, agent blocks, ordered steps, outcomes and links are all open or closed by the same tags);
split across files, each piece would need the others' state.
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from kb_tools.content.markdown_ext import CHECKPOINT_CLASS

# `!!! agent "For agents"`: text for the agent only (see kb_tools.content.audience)
AGENT_CLASS = "agent"
AGENT_TITLE_CLASS = "admonition-title"

DEPTH_LABELS = {"Beginner": "beginner", "Expert": "expert"}
BOTH = "both"

_BLOCK_TAGS = {
    "p", "div", "li", "ol", "ul", "pre", "table", "tr", "td", "th", "blockquote", "dt", "dd",
    "details", "summary", "br", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "section", "label",
}
_SKIPPED_TAGS = {"script", "style", "template", "svg"}
_VOID_TAGS = {"br", "hr", "img", "input", "meta", "link", "wbr", "source", "col", "area", "embed"}
_SPACES = re.compile(r"\s+")


# Inline markup kept in a step's `html` (bold labels, live links): nothing else reaches call mode.
_KEPT_INLINE = {"strong", "b", "em", "i", "code", "kbd", "a"}
# An outcome: "What the customer sees → where it leads", in a list under the checkpoint.
OUTCOME_ARROWS = ("\u2192", "->")


@dataclass
class OutlineOutcome:
    """One answer the customer may give at a checkpoint, and where it leads (as written)."""

    label: str
    html: str
    target: str  # the text after the arrow: "step 4", "solved", "hand off ...", or a link and its text
    href: str | None  # the link after the arrow, if any


@dataclass
class OutlineStep:
    text: str
    checkpoint: str | None
    labels: tuple[str, ...]
    variant: str  # the non-depth tab the step sits in (e.g. "Android"), or ""
    html: str = ""  # the text with its bold labels and links kept
    checkpoint_html: str = ""
    outcomes: tuple[OutlineOutcome, ...] = ()
    agent: str = ""  # the step's `!!! agent` blocks: for the agent only, never in the step's text


@dataclass
class OutlineSection:
    heading: str
    anchor: str
    level: int
    path: tuple[str, ...]
    depth: str
    text: str = ""
    steps: list[OutlineStep] = field(default_factory=list)


@dataclass
class OutlineTab:
    label: str
    is_empty: bool
    heading_anchor: str


@dataclass
class OutlineLink:
    href: str
    text: str


@dataclass
class Outline:
    title: str | None  # the first <h1>, if any
    sections: list[OutlineSection]
    tab_sets: list[list[OutlineTab]]
    links: list[OutlineLink]
    ids: set[str]  # every element id: the targets a `#fragment` link may name


def read_outline(html: str) -> Outline:
    """Walk the HTML once and return its outline."""
    walker = _Walker()
    walker.feed(html)
    walker.close()
    return walker.finish()


@dataclass
class _TabSet:
    labels: list[str] = field(default_factory=list)
    block: int = -1
    tabs: list[OutlineTab] = field(default_factory=list)
    block_text_start: int = 0


@dataclass
class _OutcomeBuffer:
    label: list[str] = field(default_factory=list)
    label_html: list[str] = field(default_factory=list)
    target: list[str] = field(default_factory=list)
    href: str | None = None
    after_arrow: bool = False


@dataclass
class _StepBuffer:
    parts: list[str] = field(default_factory=list)
    checkpoint: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    checkpoint_html: list[str] = field(default_factory=list)
    outcomes: list[OutlineOutcome] = field(default_factory=list)
    outcome: _OutcomeBuffer | None = None
    agent: list[str] = field(default_factory=list)


class _Walker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str]] = []  # (tag, role)
        self.heading_stack: list[tuple[int, str]] = []
        self.current: dict[str, OutlineSection] = {}
        self.sections: list[OutlineSection] = []
        self.heading_parts: list[str] | None = None
        self.heading_meta: tuple[int, str] = (0, "")
        self.anchor = ""
        self.tab_sets: list[_TabSet] = []
        self.finished_tab_sets: list[list[OutlineTab]] = []
        self.label_parts: list[str] | None = None
        self.list_depth = 0
        self.step: _StepBuffer | None = None
        self.step_list_depth = 0
        self.in_checkpoint = 0
        self.in_label = 0
        self.in_agent = 0
        self.skip = 0
        self.links: list[OutlineLink] = []
        self.link_parts: list[str] | None = None
        self.link_href = ""
        self.text_count = 0
        self.title: str | None = None
        self.ids: set[str] = set()

    # --- where we are -------------------------------------------------------------------
    def _depth_and_variant(self) -> tuple[str, str]:
        depth, variant = BOTH, ""
        for tab_set in self.tab_sets:
            if 0 <= tab_set.block < len(tab_set.labels):
                label = tab_set.labels[tab_set.block]
                if label in DEPTH_LABELS:
                    depth = DEPTH_LABELS[label]
                else:
                    variant = label
        return depth, variant

    def _section(self) -> OutlineSection:
        depth, _ = self._depth_and_variant()
        section = self.current.get(depth)
        if section is None:
            level, heading = self.heading_meta
            path = tuple(text for _, text in self.heading_stack)
            section = OutlineSection(heading, self.anchor, level, path, depth)
            self.current[depth] = section
            self.sections.append(section)
        return section

    # --- parser callbacks ---------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: (v or "") for k, v in attrs}
        classes = attributes.get("class", "").split()
        if attributes.get("id"):
            self.ids.add(attributes["id"])
        role = ""
        # "For agents", an agent block's title, is not its text
        is_agent_title = self.in_agent > 0 and (tag == "summary" or AGENT_TITLE_CLASS in classes)
        if self.skip or tag in _SKIPPED_TAGS or is_agent_title or (tag == "a" and "headerlink" in classes):
            if tag not in _VOID_TAGS:
                self.skip += 1
                self.stack.append((tag, "skip"))
            return
        if tag in _BLOCK_TAGS:
            self._text(" ")
        if self.step is not None and tag in _KEPT_INLINE:
            self._open_inline(tag, attributes.get("href", ""))
        if re.fullmatch(r"h[1-6]", tag):
            self.heading_parts = []
            self.heading_meta = (int(tag[1]), attributes.get("id", ""))
            role = "heading"
        elif tag in ("div", "details") and AGENT_CLASS in classes and ("admonition" in classes or tag == "details"):
            self.in_agent += 1
            role = "agent"
        elif tag == "div" and "tabbed-set" in classes:
            self.tab_sets.append(_TabSet())
            role = "tabset"
        elif tag == "label" and self.tab_sets and self.tab_sets[-1].block < 0:
            self.label_parts = []
            role = "tablabel"
        elif tag == "div" and "tabbed-block" in classes and self.tab_sets:
            tab_set = self.tab_sets[-1]
            tab_set.block += 1
            tab_set.block_text_start = self.text_count
            role = "tabblock"
        elif (tag == "ul" and self.step is not None and self.step.checkpoint and not self.step.outcomes
              and self.list_depth == self.step_list_depth):
            self.list_depth += 1
            role = "outcomes"  # a list right under the step's checkpoint: what the customer may see
        elif tag in ("ol", "ul"):
            self.list_depth += 1
            role = tag
        elif tag == "li" and self.step is not None and self.stack and self.stack[-1][1] == "outcomes":
            self.step.outcome = _OutcomeBuffer()
            role = "outcome"
        elif tag == "li" and self.step is None and self.stack and self.stack[-1][0] == "ol":
            self.step = _StepBuffer()
            self.step_list_depth = self.list_depth
            role = "step"
        elif tag == "p" and CHECKPOINT_CLASS in classes and self.step is not None:
            self.in_checkpoint += 1
            role = "checkpoint"
        elif tag in ("strong", "b", "kbd") and self.step is not None:
            self.in_label += 1
            self.label_parts = self.label_parts if self.label_parts is not None else []
            role = "label"
        elif tag == "a" and attributes.get("href"):
            self.link_href = attributes["href"]
            self.link_parts = []
            role = "link"
        if tag not in _VOID_TAGS:
            self.stack.append((tag, role))

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID_TAGS or not self.stack:
            return
        # Tolerate stray or unclosed tags in inline HTML: close up to the matching tag.
        names = [name for name, _ in self.stack]
        if tag not in names:
            return
        while self.stack:
            name, role = self.stack.pop()
            self._close(name, role)
            if name == tag:
                break

    def _close(self, tag: str, role: str) -> None:
        if role == "skip":
            self.skip -= 1
            return
        if tag in _BLOCK_TAGS:
            self._text(" ")
        if self.step is not None and tag in _KEPT_INLINE:
            self._html(f"</{'strong' if tag == 'b' else 'em' if tag == 'i' else tag}>")
        if role == "heading":
            self._end_heading()
        elif role == "tablabel" and self.label_parts is not None:
            self.tab_sets[-1].labels.append(_clean("".join(self.label_parts)))
            self.label_parts = None
        elif role == "tabblock":
            tab_set = self.tab_sets[-1]
            label = tab_set.labels[tab_set.block] if tab_set.block < len(tab_set.labels) else ""
            tab_set.tabs.append(OutlineTab(label, self.text_count == tab_set.block_text_start, self.anchor))
        elif role == "tabset":
            self.finished_tab_sets.append(self.tab_sets.pop().tabs)
        elif role in ("ol", "ul", "outcomes"):
            self.list_depth -= 1
        elif role == "outcome":
            self._end_outcome()
        elif role == "step":
            self._end_step()
        elif role == "checkpoint":
            self.in_checkpoint -= 1
        elif role == "agent":
            self.in_agent -= 1
        elif role == "label":
            self.in_label -= 1
            if self.in_label == 0 and self.step is not None and self.label_parts is not None:
                label = _clean("".join(self.label_parts))
                if label:
                    self.step.labels.append(label)
                self.label_parts = None
        elif role == "link" and self.link_parts is not None:
            self.links.append(OutlineLink(self.link_href, _clean("".join(self.link_parts))))
            self.link_parts = None

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.label_parts is not None and (self.in_label or self.tab_sets and self.tab_sets[-1].block < 0):
            self.label_parts.append(data)
            if not self.in_label:
                return  # tab labels are controls, not text
        if self.heading_parts is not None:
            self.heading_parts.append(data)
            return
        if self.link_parts is not None:
            self.link_parts.append(data)
        self._text(data)

    # --- helpers --------------------------------------------------------------------------
    def _text(self, data: str) -> None:
        if data.strip():
            self.text_count += 1
        section = self._section()
        step = self.step
        if step is not None and self.in_agent:
            step.agent.append(data)
        elif step is not None and step.outcome is not None:
            self._outcome_text(step.outcome, data)
        elif step is not None:
            (step.checkpoint if self.in_checkpoint else step.parts).append(data)
            self._html(html_lib.escape(data, quote=False))
        else:
            section.text += data

    def _html(self, markup: str) -> None:
        """Add to the HTML of what the step is collecting now: its text, checkpoint or outcome label."""
        step = self.step
        assert step is not None
        if self.in_agent:
            return  # agent-only text never reaches the step's own text
        if step.outcome is not None:
            if not step.outcome.after_arrow:
                step.outcome.label_html.append(markup)
        elif self.in_checkpoint:
            step.checkpoint_html.append(markup)
        elif self.list_depth == self.step_list_depth:  # not a nested list's text
            step.html.append(markup)

    def _open_inline(self, tag: str, href: str) -> None:
        outcome = self.step.outcome if self.step is not None else None
        if tag == "a" and outcome is not None and outcome.after_arrow:
            outcome.href = outcome.href or href  # the outcome's target
        name = "strong" if tag == "b" else "em" if tag == "i" else tag
        self._html(f'<a href="{html_lib.escape(href)}">' if tag == "a" else f"<{name}>")

    @staticmethod
    def _outcome_text(outcome: _OutcomeBuffer, data: str) -> None:
        if not outcome.after_arrow:
            for arrow in OUTCOME_ARROWS:
                if arrow in data:
                    before, _, data = data.partition(arrow)
                    outcome.label.append(before)
                    outcome.label_html.append(html_lib.escape(before, quote=False))
                    outcome.after_arrow = True
                    break
            else:
                outcome.label.append(data)
                outcome.label_html.append(html_lib.escape(data, quote=False))
                return
        outcome.target.append(data)

    def _end_outcome(self) -> None:
        step = self.step
        if step is None or step.outcome is None:
            return
        outcome, step.outcome = step.outcome, None
        label, target = _clean("".join(outcome.label)), _clean("".join(outcome.target))
        if outcome.after_arrow:
            step.outcomes.append(OutlineOutcome(label, _clean("".join(outcome.label_html)), target, outcome.href))
        else:  # an ordinary list item under the checkpoint: part of the step's text
            step.parts.append(f" {label} ")

    def _end_heading(self) -> None:
        level, anchor = self.heading_meta
        text = _clean("".join(self.heading_parts or []))
        self.heading_parts = None
        if level == 1 and self.title is None:
            self.title = text
        while self.heading_stack and self.heading_stack[-1][0] >= level:
            self.heading_stack.pop()
        self.heading_stack.append((level, text))
        self.heading_meta = (level, text)
        self.anchor = anchor
        self.current = {}
        self._section()  # every heading is a section, even with nothing under it

    def _end_step(self) -> None:
        step, self.step = self.step, None
        if step is None:
            return
        text = _clean("".join(step.parts))
        checkpoint = _clean("".join(step.checkpoint))
        if checkpoint.lower().startswith("checkpoint:"):
            checkpoint = checkpoint[len("checkpoint:"):].strip()
        section = self._section()
        _, variant = self._depth_and_variant()
        checkpoint_html = _clean("".join(step.checkpoint_html))
        checkpoint_html = re.sub(r"^(<strong>)?checkpoint:\s*(</strong>)?\s*", "", checkpoint_html, flags=re.I)
        outcomes = tuple(step.outcomes)
        agent = _clean("".join(step.agent))
        section.steps.append(OutlineStep(text, checkpoint or None, tuple(step.labels), variant,
                                         _clean("".join(step.html)), checkpoint_html, outcomes, agent))
        said = " ".join(o.label for o in outcomes)
        section.text += f" {text} {checkpoint} {said} {agent} "  # agents search their notes too

    def finish(self) -> Outline:
        sections = [s for s in self.sections if s.text.strip() or s.steps or s.anchor]
        for section in sections:
            section.text = _clean(section.text)
        return Outline(self.title, sections, self.finished_tab_sets, self.links, self.ids)


def _clean(text: str) -> str:
    return _SPACES.sub(" ", text).strip()
