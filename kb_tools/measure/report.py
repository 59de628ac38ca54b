"""`kb report`: what agents searched for and did not find, which articles help, what needs an expert.

Stages:
  read      the activity log of the period (kb_tools.measure.activity.read_activity)
  check     kb check's own rules over the content: review-overdue, findability (content_findings)
  build     both -> a typed Report, narrowed to one owner's articles on request (build_report)
  render    render_text for the terminal, to_dict for --json, kb_tools.measure.report_html for the page
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from kb_tools.content.metadata import PAGE_TYPE
from kb_tools.errors import KBError
from kb_tools.measure.activity import (
    Activity,
    FeedbackRow,
    SearchRow,
    normalize_query,
    read_activity,
)

if TYPE_CHECKING:
    from pathlib import Path

    from kb_tools.content.findings import Finding
    from kb_tools.content.model import Article, Collection
    from kb_tools.search import Searcher
    from kb_tools.search.indexer import Progress

TOP = 15  # rows per list
COMMENTS = 5  # latest comments kept per article
DEFAULT_DAYS = 7  # a week: the expert's list for the week
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
    comments: list[Comment] = field(default_factory=list)

    @property
    def votes(self) -> int:
        return self.yes + self.no


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
    desk_searches: int = 0  # through the API: the only ones that can report an opened result
    unopened: int = 0
    reworded: int = 0
    votes: int = 0
    days: list[Day] = field(default_factory=list)
    zero_result_queries: list[QueryStat] = field(default_factory=list)
    unopened_queries: list[QueryStat] = field(default_factory=list)
    rewordings: list[Rewording] = field(default_factory=list)
    top_queries: list[QueryStat] = field(default_factory=list)
    top_articles: list[ArticleStat] = field(default_factory=list)
    never_found: list[ArticleStat] = field(default_factory=list)
    helpfulness: list[Helpfulness] = field(default_factory=list)
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
        for rewording in data["rewordings"]:
            rewording["earlier"] = [{"query": q, "count": n} for q, n in rewording["earlier"]]
        return data


# --- stage 2: what kb check says about the content --------------------------------------------------

HEALTH_RULES = ("review-overdue", "findability")


def content_findings(collection: Collection, *, searcher: Searcher | None = None,
                     today: dt.date | None = None) -> list[Finding]:
    """kb check's findings the report shows: overdue reviews, and findability when given a searcher."""
    from kb_tools.content.checks import check_collection
    from kb_tools.search.findability import check_findability

    extra = [lambda c: check_findability(c, searcher)] if searcher is not None else []
    report = check_collection(collection, today=today, extra_rules=extra)
    return [finding for finding in report.findings if finding.rule in HEALTH_RULES]


def create_report(log_path: Path | str | None, docs: Path, *, index_dir: Path, since: dt.date | None = None,
                  until: dt.date | None = None, owner: str | None = None, findability: bool = True,
                  progress: Progress | None = None) -> Report:
    """`kb report`: read the log of the period, check the content in `docs`, build the report.

    Findability searches `index_dir` when it indexes exactly `docs`, else a fresh index built for
    the check (as `kb check` does).
    """
    from kb_tools.content.model import load_collection
    from kb_tools.search.findability import searcher_for

    until = until or dt.date.today()
    since = since or until - dt.timedelta(days=DEFAULT_DAYS - 1)
    if since > until:
        raise KBError(f"--since {since} is after {until}; pick an earlier date.")
    collection = load_collection(docs)
    lo, hi = period_bounds(since, until)
    activity = read_activity(log_path, since=lo, until=hi)
    _known_owner(owner, _articles(collection), collection)  # a typo in --owner fails before the slow part
    if findability and any(a.meta.customer_says for a in collection):
        with searcher_for(docs, reuse=index_dir, progress=progress) as searcher:
            findings = content_findings(collection, searcher=searcher, today=until)
    else:
        findings = content_findings(collection, today=until)
    return build_report(activity, collection, findings, since=since, until=until, owner=owner,
                        findability_checked=findability)


# --- stage 3: the report ----------------------------------------------------------------------------


def period_bounds(since: dt.date, until: dt.date) -> tuple[float, float]:
    """Unix times of local midnight at the start of `since` and at the end of `until`."""
    start = dt.datetime.combine(since, dt.time()).timestamp()
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time()).timestamp()
    return start, end


