"""Gathering a report: the activity log of the period and kb check's findings -> a Report.

Stages: read the log (kb_tools.measure.log_read.read_activity); check the content with kb
check's own rules (content_findings: review-overdue, findability); build the Report, narrowed
to one owner's articles on request (build_report). create_report does all three.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from kb_tools.content.metadata import PAGE_TYPE
from kb_tools.errors import KBError
from kb_tools.measure.log_read import Activity, FeedbackRow, HandoffRow, SearchRow, read_activity
from kb_tools.measure.log_records import normalize_query
from kb_tools.measure.report.model import (
    ArticleStat,
    Comment,
    Day,
    HandoffStat,
    HealthItem,
    Helpfulness,
    QueryStat,
    Report,
    Rewording,
    StuckBranch,
    TeamStat,
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

# --- what kb check says about the content --------------------------------------------------

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


# --- the report ----------------------------------------------------------------------------


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
    _add_handoffs(report, [h for h in activity.handoffs if is_mine(h.article)], articles, collection)
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
    report.no_good_match = sum(s.no_good_match for s in searches)
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
        report.zero_result_queries = _query_stats(s for s in searches if s.results == 0 and s.has_words)
        # Hybrid search nearly always finds something: a gap is a query nothing answers well.
        report.no_match_queries = _query_stats(s for s in searches if s.no_good_match)
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
    branches: dict[str, Counter[tuple[tuple[tuple[str, int, str], ...], int | None]]] = defaultdict(Counter)
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
        if row.trail and not row.helpful:
            branches[row.article][(row.trail, row.step)] += 1
        if row.comment or row.step is not None or row.reason:
            item.comments.append(Comment(_day(row.at), row.helpful, row.reason, row.comment, row.step))
    for item in per_article.values():
        item.comments = item.comments[::-1][:COMMENTS]  # newest first
        item.stuck_steps = dict(sorted(item.stuck_steps.items()))
        item.stuck_branches = [StuckBranch(trail, step, n) for (trail, step), n in sorted(
            branches[item.path].items(), key=lambda kv: (-kv[1], kv[0][1] or 0, kv[0][0]))]
    return sorted(per_article.values(), key=lambda h: (-h.no, h.yes, h.path))


def _add_handoffs(report: Report, handoffs: list[HandoffRow], articles: dict[str, Article],
                  collection: Collection | None) -> None:
    """Hand-offs per article (the articles that end in escalation most, first) and per team."""
    teams = collection.config.teams if collection is not None else None

    def name(team_id: str) -> str:
        team = teams.get(team_id) if teams is not None else None
        return team.name if team else team_id

    report.handoffs = len(handoffs)
    per_article: dict[str, Counter[str]] = defaultdict(Counter)
    for row in handoffs:
        per_article[row.article][name(row.team)] += 1
    stats = [HandoffStat(path, (stat := _stat(path, articles)).title, stat.owner, sum(teams_of.values()),
                         dict(teams_of.most_common())) for path, teams_of in per_article.items()]
    report.handoffs_by_article = sorted(stats, key=lambda s: (-s.count, s.path))[:TOP]
    per_team = Counter(row.team for row in handoffs)
    report.handoffs_by_team = [TeamStat(team, name(team), n) for team, n in
                               sorted(per_team.items(), key=lambda item: (-item[1], item[0]))]


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
