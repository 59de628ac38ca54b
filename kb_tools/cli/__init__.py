"""The `kb` command: one module per area, each command parses its options, calls one library
function and renders its result.

Heavy imports happen inside the commands so `kb --help` stays fast.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import click

from kb_tools.cli import content, desk, log, measure, search
from kb_tools.errors import KBError


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


for _command in (content.check, content.new, content.review, content.import_command,
                 content.paths, content.known_issues, search.index, search.search, search.steps,
                 search.eval_command, desk.serve, measure.report, log.log_group):
    main.add_command(_command)
