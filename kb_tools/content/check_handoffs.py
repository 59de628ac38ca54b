"""`kb check` rules on hand-offs and known issues: every escalation goes to a known team that has a
response time, customer text never makes the customer chase us, known issues have their sections,
and a fixed one is archived once it has been fixed a while (`archive_after` days)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from kb_tools.content.audience import agent_block_lines
from kb_tools.content.findings import Finding
from kb_tools.content.frontmatter import split_front_matter
from kb_tools.content.metadata import CUSTOMER_TYPES, KNOWN_ISSUE
from kb_tools.content.model import Article, Collection
from kb_tools.content.steps_graph import HANDOFF, article_link_resolver, parse_target
from kb_tools.content.teams import TEAMS_FILE, Teams, resolve_handoff

ARCHIVE_AFTER_DAYS = 14  # a fixed known issue is suggested for archiving this long after fixed_on
KNOWN_ISSUES_FOLDER = "known-issues/"
KNOWN_ISSUE_HEADINGS = ("What customers see", "Workaround", "What to tell callers")
_ESCALATE = re.compile(r"\bescalat(?:e|es|ed|ing|ion)\b|\bhand(?:s|ed|ing)?[ -]?off\b", re.I)
_CHASE = re.compile(r"\b(?:call|ring|phone)\s+(?:us\s+)?back\b|\b(?:call|ring|phone|contact)\s+us\s+again\b", re.I)
_FENCE = re.compile(r"^\s*(```|~~~)")


def check_handoffs(collection: Collection, *, today: dt.date, archive_after: int = ARCHIVE_AFTER_DAYS
                   ) -> Iterator[Finding]:
    """Every hand-off and known-issue rule over the collection, and teams.yml's unfinished entries."""
    teams = collection.config.teams
    yield from _incomplete_teams(teams)
    for article in collection:
        if article.meta.type in (None, "page"):
            continue
        text = article.source_path.read_text(encoding="utf-8", errors="replace")
        escalation_line = split_front_matter(text).key_lines.get("escalation", 1)
        if teams.exists:  # a knowledge base without teams.yml does not route hand-offs to teams
            yield from _handoff_outcomes(article, teams, escalation_line)
            yield from _escalation_prose(article, teams, text)
        yield from _chasing(article, text)
        if article.meta.type == KNOWN_ISSUE:
            yield from _known_issue(article, today, archive_after)


def _finding(article: Article, line: int, severity: str, rule: str, message: str) -> Finding:
    if severity == "error" and article.meta.status != "validated":
        severity = "warning"  # a draft's hand-offs are still being written
    return Finding(article.path, line, severity, rule, message)  # type: ignore[arg-type]


def _incomplete_teams(teams: Teams) -> Iterator[Finding]:
    for team in teams.teams:
        missing = [key for key in ("how", "response") if not getattr(team, key)]
        if missing:
            yield Finding(TEAMS_FILE, team.line, "error", "team-incomplete",
                          f"team {team.id!r} has no {' and no '.join(f'`{k}`' for k in missing)}: say how to reach "
                          "it (queue, form or transfer number) and how soon it answers (e.g. `response: 4 hours`).")


def _handoff_outcomes(article: Article, teams: Teams, escalation_line: int) -> Iterator[Finding]:
    """Each `→ hand off` outcome reaches a declared team with a response time."""
    escalation = article.meta.escalation
    resolve = article_link_resolver(article)
    checked = set()
    if escalation is not None and (team := teams.get(escalation.team)) is not None and not team.response:
        yield _finding(article, escalation_line, "error", "handoff-no-response",
                       f"the hand-off goes to {team.name}, which has no response time: add `response:` to "
                       f"{team.id} in teams.yml, so the agent can tell the caller when to expect an answer.")
        checked.add(team.id)
    for step in article.steps():
        for outcome in step.outcomes:
            target = parse_target(outcome.target, outcome.href, resolve)
            if target.kind != HANDOFF:
                continue
            team, _ = resolve_handoff(target.note, escalation, teams)
            if team is None:
                named = target.note.lower().startswith("to ")
                yield _finding(article, outcome.line, "error", "unknown-team" if named else "handoff-no-team",
                               (f"the hand-off names {_named(target.note)!r}, which is not a team "
                                f"of teams.yml ({teams.ids()}); write `→ hand off to TEAM-ID`." if named else
                                "this hand-off names no team: write `→ hand off to TEAM-ID`, or add `escalation:` "
                                f"to the front matter (teams: {teams.ids()})."))
            elif not team.response and team.id not in checked:
                checked.add(team.id)
                yield _finding(article, outcome.line, "error", "handoff-no-response",
                               f"the hand-off goes to {team.name}, which has no response time: add `response:` to "
                               f"{team.id} in teams.yml, so the agent can tell the caller when to expect an answer.")


