"""The article front-matter schema: typed `Metadata` plus the findings for anything invalid."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from kb_tools.content.config import KBConfig
from kb_tools.content.findings import Finding
from kb_tools.content.frontmatter import FrontMatter
from kb_tools.content.teams import AGENT, Escalation

ARTICLE_TYPES = ("how-to", "troubleshooting", "reference", "concept", "playbook", "known-issue")
KNOWN_ISSUE = "known-issue"
ISSUE_STATES = ("investigating", "identified", "fixed")  # a known issue's `status`
PAGE_TYPE = "page"  # site pages (welcome, writing guide): only a title is expected
STATUSES = ("draft", "validated", "archived")
DEPTH_TYPES = ("how-to", "troubleshooting")  # these carry Beginner and Expert tabs

# key -> (expected Python type, how to name it in a message)
_SCHEMA: dict[str, tuple[type | tuple[type, ...], str]] = {
    "title": (str, "text"),
    "summary": (str, "one sentence of text"),
    "product": (str, "a product id"),
    "type": (str, "an article type"),
    "tags": (list, "a list of words"),
    "customer_says": (list, "a list of phrases"),
    "owner": (str, "a name"),
    "reviewed": ((dt.date, str), "a date (YYYY-MM-DD)"),
    "review_every": (int, "a number of days"),
    "status": (str, "draft, validated or archived"),
    "escalation": (dict, "a mapping of team, collect, tell_caller and callback"),
    "affects": (list, "a list of product ids"),
    "since": ((dt.date, str), "a date (YYYY-MM-DD)"),
    "fixed_on": ((dt.date, str), "a date (YYYY-MM-DD)"),
    "visibility": (str, "internal or customer"),
}
_REQUIRED = ("title", "summary", "product", "type", "reviewed", "review_every", "status")
# Who reads an article: agents only, or customers too (the customer edition, Copy for the customer).
INTERNAL, CUSTOMER = "internal", "customer"
VISIBILITIES = (INTERNAL, CUSTOMER)
CUSTOMER_TYPES = ("how-to", "troubleshooting", "reference", "concept", "known-issue")
_PAGE_KEYS = ("audience", "order", "steps")  # onboarding-path pages; kb_tools.content.paths checks them
_SENTENCE_END = re.compile(r"[.!?](?:\s+|$)")


@dataclass(frozen=True)
class Metadata:
    """Front matter as typed values; invalid or missing values are None (and reported)."""

    title: str | None = None
    summary: str = ""
    product: str | None = None
    type: str | None = None
    tags: tuple[str, ...] = ()
    customer_says: tuple[str, ...] = ()
    owner: str | None = None
    reviewed: dt.date | None = None
    review_every: int | None = None
    status: str = "validated"
    escalation: Escalation | None = None
    affects: tuple[str, ...] = ()  # a known issue's products (with `product`)
    issue_status: str | None = None  # a known issue's investigating, identified or fixed
    since: dt.date | None = None
    fixed_on: dt.date | None = None
    visibility_written: str | None = None  # as the front matter says; `visibility` applies the default

    @property
    def is_open_issue(self) -> bool:
        """A known issue not yet fixed (nor archived, nor a draft): the desk's banner shows it."""
        return self.type == KNOWN_ISSUE and self.issue_status in ("investigating", "identified") \
            and self.status == "validated"

    @property
    def products(self) -> tuple[str, ...]:
        """Every product the article is about: `product`, then `affects`."""
        return tuple(dict.fromkeys((*((self.product,) if self.product else ()), *self.affects)))

    @property
    def visibility(self) -> str:
        """Who may read it: "customer" (the customer edition too) or "internal" (agents only)."""
        return self.visibility_written or default_visibility(self.type)

    @property
    def is_customer_visible(self) -> bool:
        return self.visibility == CUSTOMER

    @property
    def review_due(self) -> dt.date | None:
        if self.reviewed is None or self.review_every is None:
            return None
        return self.reviewed + dt.timedelta(days=self.review_every)

    def is_overdue(self, today: dt.date) -> bool:
        due = self.review_due
        return due is not None and due < today

    @property
    def needs_depths(self) -> bool:
        return self.type in DEPTH_TYPES