def build_report(activity: Activity, collection: Collection | None, findings: Iterable[Finding] = (), *,
                 since: dt.date, until: dt.date, owner: str | None = None, findability_checked: bool = True) -> Report:
    """The report of `activity` (already read for the period) and the content, for everyone or one owner."""
    articles = _articles(collection)
    owner = _known_owner(owner, articles, collection)
    mine = {a.path for a in articles.values() if owner is None or (a.meta.owner or "").casefold() == owner.casefold()}

    def is_mine(path: str) -> bool:
        return owner is None or path in mine

    searches = [s for s in activity.searches if owner is None or any(p in mine for p in (*s.shown, *s.opened))]
    report = Report(since=since, until=until, owner=owner, log=str(activity.path) if activity.path else None,
                    findability_checked=findability_checked)
    if activity.note:
        report.notes.append(activity.note)
    if activity.first_record is not None:
        report.log_starts = dt.date.fromtimestamp(activity.first_record)
        if report.log_starts > since:
            report.notes.append(f"The activity log starts on {report.log_starts} (older records were pruned, or not "
                                f"yet written): this report covers {report.log_starts} to {until}.")
    if owner:
        report.notes.append("Searches are those that showed or opened one of these articles; queries with no "
                            "results belong to no article and are in the full report.")
    _add_search_figures(report, searches, since, until)
    _add_gaps(report, searches, activity.searches, mine)
    _add_articles(report, searches, articles, mine, collection is not None)
    report.helpfulness = _helpfulness([f for f in activity.feedback if is_mine(f.article)], articles)
    report.votes = sum(h.votes for h in report.helpfulness)
    if collection is None:
        report.notes.append("Content health needs the docs folder (--docs).")
    else:
        _add_health(report, [a for a in articles.values() if a.path in mine], list(findings), articles)
    return report


def _articles(collection: Collection | None) -> dict[str, Article]:
    if collection is None:
        return {}
    return {a.path: a for a in collection if a.meta.type != PAGE_TYPE}


def _known_owner(owner: str | None, articles: dict[str, Article], collection: Collection | None) -> str | None:
    if not owner:
        return None
    if collection is None:
        raise KBError("--owner needs the content to know who owns what: give the docs folder (--docs).")
    owners = sorted({a.meta.owner for a in articles.values() if a.meta.owner})
    match = next((name for name in owners if name.casefold() == owner.strip().casefold()), None)
    if match is None:
        raise KBError(f"no article has the owner {owner!r}; the owners are: {', '.join(owners) or '(none)'}.")
    return match


def _day(at: float) -> str:
    return dt.datetime.fromtimestamp(at).date().isoformat()


def _add_search_figures(report: Report, searches: list[SearchRow], since: dt.date, until: dt.date) -> None:
    report.searches = len(searches)
    report.sessions = len({s.session for s in searches if s.session})
    report.zero_results = sum(s.results == 0 for s in searches)
    report.desk_searches = sum(s.source == "api" for s in searches)
    report.unopened = sum(_is_unopened(s) for s in searches)
    report.reworded = sum(s.reworded_as is not None for s in searches)
    per_day: dict[str, list[SearchRow]] = defaultdict(list)
    for search in searches:
        per_day[_day(search.at)].append(search)
    report.days = [Day(day.isoformat(), len(per_day[day.isoformat()]),
                       sum(s.results == 0 for s in per_day[day.isoformat()]))
                   for day in (since + dt.timedelta(days=n) for n in range((until - since).days + 1))]


def _is_unopened(search: SearchRow) -> bool:
    """Results shown at the desk, none opened, and not reworded (rewordings are listed on their own)."""
    return search.source == "api" and search.results > 0 and not search.opened and search.reworded_as is None


def _add_gaps(report: Report, searches: list[SearchRow], everyone: list[SearchRow], mine: set[str]) -> None:
    if report.owner is None:
        report.zero_result_queries = _query_stats(s for s in searches if s.results == 0)
        report.rewordings = _rewordings(everyone)
    else:
        # Chains that ended at one of the owner's articles: the earlier wordings belong in its customer_says.
        report.rewordings = _rewordings(everyone, ends_at=mine)
    report.unopened_queries = _query_stats((s for s in searches if _is_unopened(s)), with_top_result=True)
    report.top_queries = _query_stats(searches)


def _query_stats(searches: Iterable[SearchRow], *, with_top_result: bool = False) -> list[QueryStat]:
    groups: dict[str, list[SearchRow]] = defaultdict(list)
    for search in searches:
        groups[normalize_query(search.query)].append(search)
    stats = []
    for query, rows in groups.items():
        first = Counter(s.shown[0] for s in rows if s.shown).most_common(1) if with_top_result else []
        stats.append(QueryStat(query=query, count=len(rows), example=Counter(s.query for s in rows).most_common(1)[0][0],
                               last=_day(max(s.at for s in rows)), opened=sum(bool(s.opened) for s in rows),
                               top_result=first[0][0] if first else None))
    stats.sort(key=lambda s: (-s.count, s.query))
    return stats[:TOP]


