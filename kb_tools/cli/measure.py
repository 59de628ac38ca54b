"""Measurement: kb report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from kb_tools.cli.options import Progress, docs_option, echo_json, index_option, json_option, log_options, log_path


@click.command()
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="DATE",
              help="First day of the period, YYYY-MM-DD [default: the last 7 days].")
@click.option("--owner", help="Only this expert's articles: their list for the week.")
@json_option("Print the report as JSON.")
@click.option("--html", "html_dir", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="Also write a self-contained page with charts to DIR/index.html.")
@docs_option("The docs folder (for content health).")
@index_option
@click.option("--findability/--no-findability", default=True, show_default=True,
              help="Search every `customer_says` phrase (as `kb check` does) and list those not in the top 3.")
@log_options
def report(since: Any, owner: str | None, as_json: bool, html_dir: Path | None, docs: Path, index_dir: Path,
           findability: bool, log_setting: str | None, no_log: bool) -> None:
    """Show what agents searched for and did not find, which articles help, and what is overdue.

    Reads the activity log that `kb serve` and `kb search` write, and checks the content: content
    gaps (queries with no results or nothing opened, reworded searches), top queries and articles,
    articles never found, helpfulness votes with reasons, comments and the steps where calls got
    stuck, overdue reviews by owner, drafts, articles without owner, customer phrases not found.

    \b
    Examples:
      kb report
      kb report --since 2026-01-01 --owner priya.natarajan
      kb report --json --no-findability
      kb report --html report/        # then open report/index.html
    """
    from kb_tools.measure.report import create_report, render_text

    with Progress("Indexing for the findability check") as progress:
        built = create_report(log_path(log_setting, no_log, index_dir), docs, index_dir=index_dir,
                              since=since.date() if since else None, owner=owner, findability=findability,
                              progress=progress)
    if html_dir:
        from kb_tools.measure.report_html import write_html

        click.echo(f"Wrote {write_html(built, html_dir)}", err=True)
    if as_json:
        echo_json(built.to_dict())
    else:
        click.echo(render_text(built), nl=False)
