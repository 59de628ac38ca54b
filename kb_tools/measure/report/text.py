"""The report as plain text for the terminal (`kb report`), and an owner's one-line to-do."""

from __future__ import annotations

from kb_tools.measure.report.model import REASON_LABELS, Helpfulness, Report


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
    no_match_rate = f" ({_percent(report.no_good_match, report.searches)})" if report.searches else ""
    lines += ["", f"{_plural(report.searches, 'search')} by {_plural(report.sessions, 'session')}: "
              f"{report.zero_results} with no results{zero_rate}, {report.no_good_match} with no good match"
              f"{no_match_rate}, {_plural(report.unopened, 'desk search')} with "
              f"nothing opened, {report.reworded} reworded; {_plural(report.votes, 'feedback vote')}."]
    if report.owner is None:
        lines += _section("Content gaps: no good match (no results, or none answering well)", [
            f"{q.count:>5}  {q.example!r}  (last {q.last})" for q in report.no_match_queries])
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
    lines += _section(f"Hand-offs, by article ({report.handoffs} in all)", [
        f"{h.count:>5}  {h.path}  {h.title}" + _by(h.owner) + "  to " + ", ".join(f"{t} {n}" for t, n in h.teams.items())
        for h in report.handoffs_by_article])
    lines += _section("Hand-offs, by team", [f"{t.count:>5}  {t.name} ({t.team})" for t in report.handoffs_by_team])
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
                     + (f"\n             calls stuck at: {stuck}" if stuck else "")
                     + "".join(f"\n             stuck after: {item.branch_text(branch)} ({branch.count})"
                               for branch in item.stuck_branches))
        for comment in item.comments:
            said = f": {comment.text!r}" if comment.text else ""
            what = REASON_LABELS.get(comment.reason or "", "") or ("yes" if comment.helpful else "no")
            step = f", step {comment.step}" if comment.step else ""
            lines.append(f"             {comment.date} {what}{step}{said}")
    return lines
