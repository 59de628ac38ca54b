"""Content commands: kb check, kb new, kb review, kb import, kb paths."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from kb_tools.cli.options import (
    INDEX_DEFAULT,
    Progress,
    docs_argument,
    docs_option,
    echo_json,
    json_option,
    utf8_argument,
)


@click.command()
@docs_argument
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@json_option("Print the findings as JSON.")
@click.option("--findability/--no-findability", default=True, show_default=True,
              help="Search every `customer_says` phrase and warn when its article is not in the top 3.")
@click.option("--index", "index_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Search this index for the findability check (default: search_index/ when it is up to date, "
                   "else a temporary one).")
@click.option("--archive-after", "archive_after", type=click.IntRange(min=0), default=14, show_default=True,
              metavar="DAYS", help="Suggest archiving a fixed known issue this many days after its fixed_on.")
def check(docs: Path, strict: bool, as_json: bool, findability: bool, index_dir: Path | None,
          archive_after: int) -> None:
    """Validate every article: front matter, depths, steps, links, reviews, findability.

    Prints `path:line: severity: message [rule]` and a summary; exits 1 on errors.

    \b
    Examples:
      kb check
      kb check docs --strict
      kb check docs --index search_index
      kb check docs --archive-after 30
      kb check ../shared/corpora/arduino-help --json --no-findability
    """
    from kb_tools.search.findability import check_docs

    with Progress("Indexing for the findability check") as progress:
        report = check_docs(docs, findability=findability, index_dir=index_dir, reuse=Path(INDEX_DEFAULT),
                            progress=progress, archive_after=archive_after)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
    else:
        for finding in report.findings:
            colour = "red" if finding.severity == "error" else "yellow"
            click.echo(f"{Path(docs) / finding.path}:{finding.line}: " + click.style(finding.severity, fg=colour)
                       + f": {finding.message} [{finding.rule}]")
        click.echo(report.summary())
    sys.exit(1 if report.failed(strict=strict) else 0)


@click.command()
@click.argument("title", callback=utf8_argument)
@click.option("--product", "-p", required=True, help="Product id from docs/products.yml.")
@click.option("--type", "-t", "article_type", default="how-to", show_default=True,
              type=click.Choice(["how-to", "troubleshooting", "reference", "concept", "playbook", "known-issue"]),
              help="Article type; picks the template.")
@click.option("--owner", "-o", required=True, help="The expert who keeps the article right.")
@click.option("--summary", "-s", help="One sentence for search results (you can edit it later).")
@docs_option()
@click.option("--path", "path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write here instead of DOCS/PRODUCT/<title-slug>.md.")
def new(title: str, product: str, article_type: str, owner: str, summary: str | None, docs: Path,
        path: Path | None) -> None:
    """Start a new article from the template of its type (never overwrites).

    \b
    Examples:
      kb new "Wi-Fi keeps dropping" --product homehub --type troubleshooting --owner priya.natarajan
      kb new "Change your plan" -p account -o marco.bianchi -s "Move to a faster or cheaper plan."
    """
    from kb_tools.content.config import load_config
    from kb_tools.content.scaffold import new_article

    created = new_article(load_config(docs), title, product=product, article_type=article_type, owner=owner,
                          summary=summary, path=path)
    click.echo(f"Created {created}. Fill it in, then run `kb check`.")


@click.command()
@click.argument("article", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--owner", "-o", help="Only this expert's articles.")
@click.option("--done", is_flag=True, help="Mark ARTICLE reviewed today (only when `kb check` finds no error in it).")
@docs_option()
@json_option("Print the list as JSON.")
def review(article: Path | None, owner: str | None, done: bool, docs: Path, as_json: bool) -> None:
    """List the articles due for review, soonest first (overdue, then due within 30 days), or mark one reviewed.

    \b
    Examples:
      kb review
      kb review --owner priya.natarajan
      kb review docs/homehub/wifi-keeps-dropping.md --done
    """
    from kb_tools.content.model import load_collection
    from kb_tools.content.review import DUE_WITHIN_DAYS, due_reviews, mark_reviewed

    if done or article:
        if not (done and article):
            raise click.UsageError("give one ARTICLE with --done, e.g. kb review docs/app/update-the-app.md --done")
        marked = mark_reviewed(docs, article)
        click.echo(f"Marked {marked.path} reviewed on {marked.today} (was {marked.previous}).")
        for finding in marked.warnings:
            click.echo(f"  still to look at: line {finding.line}: {finding.message} [{finding.rule}]")
        return
    due = due_reviews(load_collection(docs), owner=owner)
    if as_json:
        echo_json([item.to_dict() for item in due])
        return
    for item in due:
        click.echo(f"{docs / item.path}: " + click.style(item.reason, fg="red" if item.overdue else "yellow")
                   + f"  {item.title}  [{item.owner or 'no owner'}]")
    overdue = sum(item.overdue for item in due)
    whose = f" for {owner}" if owner else ""
    click.echo(f"{len(due)} due for review{whose}: {overdue} overdue, {len(due) - overdue} within {DUE_WITHIN_DAYS} days")


@click.command(name="import")
@click.argument("src", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("--to", "docs", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="The docs folder to import into (created when missing).")
@click.option("--owner", "-o", help="Owner of every imported article [default: a placeholder to assign].")
@click.option("--product", "-p", help="Product id for articles at the top of SRC [default: SRC's name].")
@json_option("Print every article, external link and open item as JSON.")
def import_command(src: Path, docs: Path, owner: str | None, product: str | None, as_json: bool) -> None:
    """Import a help centre: Zendesk-style Markdown, plain Markdown and HTML files become draft articles.

    Products and sections come from SRC's folders, types are guessed (and said), links between the
    articles point at their new paths, external links and images stay links. Re-running updates
    the articles and keeps their owner, status and review date; it never duplicates.

    \b
    Examples:
      kb import ../shared/corpora/arduino-help --to /tmp/arduino/docs
      kb import old-help-centre/ --to docs --owner priya.natarajan --json
    """
    from kb_tools.content.importer import import_help_centre

    with Progress("Importing") as progress:
        report = import_help_centre(src, docs, owner=owner, product=product, progress=progress)
    if as_json:
        echo_json(report.to_dict())
        return
    for article, what in report.needs_human:
        if not what.startswith(("assign an owner", "write the Beginner")):
            click.echo(f"{docs / article}: {what}")
    if report.mkdocs_yml:
        click.echo(f"Wrote {report.mkdocs_yml} to build the imported site (mkdocs build -f {report.mkdocs_yml}).")
    click.echo(report.summary())
    click.echo(f"Next: kb check {docs}  (warnings show what to write: owners, depths, customer phrases)")



@click.command()
@click.argument("name", required=False)
@docs_option()
@click.option("--answers", is_flag=True, help="Show the model answers of explain-back steps too.")
@json_option("Print the paths (or the one path) as JSON.")
def paths(name: str | None, docs: Path, answers: bool, as_json: bool) -> None:
    """List the onboarding paths, or print one path's steps in order with their times.

    NAME is a path's file name under docs/paths/ (without .md) or its title.

    \b
    Examples:
      kb paths
      kb paths service-fundamentals --answers
      kb paths "The HomeHub for beginners" --json
    """
    from kb_tools.content.path_text import render_catalog, render_path
    from kb_tools.content.paths import load_catalog

    catalog = load_catalog(docs)
    if name:
        path = catalog.find(name)
        if as_json:
            echo_json(catalog.to_dict(path))
        else:
            click.echo(render_path(catalog, path, answers=answers, style=click.style), nl=False)
    elif as_json:
        echo_json([catalog.to_dict(path) for path in catalog.paths])
    else:
        click.echo(render_catalog(catalog, docs, style=click.style), nl=False)
    if catalog.findings:
        click.echo(f"{len(catalog.findings)} problem(s) in the paths; run `kb check {docs}` to see them.", err=True)


@click.command("known-issues")
@docs_argument
@click.option("--all", "show_all", is_flag=True, help="List fixed known issues too (not archived ones).")
@json_option("Print the known issues as JSON.")
def known_issues(docs: Path, show_all: bool, as_json: bool) -> None:
    """List the open known issues (investigating or identified), newest first.

    The desk shows these in a banner on every page and pins them above the search results they
    match; a fixed one drops from both.

    \b
    Examples:
      kb known-issues
      kb known-issues docs --all
      kb known-issues --json
    """
    from kb_tools.content.config import load_config
    from kb_tools.content.known_issues import issue_data, known_issue_cards, open_issues

    config = load_config(docs)
    cards = known_issue_cards(config)
    issues = open_issues(cards, config)
    if show_all:
        fixed = sorted((c for c in cards if c.meta.issue_status == "fixed" and c.meta.status == "validated"),
                       key=lambda c: str(c.meta.fixed_on), reverse=True)
        issues += [issue_data(card, config) for card in fixed]
    if as_json:
        echo_json(issues)
        return
    for issue in issues:
        when = f"fixed on {issue['fixed_on']}" if issue["status"] == "fixed" else f"since {issue['since']}"
        click.echo(f"{issue['status']:<13} {when:<19} {', '.join(issue['products']):<16} {issue['title']}  "
                   f"({Path(docs) / issue['path']})")
    count = sum(issue["status"] != "fixed" for issue in issues)
    click.echo(f"{count} open known issue{'' if count == 1 else 's'}" + (f", {len(issues) - count} fixed" if show_all
                                                                          else ""))
