"""Onboarding paths: Markdown pages under docs/paths/ whose front matter lists steps in order.

Stages: read a path page's front matter into a `LearningPath` (shape findings) -> check the
articles it names exist and are validated (reference findings) -> time it (reading time of
each article from its text, the written `minutes` of each exercise). The site, `kb paths` and
`kb check` all go through `build_catalog`, so they agree on every step and every minute.
"""

from __future__ import annotations

import functools
import hashlib
import math
import posixpath
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kb_tools.content.card import Card, read_card
from kb_tools.content.config import load_config
from kb_tools.content.findings import Finding
from kb_tools.content.frontmatter import split_front_matter
from kb_tools.content.metadata import PAGE_TYPE
from kb_tools.content.model import find_markdown_files, relative_path
from kb_tools.errors import KBError

PATHS_FOLDER = "paths"
WORDS_PER_MINUTE = 180  # careful study reading, slower than skimming (about 250)
STEP_KINDS = {"read": "Read", "explain": "Explain back", "mock_call": "Mock call"}
_STEP_KEYS = {"read": ("read", "focus"), "explain": ("explain", "answer", "minutes"),
              "mock_call": ("mock_call", "use", "minutes")}
_WORD = re.compile(r"[A-Za-z0-9]+(?:['’.-][A-Za-z0-9]+)*")
_MARKUP = re.compile(r"\]\([^)]*\)|<[^>]+>|^\s*===.*$|\{[#.][^}]*\}", re.MULTILINE)


@dataclass(frozen=True)
class PathStep:
    """One step: read an article, explain something back, or role-play a mock call."""

    number: int
    kind: str  # read | explain | mock_call
    article: str | None = None  # read: the article; mock call: the article to handle it with
    focus: str = ""  # read: what to pay attention to
    question: str = ""  # explain
    answer: str = ""  # explain: the model answer, hidden until asked
    scenario: str = ""  # mock call
    minutes: int | None = None  # exercises only; a reading is timed from its article
    line: int = 1

    @property
    def key(self) -> str:
        """A stable id for the browser's progress record: it survives reordering the steps."""
        if self.kind == "read":
            return f"read:{self.article}"
        text = self.question or self.scenario
        return f"{self.kind}:{hashlib.sha1(text.encode('utf-8')).hexdigest()[:10]}"

    @property
    def label(self) -> str:
        return STEP_KINDS[self.kind]


@dataclass(frozen=True)
class LearningPath:
    """One onboarding path, as written in its page's front matter."""

    source: str  # the page, relative to the docs folder
    title: str
    summary: str
    audience: str
    steps: tuple[PathStep, ...]
    order: int | None = None  # where "Start here" lists it; unnumbered paths come last, by name

    @property
    def name(self) -> str:
        return posixpath.splitext(posixpath.basename(self.source))[0]


@dataclass
class Catalog:
    """Every path of a knowledge base, with the articles they name, their times and problems."""

    paths: list[LearningPath] = field(default_factory=list)
    cards: dict[str, Card] = field(default_factory=dict)  # the articles the paths name
    minutes: dict[str, int] = field(default_factory=dict)  # reading minutes per article
    findings: list[Finding] = field(default_factory=list)

    def step_minutes(self, step: PathStep) -> int:
        if step.kind == "read":
            return self.minutes.get(step.article or "", 0)
        return step.minutes or 0

    def total_minutes(self, path: LearningPath) -> int:
        return sum(self.step_minutes(step) for step in path.steps)

    def title_of(self, article: str) -> str:
        card = self.cards.get(article)
        return card.title if card else article

    def find(self, name: str) -> LearningPath:
        """The path called `name` (its file name without .md, or its title)."""
        wanted = name.removesuffix(".md").casefold()
        for path in self.paths:
            if wanted in (path.name.casefold(), path.title.casefold()):
                return path
        known = ", ".join(p.name for p in self.paths) or "none; add one under docs/paths/"
        raise KBError(f"no path called {name!r}; the paths are: {known}.")

    def to_dict(self, path: LearningPath) -> dict[str, Any]:
        """One path with its times, as `kb paths --json` prints it."""
        steps = [{"number": step.number, "kind": step.kind, "article": step.article,
                  "title": self.title_of(step.article) if step.article else None, "focus": step.focus,
                  "question": step.question, "answer": step.answer, "scenario": step.scenario,
                  "minutes": self.step_minutes(step)} for step in path.steps]
        return {"name": path.name, "title": path.title, "summary": path.summary, "audience": path.audience,
                "source": path.source, "minutes": self.total_minutes(path), "steps": steps}

    def positions(self, article: str) -> list[tuple[LearningPath, int]]:
        """Each path that reads `article`, with the index of that step."""
        return [(path, index) for path in self.paths for index, step in enumerate(path.steps)
                if step.kind == "read" and step.article == article]