def parse_metadata(fm: FrontMatter, config: KBConfig, path: str) -> tuple[Metadata, list[Finding]]:
    """Validate the front matter against the schema; every problem becomes a Finding."""
    findings: list[Finding] = []

    def report(rule: str, key: str | None, message: str, severity: str = "error") -> None:
        line = fm.key_lines.get(key, 1) if key else (fm.error_line if fm.error else 1)
        findings.append(Finding(path, line, severity, rule, message))  # type: ignore[arg-type]

    if fm.error:
        report("front-matter", None, f"{fm.error}. Fix the YAML between the two `---` lines.")
        return Metadata(), findings
    if not fm.present:
        report("no-front-matter", None, "no front matter. Start the file with a `---` block holding "
               "title, summary, product, type, owner, reviewed, review_every and status (see `kb new`).")
        return Metadata(), findings

    values: dict[str, Any] = {}
    for key, value in fm.data.items():
        if key in _PAGE_KEYS and fm.data.get("type") == PAGE_TYPE:
            continue
        if key not in _SCHEMA:
            known = ", ".join(_SCHEMA)
            report("unknown-key", key, f"unknown front matter key {key!r}; the known keys are: {known}.")
            continue
        expected, described = _SCHEMA[key]
        if value is None or isinstance(value, bool) or not isinstance(value, expected):
            report("wrong-type", key, f"{key!r} should be {described}, got {_describe(value)}.")
            continue
        if isinstance(value, list) and not all(isinstance(v, str) for v in value):
            report("wrong-type", key, f"{key!r} should be {described}; every item must be text.")
            continue
        values[key] = value

    is_page = values.get("type") == PAGE_TYPE
    for key in _REQUIRED:
        if key not in fm.data and not (is_page and key != "title"):
            report("missing-field", None, f"missing {key!r} ({_SCHEMA[key][1]}).")
    if "owner" not in fm.data and not is_page:
        report("missing-owner", None, "no 'owner': name the expert who keeps this article right.")

    dates: dict[str, dt.date | None] = {}
    for key in ("reviewed", "since", "fixed_on"):
        written = values.get(key)
        dates[key] = _parse_date(written) if isinstance(written, str) else written
        if isinstance(written, str) and dates[key] is None:
            report("bad-date", key, f"{key!r} is {written!r}; write the date as YYYY-MM-DD.")
    reviewed = dates["reviewed"]
    if isinstance(values.get("review_every"), int) and values["review_every"] <= 0:
        report("wrong-type", "review_every", "'review_every' must be a positive number of days.")
        values.pop("review_every")

    product = values.get("product")
    if product is not None and config.product(product) is None:
        declared = ", ".join(p.id for p in config.products) or "none declared"
        report("unknown-product", "product",
               f"unknown product {product!r}; declared in products.yml: {declared}.")
    kind = values.get("type")
    if kind is not None and kind not in (*ARTICLE_TYPES, PAGE_TYPE):
        report("unknown-type", "type", f"unknown type {kind!r}; use one of: {', '.join(ARTICLE_TYPES)}.")
    status = values.get("status", "validated")
    issue_status = None
    if kind == KNOWN_ISSUE:
        status, issue_status = _issue_status(status, dates, values, report)
    elif status not in STATUSES:
        report("unknown-status", "status", f"unknown status {status!r}; use one of: {', '.join(STATUSES)}.")
        status = "validated"
    visibility = values.get("visibility")
    if visibility is not None and visibility not in VISIBILITIES:
        report("unknown-visibility", "visibility",
               f"unknown visibility {visibility!r}; use internal (agents only) or customer (the help centre too).")
        visibility = None
    summary = values.get("summary", "")
    if summary and len(_SENTENCE_END.findall(summary.strip())) > 1:
        report("one-sentence-summary", "summary", "the summary has more than one sentence; keep it to one.",
               "warning")

    meta = Metadata(
        title=values.get("title"), summary=summary, product=product, type=kind,
        tags=tuple(values.get("tags", ())), customer_says=tuple(values.get("customer_says", ())),
        owner=values.get("owner"), reviewed=reviewed if isinstance(reviewed, dt.date) else None,
        review_every=values.get("review_every"), status=status, visibility_written=visibility,
        escalation=_escalation(values.get("escalation"), config, fm, report),
        affects=_affects(values.get("affects", []), config, report), issue_status=issue_status,
        since=dates["since"], fixed_on=dates["fixed_on"],
    )
    return meta, findings


