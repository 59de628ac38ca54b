"""The typed report: what `kb report` shows for one period (and maybe one owner).

Plain data, built by kb_tools.measure.report.gather and shown by report.text (the terminal),
Report.to_dict (--json) and kb_tools.measure.report_html (the page).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

REASON_LABELS = {"inaccurate": "inaccurate", "missing-step": "missing step", "hard-to-follow": "hard to follow",
                 "other": "other"}


@dataclass(frozen=True)
class QueryStat:
    """A query as agents typed it, grouped by its normalised form."""

    query: str
    count: int
    example: str  # the most common wording
    last: str  # ISO date of the latest search
    opened: int = 0  # searches from which an article was opened
    top_result: str | None = None  # the result most often shown first


@dataclass(frozen=True)
class Rewording:
    """Searches reworded until they ended in `final`, with the wordings that came before."""

    final: str
    count: int
    earlier: list[tuple[str, int]]
    opened: int  # chains whose final search opened an article


@dataclass(frozen=True)
class ArticleStat:
    path: str
    title: str
    owner: str | None
    count: int = 0


@dataclass(frozen=True)
class Comment:
    date: str
    helpful: bool
    reason: str | None
    text: str | None
    step: int | None


@dataclass(frozen=True)
class StuckBranch:
    """Calls that got stuck after the same answers in call mode: the branch, not only the step number.

    `trail`: the answers, oldest first, as (article, step, outcome label); `step`: where the agent
    said the call got stuck (None: not said)."""

    trail: tuple[tuple[str, int, str], ...]
    step: int | None
    count: int


@dataclass
class Helpfulness:
    """The votes on one article, their reasons, comments and where calls got stuck."""

    path: str
    title: str
    owner: str | None
    yes: int = 0
    no: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    stuck_steps: dict[int, int] = field(default_factory=dict)
    stuck_branches: list[StuckBranch] = field(default_factory=list)  # most calls first
    comments: list[Comment] = field(default_factory=list)

    @property
    def votes(self) -> int:
        return self.yes + self.no

    def branch_text(self, branch: StuckBranch) -> str:
        """A stuck branch in words: `step 1 "AUTH-423" → step 5 → stuck at step 6`, naming other articles."""
        answers = [f"step {step}" + ("" if article == self.path else f" of {article}") + f" “{label}”"
                   for article, step, label in branch.trail]
        return " → ".join(answers) + (f" → stuck at step {branch.step}" if branch.step else "")


@dataclass(frozen=True)
class HandoffStat:
    """How often calls on one article ended in a hand-off, and to which teams."""

    path: str
    title: str
    owner: str | None
    count: int
    teams: dict[str, int] = field(default_factory=dict)  # team name -> hand-offs


@dataclass(frozen=True)
class TeamStat:
    """Hand-offs a team received."""

    team: str  # its id in docs/teams.yml
    name: str
    count: int


@dataclass(frozen=True)
class HealthItem:
    path: str
    title: str
    owner: str | None
    detail: str


@dataclass(frozen=True)
class Day:
    day: str
    searches: int
    zero_results: int


@dataclass
class Report:
    """Everything `kb report` shows for one period (and maybe one owner)."""

    since: dt.date
    until: dt.date
    owner: str | None = None
    log: str | None = None
    log_starts: dt.date | None = None  # the day of the oldest record the log holds (older ones were pruned)
    notes: list[str] = field(default_factory=list)
    searches: int = 0
    sessions: int = 0
    zero_results: int = 0
    no_good_match: int = 0  # no results, or results that matched the query badly (confidence none)
    desk_searches: int = 0  # through the API: the only ones that can report an opened result
    unopened: int = 0
    reworded: int = 0
    votes: int = 0
    days: list[Day] = field(default_factory=list)
    zero_result_queries: list[QueryStat] = field(default_factory=list)
    no_match_queries: list[QueryStat] = field(default_factory=list)  # the content gaps: no good match
    unopened_queries: list[QueryStat] = field(default_factory=list)
    rewordings: list[Rewording] = field(default_factory=list)
    top_queries: list[QueryStat] = field(default_factory=list)
    top_articles: list[ArticleStat] = field(default_factory=list)
    never_found: list[ArticleStat] = field(default_factory=list)
    helpfulness: list[Helpfulness] = field(default_factory=list)
    handoffs: int = 0
    handoffs_by_article: list[HandoffStat] = field(default_factory=list)  # most hand-offs first
    handoffs_by_team: list[TeamStat] = field(default_factory=list)
    overdue: dict[str, list[HealthItem]] = field(default_factory=dict)  # by owner
    drafts: list[HealthItem] = field(default_factory=list)
    no_owner: list[HealthItem] = field(default_factory=list)
    findability: list[HealthItem] = field(default_factory=list)
    findability_checked: bool = True

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data (dates as ISO strings); `kb report --json` prints it."""
        data = asdict(self)
        data["since"], data["until"] = self.since.isoformat(), self.until.isoformat()
        data["log_starts"] = self.log_starts.isoformat() if self.log_starts else None
        for item, helpfulness in zip(data["helpfulness"], self.helpfulness, strict=True):
            item["votes"] = helpfulness.votes
            item["stuck_steps"] = {str(k): v for k, v in helpfulness.stuck_steps.items()}
            item["stuck_branches"] = [
                {"trail": [{"article": a, "step": s, "outcome": label} for a, s, label in branch.trail],
                 "step": branch.step, "count": branch.count} for branch in helpfulness.stuck_branches]
        for rewording in data["rewordings"]:
            rewording["earlier"] = [{"query": q, "count": n} for q, n in rewording["earlier"]]
        return data
