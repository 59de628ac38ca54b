"""`kb check` rules over an article's steps graph: outcome targets, reachability, dead ends, loops,
jumps written as prose, and missing checkpoints (at both depths)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from kb_tools.content.findings import Finding, Severity
from kb_tools.content.model import DEPTHS, Article, Collection, Section
from kb_tools.content.outline import BOTH
from kb_tools.content.steps_graph import (
    ARTICLE,
    STEP,
    UNKNOWN,
    Placed,
    Target,
    article_link_resolver,
    next_in_list,
    parse_target,
    placed_steps,
    position_of,
)

# Prose that sends the agent elsewhere in the list: that is what outcomes are for.
_PROSE_JUMP = re.compile(r"\b(?:skip|go|jump|return|come)\s+(?:back\s+)?to\s+step\s+\d+|\bgo\s+back\s+to\s+step\s+\d+",
                         re.I)
# A step "asks the customer to do something" when it opens with one of these verbs (Expert steps
# that state a fact, or that the agent does alone, such as "Verify the customer", need no checkpoint).
_CUSTOMER_ACTIONS = frozenset("""
    add ask click connect delete disable enable enter follow force-stop forget get go grant have hold
    install join log move open pair place plug power power-cycle press reboot rejoin reinstall relocate
    remove reseat reset restart retry run save scan select set sign switch tap test toggle try turn type
    unplug update wait
