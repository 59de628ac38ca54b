"""Search commands: kb index, kb search, kb steps, kb eval."""

from __future__ import annotations

from pathlib import Path

import click

from kb_tools.cli.options import (
    Progress,
    docs_argument,
    echo_json,
    index_option,
    json_option,
    log_options,
    log_path,
    mode_option,
    notice,
    open_searcher,
    utf8_argument,
)


@click.command()
@docs_argument
@index_option
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

    with Progress("Indexing") as progress, Progress("Embedding sections") as embedding:
        stats = build_index(docs, index_dir, rebuild=rebuild, wait=wait, progress=progress, semantic=semantic,
                            embed_progress=embedding)
    click.echo(stats.summary())
    if stats.problems:
        for finding in stats.problems:
            click.echo(f"{Path(docs) / finding.path}:{finding.line}: {finding.message} [{finding.rule}]", err=True)
        raise click.ClickException(f"{len(stats.problems)} file(s) not indexed (an article already in the index keeps "
                                   "its last good version); fix them and run `kb index` again")


@click.command()
@click.argument("text", callback=utf8_argument)
@index_option
@click.option("--depth", type=click.Choice(["beginner", "expert"]), help="Link each result at this depth.")
@click.option("--product", help="Only this product.")
@click.option("--type", "article_type", help="Only this article type.")
@click.option("--tag", help="Only articles with this tag.")
@click.option("--status", type=click.Choice(["draft", "validated", "archived"]), help="Only this status.")
@click.option("--limit", default=5, show_default=True, type=click.IntRange(1, 100), help="How many results.")
@json_option("Print the results as JSON (a stable schema).")
@mode_option
@log_options
def search(text: str, index_dir: Path, depth: str | None, product: str | None, article_type: str | None,
           tag: str | None, status: str | None, limit: int, as_json: bool, mode: str, log_setting: str | None,
           no_log: bool) -> None:
    """Find articles for what the caller says (typos and everyday words welcome).

    For exact words, quote a phrase or name a field (title, summary, customer_says, headings, body,
    label, tags, product, type, status, owner): only the articles that match are listed, best first.
    AND, OR and NOT work in such a query. Text that is not valid syntax is read as everyday words.

    The search is recorded in the activity log (see `kb report`) unless --no-log or KB_LOG=off.

    \b
    Examples:
      kb search "my internet keeps dropping"
      kb search "forgot login" --depth beginner --limit 3
      kb search "PAY-051" --product account --json
      kb search "put the program on the board" --mode lexical --no-log
      kb search '"declined by your bank"'
      kb search 'label:"Optimise Wi-Fi"' --limit 50
      kb search 'title:refund OR title:return'
    """
    from kb_tools.semantic.shared import load_in_background

    if mode != "lexical":
        load_in_background()  # while the rest is imported and the index opened
    from kb_tools.measure.activity import record_cli_search
    from kb_tools.search.known_issues import pinned_issues

    searcher = open_searcher(index_dir)
    results = searcher.search(text, depth=depth, product=product, article_type=article_type, tag=tag, status=status,
                              limit=limit, mode=mode)
    pinned = pinned_issues(searcher, text, product=product)  # open known issues it matches, as the desk pins them
    notice(results.notice)
    notice(record_cli_search(log_path(log_setting, no_log, index_dir), text, results,
                             filters={"depth": depth, "product": product, "type": article_type, "tag": tag,
                                      "status": status}))
    if as_json:
        echo_json({**results.to_dict(), "pinned": pinned})
        return
    for issue in pinned:
        click.echo(click.style(f"Known issue ({issue['status']}): ", fg="red", bold=True) + issue["title"]
                   + click.style(f"  {issue['url']}", fg="blue"))
    if results.correction:
        click.echo(f"Did you mean: {click.style(results.correction, bold=True)}?")
    if not results.hits:
        click.echo(f"No articles found for {results.query!r}." + (" Try the suggestion above." if results.correction else
                                                                  " Try fewer or other words."))
        return
    if results.confidence == "none":  # something came back, but nothing answers the query
        click.echo(click.style("No good match: try other words. The closest articles:", fg="yellow"))
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


@click.command()
@click.argument("article_or_text", callback=utf8_argument)
@index_option
@click.option("--depth", type=click.Choice(["beginner", "expert"]), default="beginner", show_default=True)
@json_option("Print the steps graph as JSON (what /api/steps returns).")
def steps(article_or_text: str, index_dir: Path, depth: str, as_json: bool) -> None:
    """Print an article's steps as a tree: each step with its checkpoint, and the outcomes (what
    the customer may see, and where each leads) indented under it.

    ARTICLE_OR_TEXT is an article path (as in search results, e.g. homehub/wifi-keeps-dropping.md)
    or the caller's words, in which case the top search result is used.

    \b
    Examples:
      kb steps homehub/wifi-keeps-dropping.md
      kb steps "forgot my password" --depth expert
    """
    from kb_tools.search.steps import find_steps, tree_lines

    found = find_steps(open_searcher(index_dir), article_or_text, depth=depth)
    if as_json:
        echo_json(found.to_dict())
        return
    click.echo(click.style(found.title, bold=True) + f"  ({depth})  {found.path}\n")
    if not found.steps:
        click.echo("This article has no numbered steps at this depth.")
    for line in tree_lines(found):
        click.echo(click.style(line, fg="green") if line.startswith("   Checkpoint:") else line)


@click.command(name="eval")
@click.argument("queries", type=click.Path(dir_okay=False, path_type=Path))
@index_option
@json_option("Print one JSON object with the metrics and every query.")
@mode_option
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

    searcher = open_searcher(index_dir)
    notices = set()

    def search(text: str) -> list:
        results = searcher.search(text, limit=10, mode=mode)
        notices.add(results.notice)
        return results.hits

    report = evaluate(read_queries(queries), search)
    for text in notices:
        notice(text)
    if as_json:
        echo_json(report.to_dict())
        return
    click.echo("  ".join(f"{name} {value:.3f}" for name, value in report.metrics.items())
               + f"  ({len(report.scores)} queries)")
    for score in report.failed:
        click.echo(f"not in top 10: {score.qid} {score.query!r}\n   expected {', '.join(score.expected)}\n"
                   f"   got      {', '.join(score.top) or '(nothing)'}")