def is_path_page(src: str) -> bool:
    """True for a page under docs/paths/ (its index page, if any, is an ordinary page)."""
    return src.startswith(f"{PATHS_FOLDER}/") and src.endswith(".md") and posixpath.basename(src) != "index.md"


def build_catalog(pages: Iterable[tuple[str, str]], card_of: Callable[[str], Card | None],
                  text_of: Callable[[str], str | None]) -> Catalog:
    """Read, check and time path pages given as (path, text); `card_of`/`text_of` look articles up."""
    catalog = Catalog()
    for source, text in pages:
        path, findings = parse_path(source, text)
        catalog.findings += findings
        if path is None:
            continue
        catalog.paths.append(path)
        for step in path.steps:
            if step.article and step.article not in catalog.cards and (card := card_of(step.article)):
                catalog.cards[step.article] = card
                if (article_text := text_of(step.article)) is not None:
                    catalog.minutes[step.article] = reading_minutes(article_text)
        catalog.findings += check_references(path, catalog.cards)
    catalog.paths.sort(key=lambda p: (p.order is None, p.order or 0, p.name))
    return catalog


def load_catalog(docs_dir: Path | str) -> Catalog:
    """The paths of a docs folder, read from disk (front matter only, no Markdown rendering)."""
    config = load_config(docs_dir)
    docs = config.docs_dir
    pages = [(relative_path(p, docs), p.read_text(encoding="utf-8", errors="replace"))
             for p in find_markdown_files(docs / PATHS_FOLDER) if is_path_page(relative_path(p, docs))]

    def text_of(article: str) -> str | None:
        file = docs / article
        return file.read_text(encoding="utf-8", errors="replace") if file.is_file() and ".." not in article else None

    def card_of(article: str) -> Card | None:
        text = text_of(article)
        return read_card(article, text, config)[0] if text is not None else None

    return build_catalog(pages, card_of, text_of)


def parse_path(source: str, text: str) -> tuple[LearningPath | None, list[Finding]]:
    """A path page's front matter as a LearningPath, and every problem in its shape."""
    fm = split_front_matter(text)
    if fm.error or not fm.present:
        return None, []  # the page's own front-matter check reports it
    findings: list[Finding] = []

    def report(line: int, rule: str, message: str) -> None:
        findings.append(Finding(source, line, "error", rule, message))

    data = fm.data
    if not isinstance(data.get("audience"), str) or not data["audience"].strip():
        report(fm.key_lines.get("audience", 1), "path-field",
               "a path needs 'audience': who it is for, e.g. 'New agents, week 1'.")
    items = data.get("steps")
    if not isinstance(items, list) or not items:
        report(fm.key_lines.get("steps", 1), "path-field",
               "a path needs 'steps': a list with one `- read:`, `- explain:` or `- mock_call:` item per step.")
        items = []
    order = data.get("order")
    if order is not None and (isinstance(order, bool) or not isinstance(order, int)):
        report(fm.key_lines["order"], "path-field",
               f"'order' should be a whole number (1 is listed first), got {order!r}.")
        order = None
    lines = _step_lines(text, fm.body_line)
    steps = []
    for number, item in enumerate(items, start=1):
        line = lines[number - 1] if number <= len(lines) else fm.key_lines.get("steps", 1)
        step = _step(number, item, line, functools.partial(report, line))
        if step is not None:
            steps.append(step)
    findings += _duplicates(source, steps)
    title = data["title"] if isinstance(data.get("title"), str) else posixpath.basename(source)[:-3]
    path = LearningPath(source, title, _text(data.get("summary")), _text(data.get("audience")), tuple(steps), order)
    return path, findings


