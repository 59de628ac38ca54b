"""The `kb` command: parse arguments, call one library function, render its result.

Heavy imports happen inside the commands so `kb --help` stays fast.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

import click

from kb_tools.errors import KBError

DOCS_DEFAULT = "docs"


class _KBGroup(click.Group):
    """Turns a KBError (a user mistake) into one line on stderr and exit 1, without a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KBError as exc:
            raise click.ClickException(str(exc)) from None
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            sys.exit(130)


@click.group(cls=_KBGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", is_flag=True, help="Show debug messages.")
@click.option("-q", "--quiet", is_flag=True, help="Show only errors.")
@click.version_option(package_name="kb-tools", prog_name="kb")
def main(verbose: bool, quiet: bool) -> None:
    """kb: the support knowledge base tools.

    \b
    Examples:
      kb check                      # validate every article in docs/
      kb new "Reset your password" --product account --type how-to --owner marco.bianchi
    """
    level = logging.DEBUG if verbose else logging.ERROR if quiet else logging.INFO
    logging.basicConfig(level=level, format="%(message)s", stream=sys.stderr)


def _docs_argument(func: Any) -> Any:
    return click.argument("docs", default=DOCS_DEFAULT, type=click.Path(file_okay=False, path_type=Path))(func)


@main.command()
@_docs_argument
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@click.option("--findability/--no-findability", default=True, show_default=True,
              help="Search every `customer_says` phrase and warn when its article is not in the top 3.")
@click.option("--index", "index_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Search this index for the findability check (default: search_index/ when it is up to date, "
                   "else a temporary one).")
def check(docs: Path, strict: bool, as_json: bool, findability: bool, index_dir: Path | None) -> None:
    """Validate every article: front matter, depths, steps, links, reviews, findability.

    Prints `path:line: severity: message [rule]` and a summary; exits 1 on errors.

    \b
    Examples:
      kb check
      kb check docs --strict
      kb check docs --index search_index
      kb check ../shared/corpora/arduino-help --json --no-findability
    """
    from kb_tools.content.checks import check_collection
    from kb_tools.content.model import load_collection
    from kb_tools.search.findability import check_findability, searcher_for

    collection = load_collection(docs)
    if findability and any(article.meta.customer_says for article in collection):
        progress = _Progress("Indexing for the findability check")
        try:
            with searcher_for(docs, index_dir, reuse=Path(INDEX_DEFAULT), progress=progress) as searcher:
                report = check_collection(collection, extra_rules=[lambda c: check_findability(c, searcher)])
        finally:
            progress.finish()
    else:
        report = check_collection(collection)
    if as_json:
        click.echo(json.dumps({"summary": {"articles": report.articles, "errors": report.errors,
                                           "warnings": report.warnings},
                               "findings": [f.to_dict() for f in report.findings]}, indent=2))
    else:
        for finding in report.findings:
            path = Path(docs) / finding.path
            colour = "red" if finding.severity == "error" else "yellow"
            click.echo(f"{path}:{finding.line}: " + click.style(finding.severity, fg=colour)
                       + f": {finding.message} [{finding.rule}]")
        click.echo(report.summary())
    sys.exit(1 if report.failed(strict=strict) else 0)


@main.command()
@click.argument("title")
@click.option("--product", "-p", required=True, help="Product id from docs/products.yml.")
@click.option("--type", "-t", "article_type", default="how-to", show_default=True,
              type=click.Choice(["how-to", "troubleshooting", "reference", "concept", "playbook"]),
              help="Article type; picks the template.")
@click.option("--owner", "-o", required=True, help="The expert who keeps the article right.")
@click.option("--summary", "-s", help="One sentence for search results (you can edit it later).")
@click.option("--docs", "docs", default=DOCS_DEFAULT, show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="The docs folder.")
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


@main.command()
@click.argument("article", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--owner", "-o", help="Only this expert's articles.")
@click.option("--done", is_flag=True, help="Mark ARTICLE reviewed today (only when `kb check` finds no error in it).")
@click.option("--docs", "docs", default=DOCS_DEFAULT, show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="The docs folder.")
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
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
        click.echo(json.dumps([item.to_dict() for item in due], indent=2, ensure_ascii=False))
        return
    for item in due:
        click.echo(f"{docs / item.path}: " + click.style(item.reason, fg="red" if item.overdue else "yellow")
                   + f"  {item.title}  [{item.owner or 'no owner'}]")
    overdue = sum(item.overdue for item in due)
    whose = f" for {owner}" if owner else ""
    click.echo(f"{len(due)} due for review{whose}: {overdue} overdue, {len(due) - overdue} within {DUE_WITHIN_DAYS} days")


INDEX_DEFAULT = "search_index"


def _index_option(func: Any) -> Any:
    return click.option("--index", "index_dir", default=INDEX_DEFAULT, show_default=True,
                        type=click.Path(file_okay=False, path_type=Path), help="The index folder.")(func)


class _Progress:
    """A one-line progress display on a terminal; silent when output is piped."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.shown = False
        self.enabled = sys.stderr.isatty()

    def __call__(self, done: int, total: int) -> None:
        if self.enabled and (done == total or done % 25 == 0):
            width = 30
            filled = width * done // max(total, 1)
            click.echo(f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}", err=True, nl=False)
            self.shown = True

    def finish(self) -> None:
        if self.shown:
            click.echo("\r" + " " * 70 + "\r", err=True, nl=False)


@main.command()
@_docs_argument
@_index_option
@click.option("--rebuild", is_flag=True, help="Rebuild everything instead of only what changed.")
@click.option("--wait", default=60.0, show_default=True, help="Seconds to wait for another `kb index` to finish.")
@click.option("--semantic/--no-semantic", default=True, show_default=True,
              help="Also embed every section for meaning-based (hybrid) search.")
def index(docs: Path, index_dir: Path, rebuild: bool, wait: float, semantic: bool) -> None:
    """Build or update the search index (only changed articles are re-indexed and re-embedded).

    \b
    Examples:
      kb index
      kb index docs --index search_index --rebuild
      kb index ../shared/corpora/arduino-help --index /tmp/arduino-index --no-semantic
    """
    from kb_tools.search import build_index

    progress, embedding = _Progress("Indexing"), _Progress("Embedding sections")
    try:
        stats = build_index(docs, index_dir, rebuild=rebuild, wait=wait, progress=progress, semantic=semantic,
                            embed_progress=embedding)
    finally:
        progress.finish()
        embedding.finish()
    click.echo(stats.summary())


def _mode_option(func: Any) -> Any:
    return click.option("--mode", type=click.Choice(["hybrid", "lexical", "semantic"]), default="hybrid",
                        show_default=True, help="Rank by words and meaning, words only, or meaning only.")(func)


def _notice(text: str | None) -> None:
    if text:
        click.echo(click.style(f"Note: {text}", fg="yellow"), err=True)


def _log_options(func: Any) -> Any:
    func = click.option("--no-log", is_flag=True, help="Record nothing in the activity log.")(func)
    return click.option("--log", "log_setting", envvar="KB_LOG", metavar="PATH",
                        help="The activity log (env KB_LOG; `off` records nothing) "
                             "[default: kb-activity.sqlite beside the index folder].")(func)


def _log_path(log_setting: str | None, no_log: bool, index_dir: Path) -> Path | None:
    from kb_tools.measure.activity import log_location

    return None if no_log else log_location(log_setting, index_dir)


def _open_searcher(index_dir: Path) -> Any:
    from kb_tools.search import Searcher

    return Searcher(index_dir)


@main.command()
@click.argument("text")
@_index_option
@click.option("--depth", type=click.Choice(["beginner", "expert"]), help="Link each result at this depth.")
@click.option("--product", help="Only this product.")
@click.option("--type", "article_type", help="Only this article type.")
@click.option("--tag", help="Only articles with this tag.")
@click.option("--status", type=click.Choice(["draft", "validated", "archived"]), help="Only this status.")
@click.option("--limit", default=5, show_default=True, type=click.IntRange(1, 100), help="How many results.")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON (a stable schema).")
@_mode_option
@_log_options
def search(text: str, index_dir: Path, depth: str | None, product: str | None, article_type: str | None,
           tag: str | None, status: str | None, limit: int, as_json: bool, mode: str, log_setting: str | None,
           no_log: bool) -> None:
    """Find articles for what the caller says (typos and everyday words welcome).

    The search is recorded in the activity log (see `kb report`) unless --no-log or KB_LOG=off.

    \b
    Examples:
      kb search "my internet keeps dropping"
      kb search "forgot login" --depth beginner --limit 3
      kb search "PAY-051" --product account --json
      kb search "put the program on the board" --mode lexical --no-log
    """
    from kb_tools.measure.activity import record_cli_search

    results = _open_searcher(index_dir).search(text, depth=depth, product=product, article_type=article_type,
                                               tag=tag, status=status, limit=limit, mode=mode)
    _notice(results.notice)
    _notice(record_cli_search(_log_path(log_setting, no_log, index_dir), text, results,
                              filters={"depth": depth, "product": product, "type": article_type, "tag": tag,
                                       "status": status}))
    if as_json:
        click.echo(json.dumps(results.to_dict(), indent=2, ensure_ascii=False))
        return
    if results.correction:
        click.echo(f"Did you mean: {click.style(results.correction, bold=True)}?")
    if not results.hits:
        click.echo(f"No articles found for {results.query!r}." + (" Try the suggestion above." if results.correction else
                                                                  " Try fewer or other words."))
        return
    for number, hit in enumerate(results.hits, start=1):
        where = f" > {hit.section}" if hit.section and hit.section != hit.title else ""
        click.echo(f"{number}. " + click.style(hit.title, bold=True) + where
                   + click.style(f"  [{hit.product or '-'} · {hit.type or '-'} · {hit.depth}]", dim=True))
        click.echo(f"   {_terminal_snippet(hit.snippet)}")
        click.echo(click.style(f"   {hit.url}", fg="blue"))


def _terminal_snippet(snippet: str) -> str:
    import html
    import re

    marked = re.sub(r"<mark>(.*?)</mark>", lambda m: click.style(m.group(1), fg="yellow", bold=True), snippet)
    return html.unescape(marked)


@main.command()
@click.argument("article_or_text")
@_index_option
@click.option("--depth", type=click.Choice(["beginner", "expert"]), default="beginner", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the steps as JSON.")
def steps(article_or_text: str, index_dir: Path, depth: str, as_json: bool) -> None:
    """Print an article's steps to read aloud, each with its checkpoint.

    ARTICLE_OR_TEXT is an article path (as in search results, e.g. homehub/wifi-keeps-dropping.md)
    or the caller's words, in which case the top search result is used.

    \b
    Examples:
      kb steps homehub/wifi-keeps-dropping.md
      kb steps "forgot my password" --depth expert
    """
    from kb_tools.search.steps import find_steps

    found = find_steps(_open_searcher(index_dir), article_or_text, depth=depth)
    if as_json:
        click.echo(json.dumps(found.to_dict(), indent=2, ensure_ascii=False))
        return
    click.echo(click.style(found.title, bold=True) + f"  ({depth})  {found.path}")
    if not found.steps:
        click.echo("This article has no numbered steps at this depth.")
    for step in found.steps:
        variant = f"[{step['variant']}] " if step.get("variant") else ""
        click.echo(f"\nStep {step['number']} of {len(found.steps)}: {variant}{step['text']}")
        if step.get("checkpoint"):
            click.echo(click.style(f"   Checkpoint: {step['checkpoint']}", fg="green"))


@main.command()
@click.argument("name", required=False)
@click.option("--docs", "docs", default=DOCS_DEFAULT, show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="The docs folder.")
@click.option("--answers", is_flag=True, help="Show the model answers of explain-back steps too.")
@click.option("--json", "as_json", is_flag=True, help="Print the paths (or the one path) as JSON.")
def paths(name: str | None, docs: Path, answers: bool, as_json: bool) -> None:
    """List the onboarding paths, or print one path's steps in order with their times.

    NAME is a path's file name under docs/paths/ (without .md) or its title.

    \b
    Examples:
      kb paths
      kb paths service-fundamentals --answers
      kb paths "The HomeHub for beginners" --json
    """
    from kb_tools.content.paths import format_minutes, load_catalog

    catalog = load_catalog(docs)
    chosen = [catalog.find(name)] if name else catalog.paths
    if as_json:
        data = [catalog.to_dict(path) for path in chosen]
        click.echo(json.dumps(data[0] if name else data, indent=2, ensure_ascii=False))
    elif name:
        path = chosen[0]
        click.echo(click.style(path.title, bold=True)
                   + f": {len(path.steps)} steps, about {format_minutes(catalog.total_minutes(path))}")
        click.echo(f"For: {path.audience}")
        for step in path.steps:
            what = (f"{catalog.title_of(step.article)} ({step.article})" if step.kind == "read" and step.article
                    else step.question or step.scenario)
            click.echo(f"\n{step.number:>2}. {step.label:<13} {what}  " + click.style(
                format_minutes(catalog.step_minutes(step)), fg="cyan"))
            for label, text in (("Focus", step.focus), ("Model answer", step.answer if answers else "")):
                if text:
                    click.echo(f"    {label}: {text}")
            if step.kind == "mock_call" and step.article:
                click.echo(f"    Use: {catalog.title_of(step.article)} ({step.article})")
    else:
        if not chosen:
            click.echo(f"No paths yet: add a page under {docs}/paths/ (see docs/writing-articles.md).")
        for path in chosen:
            click.echo(click.style(path.title, bold=True) + f" ({path.name}): {len(path.steps)} steps, "
                       f"about {format_minutes(catalog.total_minutes(path))}\n   For: {path.audience}")
    if catalog.findings:
        click.echo(f"{len(catalog.findings)} problem(s) in the paths; run `kb check {docs}` to see them.", err=True)


@main.command(name="eval")
@click.argument("queries", type=click.Path(dir_okay=False, path_type=Path))
@_index_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object with the metrics and every query.")
@_mode_option
def eval_command(queries: Path, index_dir: Path, as_json: bool, mode: str) -> None:
    """Measure search quality on judged queries: MRR@10, nDCG@10, recall@10, P@1.

    \b
    Examples:
      kb eval tests/sample-queries.tsv
      kb index ../shared/corpora/arduino-help --index /tmp/ax
      kb eval ../shared/eval/arduino-dev-queries.tsv --index /tmp/ax --json
      kb eval tests/sample-queries.tsv --mode lexical
    """
    from kb_tools.search.evaluate import evaluate, read_queries

    searcher = _open_searcher(index_dir)
    notices = set()

    def search(text: str) -> list:
        results = searcher.search(text, limit=10, mode=mode)
        notices.add(results.notice)
        return results.hits

    report = evaluate(read_queries(queries), search)
    for notice in notices:
        _notice(notice)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
        return
    click.echo("  ".join(f"{name} {value:.3f}" for name, value in report.metrics.items())
               + f"  ({len(report.scores)} queries)")
    for score in report.failed:
        click.echo(f"not in top 10: {score.qid} {score.query!r}\n   expected {', '.join(score.expected)}\n"
                   f"   got      {', '.join(score.top) or '(nothing)'}")


@main.command()
@click.option("--site", "site_dir", default="site", show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="The built site (`mkdocs build`).")
@_index_option
@click.option("--docs", "docs", default=DOCS_DEFAULT, show_default=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="The content the index is built from (also read for /report's content health).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; 0.0.0.0 serves every interface (no login: mind who can reach it).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64),
              help="Threads per process: requests answered at the same time.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Server processes sharing the port (gunicorn): one per core answers the most searches.")
@_log_options
def serve(site_dir: Path, index_dir: Path, docs: Path, host: str, port: int, threads: int, workers: int,
          log_setting: str | None, no_log: bool) -> None:
    """Serve the built site, the agent desk's API (search, suggest, steps, feedback) and /report.

    Searches, opened results and feedback are recorded in the activity log (see `kb report`; also
    at /report) unless --no-log or KB_LOG=off. A new `kb index` is picked up without a restart.
    Ctrl-C or SIGTERM stops it after the requests in flight are answered. A search keeps one core
    busy while it ranks: for a whole floor, run a worker process per core (--workers, Linux and
    macOS: gunicorn, whose SIGTERM lets the requests in flight finish and Ctrl-C stops at once).

    \b
    Examples:
      kb serve
      kb serve --port 8080 --workers 2 --threads 4
      kb serve --host 0.0.0.0 --site /srv/kb/site --index /srv/kb/search_index --log /var/lib/kb/activity.sqlite
      kb serve --no-log
    """
    from kb_tools.desk.app import check_built, create_app
    from kb_tools.desk.listen import bind, is_loopback, url_of
    from kb_tools.desk.run import serve as serve_desk

    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "queue depth" lines under load are noise
    log_path = _log_path(log_setting, no_log, index_dir)
    check_built(site_dir, index_dir, docs_dir=docs)
    _open_searcher(index_dir).close()  # a damaged index: one message here, not one per worker
    listening = bind(host, port)
    url = url_of(listening)
    if not is_loopback(host):
        click.echo(f"Warning: listening on {host}; anyone who can reach this machine on port {port} can read "
                   "the knowledge base (kb serve has no login).", err=True)
    processes = f"{workers} processes of {threads} threads" if workers > 1 else f"{threads} threads"
    click.echo(f"Serving {site_dir} and the search API on {url} with {processes} (Ctrl-C to stop).", err=True)
    click.echo(f"Recording searches and feedback in {log_path}; the report is at {url}/report."
               if log_path else "Recording nothing (activity log off).", err=True)
    status = serve_desk(lambda: create_app(site_dir, index_dir, docs_dir=docs, activity=log_path), listening,
                        threads=threads, workers=workers)
    if status:
        raise SystemExit(status)
    click.echo("Stopped.", err=True)


@main.command()
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="DATE",
              help="First day of the period, YYYY-MM-DD [default: the last 7 days].")
@click.option("--owner", help="Only this expert's articles: their list for the week.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--html", "html_dir", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="Also write a self-contained page with charts to DIR/index.html.")
@click.option("--docs", "docs", default=DOCS_DEFAULT, show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="The docs folder (for content health).")
@_index_option
@click.option("--findability/--no-findability", default=True, show_default=True,
              help="Search every `customer_says` phrase (as `kb check` does) and list those not in the top 3.")
@_log_options
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

    progress = _Progress("Indexing for the findability check")
    try:
        built = create_report(_log_path(log_setting, no_log, index_dir), docs, index_dir=index_dir,
                              since=since.date() if since else None, owner=owner, findability=findability,
                              progress=progress)
    finally:
        progress.finish()
    if html_dir:
        from kb_tools.measure.report_html import write_html

        written = write_html(built, html_dir)
        click.echo(f"Wrote {written}", err=True)
    if as_json:
        click.echo(json.dumps(built.to_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(render_text(built), nl=False)
