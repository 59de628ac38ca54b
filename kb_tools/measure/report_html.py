"""The report as one self-contained HTML page: inline CSS, inline SVG charts, no script, nothing fetched.

  render_html(report, url_of=)   the page; `url_of(path)` links articles to the site when served

The charts (searches per day, zero-result rate per day, helpfulness per article) are drawn here in
plain SVG, so the page opens the same from a file, from `kb serve` at /report, or from an e-mail.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from pathlib import Path

from kb_tools.measure.report import (
    REASON_LABELS,
    HealthItem,
    Helpfulness,
    QueryStat,
    Report,
    to_do_summary,
)

UrlOf = Callable[[str], "str | None"]

_W, _H, _PAD_L, _PAD_B, _PAD_T = 480, 190, 36, 24, 10
_YES, _NO, _BAR, _ZERO = "#2e7d32", "#c62828", "#3f51b5", "#ef6c00"
HELPFULNESS_ROWS = 12

_CSS = """
:root { color-scheme: light dark; --fg: #1b1b1f; --muted: #5f6368; --line: #d0d3d8; --bg: #fff; --tile: #f3f4f7; }
@media (prefers-color-scheme: dark) { :root { --fg: #e8eaed; --muted: #a0a4ab; --line: #3c4043; --bg: #16171a; --tile: #202226; } }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 62rem; padding: 1.5rem; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: var(--fg); background: var(--bg); }
h1 { font-size: 1.5rem; margin: 0 0 .2rem; } h2 { font-size: 1.15rem; margin: 2rem 0 .5rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1rem; margin: 1.2rem 0 .4rem; }
.muted, .note { color: var(--muted); } .note { margin: .2rem 0; }
.todo { font-weight: 600; padding: .6rem .8rem; border-left: 4px solid #3f51b5; background: var(--tile); }
.tiles { display: flex; flex-wrap: wrap; gap: .6rem; margin: 1rem 0; padding: 0; list-style: none; }
.tiles li { background: var(--tile); border-radius: .4rem; padding: .5rem .8rem; min-width: 9rem; }
.tiles b { display: block; font-size: 1.4rem; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(22rem, 1fr)); gap: 1.2rem 2rem; }
figure { margin: 0; } figcaption { font-weight: 600; margin-bottom: .3rem; }
svg { width: 100%; height: auto; display: block; } svg text { fill: var(--muted); font-size: 11px; }
svg .axis { stroke: var(--line); }
table { border-collapse: collapse; width: 100%; margin: .3rem 0 1rem; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; color: var(--muted); } td.n { text-align: right; font-variant-numeric: tabular-nums; width: 4rem; }
code { font-size: .85em; } .none { color: var(--muted); font-style: italic; }
.yes { color: #2e7d32; } .no { color: #c62828; }
"""


def render_html(report: Report, *, url_of: UrlOf | None = None) -> str:
    """The whole page for `report`."""
    link = _Linker(url_of)
    who = f" &middot; articles of {_e(report.owner)}" if report.owner else ""
    parts = [
        "<!doctype html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>kb report {report.since} to {report.until}</title><style>{_CSS}</style></head><body>",
        f"<h1>Knowledge base report</h1><p class=\"muted\">{report.since} to {report.until}{who}"
        + (f" &middot; log <code>{_e(report.log)}</code>" if report.log else "") + "</p>",
        *(f'<p class="note">{_e(note)}</p>' for note in report.notes),
    ]
    if report.owner:
        parts.append(f'<p class="todo">To do: {_e(to_do_summary(report))}</p>')
    parts += [_tiles(report), '<div class="charts">', searches_chart(report), zero_rate_chart(report),
              helpfulness_chart(report.helpfulness), "</div>"]
    parts += _gaps(report, link)
    parts += _usage(report, link)
    parts += _helpfulness_tables(report.helpfulness, link)
    parts += _handoff_tables(report, link)
    parts += _health(report, link)
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def write_html(report: Report, folder: Path, *, url_of: UrlOf | None = None) -> Path:
    """Write the page to `folder`/index.html (the folder is created) and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "index.html"
    target.write_text(render_html(report, url_of=url_of), encoding="utf-8")
    return target


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


class _Linker:
    """Article paths as links to the site when it is known, else as code."""

    def __init__(self, url_of: UrlOf | None) -> None:
        self.url_of = url_of

    def __call__(self, path: str, title: str | None = None) -> str:
        label = _e(title) if title and title != path else f"<code>{_e(path)}</code>"
        url = self.url_of(path) if self.url_of else None
        return f'<a href="{_e(url)}">{label}</a>' if url is not None else label


def _tiles(report: Report) -> str:
    zero = f"{round(100 * report.zero_results / report.searches)}%" if report.searches else "-"
    yes = sum(h.yes for h in report.helpfulness)
    helped = f"{round(100 * yes / report.votes)}%" if report.votes else "-"
    tiles = [(report.searches, "searches"), (zero, "with no results"), (report.unopened, "desk searches, nothing opened"),
             (report.reworded, "reworded"), (report.votes, "feedback votes"), (helped, "said it solved the problem")]
    return '<ul class="tiles">' + "".join(f"<li><b>{_e(v)}</b>{_e(label)}</li>" for v, label in tiles) + "</ul>"


# --- the charts: plain SVG ---------------------------------------------------------------------------


def _svg(name: str, caption: str, summary: str, body: Iterable[str], height: int = _H) -> str:
    return (f'<figure class="kb-chart" data-chart="{name}"><figcaption>{_e(caption)}</figcaption>'
            f'<svg viewBox="0 0 {_W} {height}" role="img" aria-label="{_e(summary)}" xmlns="http://www.w3.org/2000/svg">'
            + "".join(body) + "</svg></figure>")


def _x_labels(days: list[str], step_x: float) -> list[str]:
    every = max(1, len(days) // 7)
    return [f'<text x="{_PAD_L + i * step_x + step_x / 2:.1f}" y="{_H - 6}" text-anchor="middle">{day[5:]}</text>'
            for i, day in enumerate(days) if i % every == 0]


def searches_chart(report: Report) -> str:
    """Bars per day: all searches, the part with no results in another colour."""
    days = report.days
    top = max([d.searches for d in days] + [1])
    plot_h, step_x = _H - _PAD_B - _PAD_T, (_W - _PAD_L) / max(len(days), 1)
    body = [f'<line class="axis" x1="{_PAD_L}" y1="{_H - _PAD_B}" x2="{_W}" y2="{_H - _PAD_B}"/>',
            f'<text x="{_PAD_L - 4}" y="{_PAD_T + 4}" text-anchor="end">{top}</text>',
            f'<text x="{_PAD_L - 4}" y="{_H - _PAD_B}" text-anchor="end">0</text>']
    for i, day in enumerate(days):
        x, width = _PAD_L + i * step_x + step_x * 0.15, step_x * 0.7
        h_all, h_zero = plot_h * day.searches / top, plot_h * day.zero_results / top
        tip = f"<title>{day.day}: {day.searches} searches, {day.zero_results} with no results</title>"
        body.append(f'<g class="bar" data-day="{day.day}" data-searches="{day.searches}">{tip}'
                    f'<rect x="{x:.1f}" y="{_H - _PAD_B - h_all:.1f}" width="{width:.1f}" height="{h_all:.1f}" fill="{_BAR}"/>'
                    f'<rect x="{x:.1f}" y="{_H - _PAD_B - h_zero:.1f}" width="{width:.1f}" height="{h_zero:.1f}" '
                    f'fill="{_ZERO}"/></g>')
    body += _x_labels([d.day for d in days], step_x)
    return _svg("searches-per-day", "Searches per day (orange: no results)",
                f"{report.searches} searches over {len(days)} days", body)


def zero_rate_chart(report: Report) -> str:
    """The share of each day's searches that found nothing, as a line (days without searches left out)."""
    days = report.days
    plot_h, step_x = _H - _PAD_B - _PAD_T, (_W - _PAD_L) / max(len(days), 1)
    body = [f'<line class="axis" x1="{_PAD_L}" y1="{_H - _PAD_B}" x2="{_W}" y2="{_H - _PAD_B}"/>',
            f'<text x="{_PAD_L - 4}" y="{_PAD_T + 4}" text-anchor="end">100%</text>',
            f'<text x="{_PAD_L - 4}" y="{_H - _PAD_B}" text-anchor="end">0%</text>']
    points = []
    for i, day in enumerate(days):
        if not day.searches:
            continue
        rate = day.zero_results / day.searches
        x, y = _PAD_L + i * step_x + step_x / 2, _H - _PAD_B - plot_h * rate
        points.append((x, y))
        body.append(f'<circle class="point" data-day="{day.day}" cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{_ZERO}">'
                    f"<title>{day.day}: {round(100 * rate)}% of {day.searches} searches found nothing</title></circle>")
    if len(points) > 1:
        body.insert(3, f'<polyline fill="none" stroke="{_ZERO}" stroke-width="2" points="'
                       + " ".join(f"{x:.1f},{y:.1f}" for x, y in points) + '"/>')
    body += _x_labels([d.day for d in days], step_x)
    return _svg("zero-result-rate", "Searches with no results, per day",
                f"zero-result rate on {len(points)} days with searches", body)


def helpfulness_chart(items: list[Helpfulness]) -> str:
    """A bar per article (most votes first): yes in green, no in red."""
    shown = sorted(items, key=lambda h: (-h.votes, h.path))[:HELPFULNESS_ROWS]
    row, label_w = 22, 180
    height = max(row * len(shown) + 8, 40)
    top = max([h.votes for h in shown] + [1])
    width = _W - label_w - 50
    body = []
    if not shown:
        body.append(f'<text x="{_W / 2}" y="24" text-anchor="middle">No feedback in this period</text>')
    for i, item in enumerate(shown):
        y = 4 + i * row
        yes_w, no_w = width * item.yes / top, width * item.no / top
        title = item.title if len(item.title) <= 28 else item.title[:27] + "\u2026"
        body.append(f'<g class="bar" data-article="{_e(item.path)}" data-yes="{item.yes}" data-no="{item.no}">'
                    f"<title>{_e(item.title)}: {item.yes} yes, {item.no} no</title>"
                    f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end">{_e(title)}</text>'
                    f'<rect x="{label_w}" y="{y}" width="{yes_w:.1f}" height="{row - 6}" fill="{_YES}"/>'
                    f'<rect x="{label_w + yes_w:.1f}" y="{y}" width="{no_w:.1f}" height="{row - 6}" fill="{_NO}"/>'
                    f'<text x="{label_w + yes_w + no_w + 6:.1f}" y="{y + 14}">{item.yes}/{item.no}</text></g>')
    return _svg("helpfulness", "Did it solve the caller's problem? (green yes, red no)",
                f"votes on {len(shown)} articles", body, height=height)


# --- the tables ---------------------------------------------------------------------------------


def _table(headers: list[str], rows: list[list[str]], *, numeric: Iterable[int] = (0,)) -> str:
    if not rows:
        return '<p class="none">None.</p>'
    numbers = set(numeric)
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f'<td{" class=n" if i in numbers else ""}>{cell}</td>' for i, cell in enumerate(row))
                   + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _queries(stats: list[QueryStat], last: Callable[[QueryStat], str]) -> str:
    return _table(["Searches", "Query (most common wording)", ""], [[str(q.count), _e(q.example), last(q)] for q in stats])


def _gaps(report: Report, link: _Linker) -> list[str]:
    parts = ["<h2>Content gaps</h2>"]
    if report.owner is None:
        parts += ["<h3>No good match (no results, or none answering well)</h3>",
                  _queries(report.no_match_queries, lambda q: f"last {q.last}")]
    parts += ["<h3>Results shown, none opened</h3>",
              _queries(report.unopened_queries, lambda q: "first result " + link(q.top_result) if q.top_result else "")]
    parts += ["<h3>Reworded searches, by the query that ended them</h3>", _table(
        ["Times", "Final query", "Earlier wordings", "Opened"],
        [[str(r.count), _e(r.final), ", ".join(f"{_e(q)} ({n})" for q, n in r.earlier), f"{r.opened} of {r.count}"]
         for r in report.rewordings])]
    return parts


def _usage(report: Report, link: _Linker) -> list[str]:
    return ["<h2>What agents searched for and opened</h2>", "<h3>Top queries</h3>",
            _queries(report.top_queries, lambda q: f"opened {q.opened} of {q.count}"),
            "<h3>Top articles, opened from search</h3>",
            _table(["Opened", "Article", "Owner"], [[str(a.count), link(a.path, a.title), _e(a.owner or "")]
                                                    for a in report.top_articles]),
            f"<h3>Never found by a search ({len(report.never_found)})</h3>",
            _table(["Article", "Owner"], [[link(a.path, a.title), _e(a.owner or "")] for a in report.never_found],
                   numeric=())]


def _helpfulness_tables(items: list[Helpfulness], link: _Linker) -> list[str]:
    rows = []
    for item in items:
        reasons = ", ".join(f"{REASON_LABELS.get(r, r)} {n}" for r, n in item.reasons.items())
        stuck = _e(", ".join(f"step {s} ({n})" for s, n in item.stuck_steps.items()))
        stuck += "".join(f'<br><span class="branch">after {_e(item.branch_text(branch))} ({branch.count})</span>'
                         for branch in item.stuck_branches)
        comments = "<br>".join(
            f'{c.date} <span class="{"yes" if c.helpful else "no"}">{"yes" if c.helpful else "no"}</span>'
            + (f", step {c.step}" if c.step else "") + (f": {_e(c.text)}" if c.text else "") for c in item.comments)
        rows.append([f'<span class="yes">{item.yes}</span>', f'<span class="no">{item.no}</span>',
                     link(item.path, item.title), _e(reasons), stuck, comments])
    return ["<h2>Helpfulness</h2>",
            _table(["Yes", "No", "Article", "Reasons", "Calls stuck at, after which answers", "Latest comments"], rows, numeric=(0, 1))]


def _handoff_tables(report: Report, link: _Linker) -> list[str]:
    return [f"<h2>Hand-offs ({report.handoffs})</h2>", "<h3>By article: which articles end in a hand-off most</h3>",
            _table(["Hand-offs", "Article", "Owner", "To"],
                   [[str(h.count), link(h.path, h.title), _e(h.owner or ""),
                     _e(", ".join(f"{t} {n}" for t, n in h.teams.items()))] for h in report.handoffs_by_article]),
            "<h3>By team</h3>",
            _table(["Hand-offs", "Team"], [[str(t.count), f"{_e(t.name)} <code>{_e(t.team)}</code>"]
                                           for t in report.handoffs_by_team])]


def _health_rows(items: list[HealthItem], link: _Linker) -> list[list[str]]:
    return [[link(i.path, i.title), _e(i.owner or ""), _e(i.detail)] for i in items]


def _health(report: Report, link: _Linker) -> list[str]:
    overdue = [item for items in report.overdue.values() for item in items]
    parts = ["<h2>Content health</h2>", "<h3>Overdue reviews, by owner</h3>",
             _table(["Article", "Owner", "Review"], _health_rows(overdue, link), numeric=()),
             "<h3>Drafts</h3>", _table(["Article", "Owner", ""], _health_rows(report.drafts, link), numeric=())]
    if report.owner is None:
        parts += ["<h3>Without an owner</h3>", _table(["Article", "Owner", ""], _health_rows(report.no_owner, link),
                                                      numeric=())]
    parts += ["<h3>Customer phrases not found in the top 3</h3>",
              _table(["Article", "Owner", "Finding"], _health_rows(report.findability, link), numeric=())
              if report.findability_checked else '<p class="none">Not checked (--no-findability).</p>']
    return parts