def check_references(path: LearningPath, cards: dict[str, Card]) -> list[Finding]:
    """Every article a path names exists, is an article, and is neither a draft nor archived."""
    findings = []
    for step in path.steps:
        if step.article is None:
            continue
        card = cards.get(step.article)
        problem = None
        if card is None:
            problem = (f"no article {step.article!r} in the docs folder; write its path from the docs folder, "
                       "e.g. homehub/set-up-homehub.md.")
        elif card.meta.type == PAGE_TYPE:
            problem = f"{step.article} is a page, not an article."
        elif card.meta.status in ("draft", "archived"):
            state = "a draft" if card.meta.status == "draft" else "archived"
            problem = f"{step.article} is {state}; a path uses only validated articles."
        if problem:
            findings.append(Finding(path.source, step.line, "error", "path-article", f"step {step.number}: {problem}"))
    return findings


def reading_minutes(text: str) -> int:
    """Minutes to study an article: its words (front matter and link targets left out) at 180 a minute."""
    words = len(_WORD.findall(_MARKUP.sub(" ", split_front_matter(text).body)))
    return max(1, math.ceil(words / WORDS_PER_MINUTE))


def format_minutes(minutes: int) -> str:
    """'45 min', '1 h', '1 h 20 min'."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h" + (f" {rest} min" if rest else "")


def _step(number: int, item: Any, line: int, report: Callable[[str, str], None]) -> PathStep | None:
    kinds = [kind for kind in STEP_KINDS if isinstance(item, dict) and kind in item]
    if len(kinds) != 1:
        report("path-step", f"step {number}: start it with exactly one of `read:` (an article), `explain:` "
                            "(a question to answer in your own words) or `mock_call:` (a scenario to role-play).")
        return None
    kind = kinds[0]
    allowed = _STEP_KEYS[kind]
    unknown = [str(key) for key in item if key not in allowed]
    if unknown:
        report("path-step", f"step {number}: unknown key {unknown[0]!r}; a {STEP_KINDS[kind].lower()} step takes: "
                            f"{', '.join(allowed)}.")
        return None
    texts = {key: item[key] for key in allowed if key != "minutes" and key in item}
    wrong = next((key for key, value in texts.items() if not isinstance(value, str) or not value.strip()), None)
    if wrong:
        report("path-step", f"step {number}: {wrong!r} should be text.")
        return None
    needed = {"explain": ("answer", "an explain-back step needs an 'answer': the model answer, shown on request."),
              "mock_call": ("use", "a mock call needs 'use': the article to handle the call with.")}.get(kind)
    if needed and needed[0] not in texts:
        report("path-step", f"step {number}: {needed[1]}")
        return None
    minutes = item.get("minutes")
    if kind != "read" and minutes is None:
        report("path-time", f"step {number}: no 'minutes'; say how long this {STEP_KINDS[kind].lower()} takes, "
                            "e.g. `minutes: 5`.")
    elif kind != "read" and (isinstance(minutes, bool) or not isinstance(minutes, int) or minutes <= 0):
        report("path-time", f"step {number}: 'minutes' should be a whole number above 0, got {minutes!r}.")
        minutes = None
    clean = {key: " ".join(value.split()) for key, value in texts.items()}
    return PathStep(number, kind, article=clean.get("read") or clean.get("use"), focus=clean.get("focus", ""),
                    question=clean.get("explain", ""), answer=clean.get("answer", ""),
                    scenario=clean.get("mock_call", ""), minutes=minutes, line=line)


def _duplicates(source: str, steps: list[PathStep]) -> list[Finding]:
    findings = []
    seen: dict[str, PathStep] = {}
    for step in steps:
        first = seen.setdefault(step.key, step)
        if first is step:
            continue
        what = f"{step.article} is already" if step.kind == "read" else "the same exercise is already"
        findings.append(Finding(source, step.line, "error", "path-duplicate",
                                f"step {step.number}: {what} step {first.number}; keep one."))
    return findings


def _step_lines(text: str, body_line: int) -> list[int]:
    """The file line of each item of `steps:` (the front matter starts on line 2)."""
    block = "\n".join(text.lstrip("\ufeff").splitlines()[1:max(1, body_line - 2)])
    try:
        node = yaml.compose(block, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return []
    if not isinstance(node, yaml.MappingNode):
        return []
    steps = next((value for key, value in node.value if key.value == "steps"), None)
    return [item.start_mark.line + 2 for item in steps.value] if isinstance(steps, yaml.SequenceNode) else []


def _text(value: Any) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""
