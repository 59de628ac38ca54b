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

from .errors import KBError

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
def check(docs: Path, strict: bool, as_json: bool) -> None:
    """Validate every article: front matter, depths, steps, links, reviews.

    Prints `path:line: severity: message [rule]` and a summary; exits 1 on errors.

    \b
    Examples:
      kb check
      kb check docs --strict
      kb check ../shared/corpora/arduino-help --json
    """
    from .checks import check_collection
    from .model import load_collection

    report = check_collection(load_collection(docs))
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
    from .config import load_config
    from .scaffold import new_article

    created = new_article(load_config(docs), title, product=product, article_type=article_type, owner=owner,
                          summary=summary, path=path)
    click.echo(f"Created {created}. Fill it in, then run `kb check`.")