""".split())
_TAB_NAMES = {"beginner": "Beginner", "expert": "Expert", BOTH: "Shared"}
_STEP_TYPES = ("how-to", "troubleshooting")


@dataclass(frozen=True)
class _Edge:
    to: int | None  # a position in the same list, or None for an end (solved, hand-off, another article)
    target: Target | None


def check_steps(collection: Collection) -> Iterator[Finding]:
    """Every steps rule, over every article (entries from other articles' outcomes count as reached)."""
    entries = _entries(collection)
    for article in collection:
        for depth in DEPTHS:
            placed = placed_steps(article.sections, depth)
            if not placed:
                continue
            yield from _graph_rules(article, depth, placed, collection, entries.get((article.path, depth), set()))
        yield from _prose_jumps(article)
        if article.meta.type in _STEP_TYPES:
            yield from _missing_checkpoints(article)


def _graph_rules(article: Article, depth: str, placed: list[Placed], collection: Collection,
                 entered: set[tuple[str, int | None]]) -> Iterator[Finding]:
    sections = article.sections
    shared_once = depth == DEPTHS[0]  # steps outside the tabs belong to both depths: report them once
    edges: dict[int, list[_Edge]] = {}
    for item in placed:
        if sections[item.group].depth == BOTH and not shared_once:
            edges[item.position] = [e for e in _edges(article, item, placed, collection, report=False)
                                    if isinstance(e, _Edge)]
            continue
        found: list[_Edge | Finding] = list(_edges(article, item, placed, collection, report=True))
        yield from (f for f in found if isinstance(f, Finding))
        edges[item.position] = [e for e in found if isinstance(e, _Edge)]
    for group in sorted({item.group for item in placed}):
        members = [item for item in placed if item.group == group]
        if sections[group].depth == BOTH and not shared_once:
            continue
        yield from _list_rules(article, members, edges, sections[group], entered)


def _edges(article: Article, item: Placed, placed: Sequence[Placed], collection: Collection,
           *, report: bool) -> Iterator[_Edge | Finding]:
    step = item.step
    if not step.outcomes:
        yield _Edge(next_in_list(placed, item), None)
        return
    resolve = article_link_resolver(article)
    for outcome in step.outcomes:
        target = parse_target(outcome.target, outcome.href, resolve)
        problem = _target_problem(outcome.target, target, item, placed, collection)
        if problem:
            if report:
                yield _finding(article, outcome.line, "error", "outcome-target",
                               f"outcome {outcome.label!r} of {_where(article, item)}: {problem}")
            yield _Edge(None, None)
        elif target.kind == STEP:
            yield _Edge(position_of(placed, item.group, target.number or 0), target)
        else:
            yield _Edge(None, target)


def _target_problem(written: str, target: Target, item: Placed, placed: Sequence[Placed],
                    collection: Collection) -> str | None:
    if target.kind == UNKNOWN:
        return (f"{written!r} is not a target; write `step N`, a link to an article or section "
                "(optionally `, step N`), `solved` or `hand off` and to whom.")
    if target.kind == STEP:
        if position_of(placed, item.group, target.number or 0) is None:
            count = sum(other.group == item.group for other in placed)
            return f"there is no step {target.number} in this list (it has {count})."
        if target.number == item.number:
            return f"it leads back to step {target.number} itself."
    if target.kind == ARTICLE and target.link is not None and target.number is not None:
        linked = collection.get(target.link.path)
        if linked is None:
            return None  # broken-link reports it
        count = _steps_at_anchor(linked, target.link.anchor)
        if target.number > count:
            where = f"{linked.path}#{target.link.anchor}" if target.link.anchor else linked.path
            return f"{where} has no step {target.number} (it has {count})."
    return None


def _steps_at_anchor(article: Article, anchor: str) -> int:
    """How many steps the list at `anchor` has (the first list with steps when there is no anchor)."""
    lists = [s for s in article.sections if s.steps and (not anchor or s.anchor == anchor)]
    return max((len(s.steps) for s in lists), default=0)


def _list_rules(article: Article, members: list[Placed], edges: dict[int, list[_Edge]], section: Section,
                entered: set[tuple[str, int | None]]) -> Iterator[Finding]:
    branches = any(item.step.outcomes for item in members)
    starts = {members[0].position}
    starts |= {item.position for item in members if (section.anchor, item.number) in entered}
    reached = _reach(starts, edges)
    for item in members:
        if item.position not in reached:
            yield _finding(article, item.step.line, "error", "unreachable-step",
                           f"{_where(article, item)} is never reached: no outcome leads to it and the step before "
                           f"it branches; lead an outcome to it (→ step {item.number}) or remove it.")
        elif branches and not item.step.outcomes and edges[item.position][0].to is None:
            yield _finding(article, item.step.line, "error", "dead-end",
                           f"{_where(article, item)} ends a branch nowhere: under its checkpoint, lead each outcome "
                           "to `solved`, a hand-off or another article.")
    yield from _loops(article, members, edges, reached)


def _reach(starts: set[int], edges: dict[int, list[_Edge]]) -> set[int]:
    seen, todo = set(starts), list(starts)
    while todo:
        for edge in edges.get(todo.pop(), []):
            if edge.to is not None and edge.to not in seen:
                seen.add(edge.to)
                todo.append(edge.to)
    return seen


def _loops(article: Article, members: list[Placed], edges: dict[int, list[_Edge]],
           reached: set[int]) -> Iterator[Finding]:
    """Steps that only lead to each other: a loop the call can never leave."""
    reported: set[int] = set()
    for item in members:
        if item.position not in reached or item.position in reported:
            continue
        ahead = _reach({item.position}, edges)
        loop = {p for p in ahead if item.position in _reach({p}, edges)}
        if not any(e.to == item.position for p in loop for e in edges[p]):
            continue  # not on a cycle
        leaves = any(e.to is None or e.to not in loop for p in loop for e in edges[p])
        reported |= loop
        if not leaves:
            numbers = [m.number for m in members if m.position in loop]
            listed = ", ".join(str(n) for n in numbers[:-1]) + f" and {numbers[-1]}" if len(numbers) > 1 else str(numbers[0])
            yield _finding(article, item.step.line, "error", "no-way-out",
                           f"{_tab(article, item)} steps {listed} loop with no way out: give one of them an outcome "
                           "that leaves the loop (another step, `solved`, a hand-off or another article).")


def _entries(collection: Collection) -> dict[tuple[str, str], set[tuple[str, int | None]]]:
    """(article, depth) -> the (section anchor, step number) other lists' outcomes lead into."""
    entries: dict[tuple[str, str], set[tuple[str, int | None]]] = {}
    for article in collection:
        resolve = article_link_resolver(article)
        for section in article.sections:
            for step in section.steps:
                for outcome in step.outcomes:
                    target = parse_target(outcome.target, outcome.href, resolve)
                    if target.kind != ARTICLE or target.link is None:
                        continue
                    depths = DEPTHS if section.depth == BOTH else (section.depth,)
                    for depth in depths:
                        entries.setdefault((target.link.path, depth), set()).add(
                            (target.link.anchor, target.number or 1))
    return entries


def _prose_jumps(article: Article) -> Iterator[Finding]:
    for section in article.sections:
        for step in section.steps:
            for text in (step.text, step.checkpoint or ""):
                if match := _PROSE_JUMP.search(text):
                    yield _finding(article, step.line, "error", "prose-jump",
                                   f"{_TAB_NAMES[section.depth]} step {step.number} says {match.group(0)!r}; write "
                                   "the jump as an outcome under the checkpoint (- What they see → step N).")


def _missing_checkpoints(article: Article) -> Iterator[Finding]:
    for section in article.sections:
        for step in section.steps:
            if step.checkpoint or step.outcomes:
                continue
            first = step.text.split(maxsplit=1)[0] if step.text else ""
            if first.lower().rstrip(",;") in _CUSTOMER_ACTIONS and not first.endswith(":"):
                yield _finding(article, step.line, "warning", "missing-checkpoint",
                               f"{_TAB_NAMES[section.depth]} step {step.number} asks the customer to do something "
                               "but has no checkpoint; add `Checkpoint:` with what they should see once it worked.")


def _where(article: Article, item: Placed) -> str:
    return f"{_tab(article, item)} step {item.number}"


def _tab(article: Article, item: Placed) -> str:
    return _TAB_NAMES[article.sections[item.group].depth]


def _finding(article: Article, line: int, severity: Severity, rule: str, message: str) -> Finding:
    return Finding(article.path, line, severity, rule, message)
