"""The report as one self-contained HTML page: inline CSS, inline SVG charts, no script, nothing fetched.

  render_html(report, url_of=)   the page; `url_of(path)` links articles to the site when served
  write_html(report, folder)     the page written to folder/index.html

The page is the Jinja2 template templates/report.html.j2 (autoescaped; its CSS is templates/report.css,
inlined). The charts (searches per day, zero-result rate per day, helpfulness per article) are plain
SVG: their geometry is worked out here, their markup is in the template, so the page opens the same
from a file, from `kb serve` at /report, or from an e-mail.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import jinja2

from kb_tools.measure.report import (
    REASON_LABELS,
    Helpfulness,
    Report,
    to_do_summary,
)

UrlOf = Callable[[str], "str | None"]

HELPFULNESS_ROWS = 12
COLOURS = {"yes": "#2e7d32", "no": "#c62828", "bar": "#3f51b5", "zero": "#ef6c00"}


@dataclass(frozen=True)
class Frame:
    """The size of a chart and the room left for its axis labels."""

    width: int = 480
    height: int = 190
    pad_left: int = 36
    pad_bottom: int = 24
    pad_top: int = 10

    @property
    def baseline(self) -> int:
        return self.height - self.pad_bottom

    @property
    def plot_height(self) -> int:
        return self.height - self.pad_bottom - self.pad_top


FRAME = Frame()


@dataclass(frozen=True)
class DayBar:
    day: str
    searches: int
    zero_results: int
    x: float
    width: float
    y_all: float
    h_all: float
    y_zero: float
    h_zero: float


@dataclass(frozen=True)
class RatePoint:
    day: str
    searches: int
    percent: int
    x: float
    y: float


@dataclass(frozen=True)
class ArticleBar:
    path: str
    title: str
    short_title: str
    yes: int
    no: int
    y: int
    yes_w: float
    no_w: float
    label_x: int = 174
    bar_x: int = 180
    height: int = 16


@dataclass(frozen=True)
class SearchesChart:
    top: int
    bars: list[DayBar]
    labels: list[tuple[float, str]]
    summary: str


@dataclass(frozen=True)
class RateChart:
    points: list[RatePoint]
    labels: list[tuple[float, str]]
    summary: str


@dataclass(frozen=True)
class HelpfulnessChart:
    rows: list[ArticleBar]
    height: int
    summary: str


def render_html(report: Report, *, url_of: UrlOf | None = None) -> str:
    """The whole page for `report`."""
    return _template().render(
        report=report, url_of=url_of or (lambda path: None), frame=FRAME, colours=COLOURS,
        to_do=to_do_summary(report) if report.owner else None, tiles=_tiles(report),
        searches=searches_chart(report), zero_rate=zero_rate_chart(report),
        helpfulness=helpfulness_chart(report.helpfulness), reason_labels=REASON_LABELS,
        overdue=[item for items in report.overdue.values() for item in items])


def write_html(report: Report, folder: Path, *, url_of: UrlOf | None = None) -> Path:
    """Write the page to `folder`/index.html (the folder is created) and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "index.html"
    target.write_text(render_html(report, url_of=url_of), encoding="utf-8")
    return target


@functools.cache
def _template() -> jinja2.Template:
    environment = jinja2.Environment(loader=jinja2.PackageLoader("kb_tools.measure", "templates"),
                                     autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    return environment.get_template("report.html.j2")


def _tiles(report: Report) -> list[tuple[object, str]]:
    zero = f"{round(100 * report.zero_results / report.searches)}%" if report.searches else "-"
    yes = sum(h.yes for h in report.helpfulness)
    helped = f"{round(100 * yes / report.votes)}%" if report.votes else "-"
    return [(report.searches, "searches"), (zero, "with no results"), (report.unopened, "desk searches, nothing opened"),
            (report.reworded, "reworded"), (report.votes, "feedback votes"), (helped, "said it solved the problem")]


# --- the charts' geometry ---------------------------------------------------------------------------


def _day_labels(days: list[str], step_x: float) -> list[tuple[float, str]]:
    every = max(1, len(days) // 7)
    return [(FRAME.pad_left + i * step_x + step_x / 2, day[5:]) for i, day in enumerate(days) if i % every == 0]


def _step_x(count: int) -> float:
    return (FRAME.width - FRAME.pad_left) / max(count, 1)


def searches_chart(report: Report) -> SearchesChart:
    """Bars per day: all searches, the part with no results in another colour."""
    days, step_x = report.days, _step_x(len(report.days))
    top = max([d.searches for d in days] + [1])
    bars = []
    for i, day in enumerate(days):
        h_all, h_zero = FRAME.plot_height * day.searches / top, FRAME.plot_height * day.zero_results / top
        bars.append(DayBar(day.day, day.searches, day.zero_results, x=FRAME.pad_left + i * step_x + step_x * 0.15,
                           width=step_x * 0.7, y_all=FRAME.baseline - h_all, h_all=h_all,
                           y_zero=FRAME.baseline - h_zero, h_zero=h_zero))
    return SearchesChart(top, bars, _day_labels([d.day for d in days], step_x),
                         f"{report.searches} searches over {len(days)} days")


def zero_rate_chart(report: Report) -> RateChart:
    """The share of each day's searches that found nothing, as a line (days without searches left out)."""
    days, step_x = report.days, _step_x(len(report.days))
    points = []
    for i, day in enumerate(days):
        if not day.searches:
            continue
        rate = day.zero_results / day.searches
        points.append(RatePoint(day.day, day.searches, round(100 * rate), x=FRAME.pad_left + i * step_x + step_x / 2,
                                y=FRAME.baseline - FRAME.plot_height * rate))
    return RateChart(points, _day_labels([d.day for d in days], step_x),
                     f"zero-result rate on {len(points)} days with searches")


def helpfulness_chart(items: list[Helpfulness]) -> HelpfulnessChart:
    """A bar per article (most votes first): yes in green, no in red."""
    shown = sorted(items, key=lambda h: (-h.votes, h.path))[:HELPFULNESS_ROWS]
    row_height = 22
    top = max([h.votes for h in shown] + [1])
    width = FRAME.width - ArticleBar.bar_x - 50
    rows = [ArticleBar(item.path, item.title, item.title if len(item.title) <= 28 else item.title[:27] + "\u2026",
                       item.yes, item.no, y=4 + i * row_height, yes_w=width * item.yes / top, no_w=width * item.no / top)
            for i, item in enumerate(shown)]
    return HelpfulnessChart(rows, max(row_height * len(shown) + 8, 40), f"votes on {len(shown)} articles")