def _rewordings(searches: list[SearchRow], *, ends_at: set[str] | None = None) -> list[Rewording]:
    """Chains of searches each reworded as the next, grouped by the query that ended them (only
    chains whose last search opened, or else showed first, an article of `ends_at` when given)."""
    by_id = {s.id: s for s in searches}
    before: dict[int, list[int]] = defaultdict(list)
    for search in searches:
        if search.reworded_as is not None:
            before[search.reworded_as].append(search.id)
    groups: dict[str, dict[str, Any]] = {}
    for final in searches:
        if final.reworded_as is not None or final.id not in before:
            continue
        landed = final.opened or final.shown[:1]
        if ends_at is not None and not any(path in ends_at for path in landed):
            continue
        earlier, stack = [], list(before[final.id])
        while stack:
            search_id = stack.pop()
            if search_id in by_id:
                earlier.append(by_id[search_id])
                stack.extend(before.get(search_id, ()))
        group = groups.setdefault(normalize_query(final.query), {"count": 0, "opened": 0, "earlier": Counter(),
                                                                  "wordings": Counter()})
        group["count"] += 1
        group["opened"] += bool(final.opened)
        group["wordings"][final.query] += 1
        group["earlier"].update(normalize_query(s.query) for s in earlier)
    found = [Rewording(final=g["wordings"].most_common(1)[0][0], count=g["count"], opened=g["opened"],
                       earlier=g["earlier"].most_common(5)) for g in groups.values()]
    found.sort(key=lambda r: (-r.count, r.final))
    return found[:TOP]


def _stat(path: str, articles: dict[str, Article], count: int = 0) -> ArticleStat:
    article = articles.get(path)
    return ArticleStat(path, article.title if article else path, article.meta.owner if article else None, count)


def _add_articles(report: Report, searches: list[SearchRow], articles: dict[str, Article], mine: set[str],
                  have_content: bool) -> None:
    opened = Counter(path for s in searches for path in s.opened if report.owner is None or path in mine)
    report.top_articles = [_stat(path, articles, n) for path, n in sorted(opened.items(), key=lambda i: (-i[1], i[0]))][:TOP]
    if not have_content:
        return
    if not searches:
        report.notes.append("No searches in this period, so no list of articles never found.")
        return
    found = {path for s in searches for path in (*s.shown, *s.opened)}
    report.never_found = [_stat(path, articles) for path in sorted(mine)
                          if path not in found and articles[path].meta.status != "archived"]


def _helpfulness(feedback: list[FeedbackRow], articles: dict[str, Article]) -> list[Helpfulness]:
    per_article: dict[str, Helpfulness] = {}
    for row in feedback:
        stat = _stat(row.article, articles)
        item = per_article.setdefault(row.article, Helpfulness(row.article, stat.title, stat.owner))
        if row.helpful:
            item.yes += 1
        else:
            item.no += 1
        if row.reason:
            item.reasons[row.reason] = item.reasons.get(row.reason, 0) + 1
        if row.step is not None and not row.helpful:
            item.stuck_steps[row.step] = item.stuck_steps.get(row.step, 0) + 1
        if row.comment or row.step is not None or row.reason:
            item.comments.append(Comment(_day(row.at), row.helpful, row.reason, row.comment, row.step))
    for item in per_article.values():
        item.comments = item.comments[::-1][:COMMENTS]  # newest first
        item.stuck_steps = dict(sorted(item.stuck_steps.items()))
    return sorted(per_article.values(), key=lambda h: (-h.no, h.yes, h.path))


def _add_health(report: Report, mine: list[Article], findings: list[Finding], articles: dict[str, Article]) -> None:
    paths = {a.path for a in mine}
    for finding in findings:
        if finding.path not in paths:
            continue
        article = articles[finding.path]
        if finding.rule == "review-overdue":
            item = HealthItem(article.path, article.title, article.meta.owner, f"due {article.meta.review_due}")
            report.overdue.setdefault(article.meta.owner or "(no owner)", []).append(item)
        elif finding.rule == "findability":
            report.findability.append(HealthItem(article.path, article.title, article.meta.owner, finding.message))
    report.overdue = dict(sorted(report.overdue.items()))
    report.drafts = [HealthItem(a.path, a.title, a.meta.owner, "draft") for a in mine if a.meta.status == "draft"]
    report.no_owner = [HealthItem(a.path, a.title, None, "no owner") for a in mine if not a.meta.owner]


# --- stage 4: the terminal ---------------------------------------------------------------------------