_ESCALATION_KEYS = ("team", "collect", "tell_caller", "callback")


def _escalation(value: dict[str, Any] | None, config: KBConfig, fm: FrontMatter, report: Any) -> Escalation | None:
    """`escalation:` checked: known keys, a team of teams.yml, a list to collect, who calls back."""
    if value is None:
        return None
    line_key = "escalation"
    unknown = sorted(str(k) for k in value if k not in _ESCALATION_KEYS)
    if unknown:
        report("unknown-key", line_key, f"unknown key {unknown[0]!r} under 'escalation'; the keys are: "
               f"{', '.join(_ESCALATION_KEYS)}.")
    team, callback = value.get("team"), value.get("callback")
    collect, tell = value.get("collect", []), value.get("tell_caller", "")
    if not isinstance(team, str) or not team.strip():
        report("escalation", line_key, "'escalation' needs a `team`: an id of teams.yml, e.g. `team: network-support`.")
        return None
    teams = config.teams
    if teams.get(team) is None:
        report("unknown-team", line_key, f"'escalation' names the team {team!r}, which teams.yml does not declare; "
               f"the teams are: {teams.ids()}.")
    if not isinstance(collect, list) or not all(isinstance(item, str) for item in collect):
        report("wrong-type", line_key, "'escalation.collect' should be a list of the details to collect.")
        collect = []
    if not isinstance(tell, str):
        report("wrong-type", line_key, "'escalation.tell_caller' should be text: what to tell the caller.")
        tell = ""
    if callback is not None and (not isinstance(callback, str) or (callback != AGENT and teams.get(callback) is None)):
        report("unknown-team", line_key, f"'escalation.callback' is {callback!r}: name who calls the customer back, "
               f"a team of teams.yml ({teams.ids()}) or `agent` (the agent on the call).")
        callback = None
    return Escalation(team.strip(), tuple(collect), tell.strip(), (callback or "").strip())


def _affects(value: list[str], config: KBConfig, report: Any) -> tuple[str, ...]:
    for product in value:
        if config.product(product) is None:
            report("unknown-product", "affects", f"'affects' names the unknown product {product!r}; declared in "
                   f"products.yml: {', '.join(p.id for p in config.products) or 'none declared'}.")
    return tuple(p for p in value if config.product(p) is not None)


def _issue_status(status: str, dates: dict[str, dt.date | None], values: dict[str, Any],
                  report: Any) -> tuple[str, str | None]:
    """A known issue's `status` is its state (investigating, identified, fixed), or draft or archived;
    returns (the article's lifecycle status, the issue's state)."""
    if status in ("draft", "archived"):
        return status, None
    if status not in ISSUE_STATES:
        report("unknown-status", "status", f"a known issue's status is one of {', '.join(ISSUE_STATES)} "
               f"(or draft, archived), not {status!r}.")
        return "validated", None
    if "since" not in values:
        report("missing-field", None, "a known issue needs 'since': the date it started (YYYY-MM-DD).")
    if status == "fixed" and "fixed_on" not in values:
        report("missing-field", "status", "a fixed known issue needs 'fixed_on': the date it was fixed (YYYY-MM-DD).")
    if status != "fixed" and "fixed_on" in values:
        report("known-issue-dates", "fixed_on", f"'fixed_on' is only for a fixed issue; this one is {status}.")
    if dates.get("since") and dates.get("fixed_on") and dates["fixed_on"] < dates["since"]:  # type: ignore[operator]
        report("known-issue-dates", "fixed_on", "'fixed_on' is before 'since'.")
    return "validated", status


def default_visibility(kind: str | None) -> str:
    """Without `visibility:`, what customers can act on is theirs; playbooks and pages are the desk's."""
    return CUSTOMER if kind in CUSTOMER_TYPES else INTERNAL


def _parse_date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        return None


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{value!r} (yes/no)"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"{value!r}"