def _body_lines(text: str, *, agent_blocks: bool = True) -> Iterator[tuple[int, str]]:
    """The body's lines with their numbers, outside front matter and code blocks (and outside `!!! agent`
    blocks unless `agent_blocks`)."""
    body = split_front_matter(text)
    in_fence = False
    marked = agent_block_lines(body.body)
    for number, (line, for_agents) in enumerate(marked, start=body.body_line):
        line = line.rstrip("\r\n")
        if _FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence and (agent_blocks or not for_agents):
            yield number, line


def _escalation_prose(article: Article, teams: Teams, text: str) -> Iterator[Finding]:
    """Text that says to escalate names a team, unless the article's `escalation:` says which."""
    if article.meta.escalation is not None or article.meta.type not in CUSTOMER_TYPES:
        return
    lines = list(_body_lines(text))
    for index, (number, line) in enumerate(lines):
        match = _ESCALATE.search(line)
        if not match or "\u2192" in line[: match.start()]:  # an outcome's hand-off: _handoff_outcomes checks it
            continue
        around = " ".join(part for _, part in lines[max(0, index - 1): index + 2]).casefold()
        if any(team.id in around or team.name.casefold() in around for team in teams.teams):
            continue
        yield _finding(article, number, "error", "handoff-no-team",
                       f"{match.group(0)!r} without a team: add `escalation:` to the front matter (the team, what "
                       f"to collect, what to tell the caller), or name a team of teams.yml ({teams.ids()}).")


def _chasing(article: Article, text: str) -> Iterator[Finding]:
    """Customer text never asks the customer to call back: someone owns the follow-up. What an `!!! agent`
    block says is for the agent only (no customer reads or is sent it)."""
    escalation = article.meta.escalation
    if not article.meta.is_customer_visible or (escalation is not None and escalation.callback):
        return
    for number, line in _body_lines(text, agent_blocks=False):
        match = _CHASE.search(line)
        if match:
            yield _finding(article, number, "error", "customer-chase",
                           f"{match.group(0)!r} makes the customer chase us: own the follow-up instead (set "
                           "`escalation.callback` to the team that calls back, or `agent`, and say when).")


def _known_issue(article: Article, today: dt.date, archive_after: int) -> Iterator[Finding]:
    meta = article.meta
    if not article.path.startswith(KNOWN_ISSUES_FOLDER):
        yield _finding(article, 1, "warning", "known-issue-place",
                       f"known issues live in docs/{KNOWN_ISSUES_FOLDER}: move this file there.")
    headings = {s.heading for s in article.sections if s.level == 2}
    missing = [h for h in KNOWN_ISSUE_HEADINGS if h not in headings]
    if missing and meta.status != "archived":
        yield _finding(article, 1, "error", "known-issue-shape",
                       "a known issue needs the headings " + ", ".join(f"## {h}" for h in KNOWN_ISSUE_HEADINGS)
                       + "; missing: " + ", ".join(missing) + ".")
    if meta.issue_status == "fixed" and meta.fixed_on and (today - meta.fixed_on).days >= archive_after:
        days = (today - meta.fixed_on).days
        yield _finding(article, 1, "warning", "archive-fixed-issue",
                       f"fixed on {meta.fixed_on}, {days} days ago: set `status: archived` (old links keep working; "
                       f"the desk and search leave it out). Suggested {archive_after} days after the fix.")


def _named(note: str) -> str:
    """What a hand-off note names as its team: the words after `to`, up to `with` or punctuation."""
    return re.split(r"\s+with\s+|[;,:.]", note[3:].strip(), maxsplit=1)[0].strip()