def render_text(report: Report) -> str:
    """The report as plain text for the terminal, one section after another."""
    lines = [f"kb report: {report.since} to {report.until}" + (f", articles of {report.owner}" if report.owner else "")
             + (f"  (log: {report.log})" if report.log else "")]
    lines += [f"Note: {note}" for note in report.notes]
    if not report.findability_checked:
        lines.append("Note: customer phrases were not searched (--no-findability).")
    if report.owner:
        lines += ["", "To do: " + to_do_summary(report)]
    zero_rate = f" ({_percent(report.zero_results, report.searches)})" if report.searches else ""
    lines += ["", f"{_plural(report.searches, 'search')} by {_plural(report.sessions, 'session')}: "
              f"{report.zero_results} with no results{zero_rate}, {_plural(report.unopened, 'desk search')} with "
              f"nothing opened, {report.reworded} reworded; {_plural(report.votes, 'feedback vote')}."]
    if report.owner is None:
        lines += _section("Content gaps: no results", [
            f"{q.count:>5}  {q.example!r}  (last {q.last})" for q in report.zero_result_queries])
    lines += _section("Content gaps: results shown, none opened", [
        f"{q.count:>5}  {q.example!r}  first result {q.top_result}" for q in report.unopened_queries])
    lines += _section("Reworded searches, by the query that ended them" + (
        " (add the earlier wordings to the article's customer_says)" if report.owner else ""), [
        f"{r.count:>5}  {r.final!r}  after " + ", ".join(f"{q!r} ({n})" for q, n in r.earlier)
        + f"; opened {r.opened} of {r.count}" for r in report.rewordings])
    lines += _section("Top queries", [f"{q.count:>5}  {q.example!r}  opened {_percent(q.opened, q.count)}"
                                      for q in report.top_queries])
    lines += _section("Top articles, opened from search", [f"{a.count:>5}  {a.path}  {a.title}" + _by(a.owner)
                                                            for a in report.top_articles])
    lines += _section(f"Never found by a search ({len(report.never_found)})",
                      [f"       {a.path}  {a.title}" + _by(a.owner) for a in report.never_found])
    lines += _section("Helpfulness: did it solve the caller's problem?", _helpfulness_lines(report.helpfulness))
    lines += ["", "Content health"]
    lines += _section("  Overdue reviews, by owner", [
        f"       {owner} ({len(items)}): " + ", ".join(f"{i.path} ({i.detail})" for i in items)
        for owner, items in report.overdue.items()])
    lines += _section("  Drafts", [f"       {i.path}  {i.title}" + _by(i.owner) for i in report.drafts])
    if report.owner is None:
        lines += _section("  Without an owner", [f"       {i.path}  {i.title}" for i in report.no_owner])
    phrases = [f"       {i.path}: {i.detail}" for i in report.findability]
    lines += _section("  Customer phrases not found in the top 3",
                      phrases if report.findability_checked else ["       (not checked)"])
    return "\n".join(lines) + "\n"


def to_do_summary(report: Report) -> str:
    """One line of what an owner has to do, e.g. "2 overdue reviews, 1 customer phrase not found"."""
    parts = [(sum(len(items) for items in report.overdue.values()), "overdue review", "overdue reviews"),
             (len(report.findability), "customer phrase not found", "customer phrases not found"),
             (sum(1 for h in report.helpfulness if h.no), "article with 'no' votes", "articles with 'no' votes"),
             (len(report.unopened_queries), "query whose results nobody opened", "queries whose results nobody opened"),
             (len(report.rewordings), "reworded search", "reworded searches"),
             (len(report.drafts), "draft", "drafts")]
    done = [f"{n} {one if n == 1 else many}" for n, one, many in parts if n]
    return ", ".join(done) if done else "nothing: all clear."


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 'es' if word.endswith('ch') else 's'}"


def _section(title: str, rows: list[str]) -> list[str]:
    return ["", title, *(rows or ["       (none)"])]


def _by(owner: str | None) -> str:
    return f"  [{owner}]" if owner else ""


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "-"


def _helpfulness_lines(items: list[Helpfulness]) -> list[str]:
    lines = []
    for item in items:
        reasons = ", ".join(f"{REASON_LABELS.get(r, r)} {n}" for r, n in item.reasons.items())
        stuck = ", ".join(f"step {s} ({n})" for s, n in item.stuck_steps.items())
        lines.append(f"  yes {item.yes:>3}  no {item.no:>3}  {item.path}  {item.title}" + _by(item.owner)
                     + (f"\n             reasons: {reasons}" if reasons else "")
                     + (f"\n             calls stuck at: {stuck}" if stuck else ""))
        for comment in item.comments:
            said = f": {comment.text!r}" if comment.text else ""
            what = REASON_LABELS.get(comment.reason or "", "") or ("yes" if comment.helpful else "no")
            step = f", step {comment.step}" if comment.step else ""
            lines.append(f"             {comment.date} {what}{step}{said}")
    return lines
