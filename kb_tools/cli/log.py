"""`kb log`: the activity log's upkeep (upgrade, copy, prune), a thin adaptor over kb_tools.measure.log_admin."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import click

from kb_tools.cli.options import index_option
from kb_tools.errors import KBError


def _target_options(func: Any) -> Any:
    func = index_option(func)
    return click.option("--log", "log_setting", envvar="KB_LOG", metavar="PATH|URL",
                        help="The activity log: a file or a postgresql:// URL (env KB_LOG) "
                             "[default: kb-activity.sqlite beside the index folder].")(func)


def _target(log_setting: str | None, index_dir: Path) -> str:
    from kb_tools.measure.activity import log_location

    target = log_location(log_setting, index_dir)
    if target is None:
        raise KBError("the activity log is off (KB_LOG=off); name it with --log PATH or --log postgresql://...")
    return str(target)


@click.group(name="log")
def log_group() -> None:
    """Look after the activity log: upgrade its schema, copy it, prune old records.

    The log is an SQLite file (one host) or a PostgreSQL database every host shares; the same
    commands work on both.

    \b
    Examples:
      kb log upgrade --log postgresql://kb@db.internal/kb
      kb log copy kb-activity.sqlite postgresql://kb@db.internal/kb
      kb log prune --before 2026-01-01
      kb log prune --retention-days 400
    """


@log_group.command()
@_target_options
def upgrade(log_setting: str | None, index_dir: Path) -> None:
    """Create the log's tables, or bring an older log's schema up to this kb (in place; safe while servers write).

    `kb serve`, `kb search` and `kb report` do this too when they first write; run it by hand to
    upgrade a shared database before the new servers start.

    \b
    Examples:
      kb log upgrade
      kb log upgrade --log postgresql://kb@db.internal/kb
    """
    from kb_tools.measure.log_admin import upgrade_log

    target = _target(log_setting, index_dir)
    before, after = upgrade_log(target)
    name = _name(target)
    click.echo(f"{name}: schema {after} (already)" if before == after else f"{name}: schema {before} -> {after}")


@log_group.command()
@click.argument("source", metavar="SRC")
@click.argument("destination", metavar="DEST")
def copy(source: str, destination: str) -> None:
    """Copy every record of the log SRC into the log DEST (SQLite file or postgresql:// URL, either way).

    Ids are kept, so run it into an empty log. Running it again copies only what is missing: an
    interrupted copy is finished by the next run, and a finished one changes nothing. It ends by
    comparing the counts of both logs.

    \b
    Examples:
      kb log copy /srv/kb/kb-activity.sqlite postgresql://kb@db.internal/kb
      kb log copy postgresql://kb@db.internal/kb backup.sqlite
    """
    from kb_tools.measure.log_admin import copy_log

    def progress(table: str, done: int) -> None:
        if sys.stderr.isatty():
            click.echo(f"\rCopying {table}: {done}" + " " * 10, err=True, nl=False)

    copied = copy_log(source, destination, progress=progress)
    if sys.stderr.isatty():
        click.echo("\r" + " " * 60 + "\r", err=True, nl=False)
    click.echo(f"Copied {_name(source)} -> {_name(destination)}: {copied.summary()}")


@log_group.command()
@_target_options
@click.option("--before", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="DATE",
              help="Delete the records of the days before DATE (YYYY-MM-DD).")
@click.option("--retention-days", type=click.IntRange(1, 100_000), metavar="N",
              help="Keep N days: saved in the log as its retention_days (kb serve prunes by it hourly) and applied now.")
@click.option("--keep-forever", is_flag=True, help="Forget the log's retention_days.")
def prune(log_setting: str | None, index_dir: Path, before: Any, retention_days: int | None, keep_forever: bool) -> None:
    """Delete old records: those before a date, or older than the log's retention_days.

    A floor's log grows without end; `kb report` says from which day the log holds records.

    \b
    Examples:
      kb log prune --before 2026-01-01
      kb log prune --retention-days 400 --log postgresql://kb@db.internal/kb
      kb log prune --keep-forever
    """
    from kb_tools.measure.log_admin import DAY, prune_log, retention

    if sum(bool(x) for x in (before, retention_days, keep_forever)) != 1:
        raise click.UsageError("give one of --before DATE, --retention-days N or --keep-forever.")
    target = _target(log_setting, index_dir)
    if keep_forever:
        retention(target, clear=True)
        click.echo(f"{_name(target)}: records are kept until `kb log prune` deletes them.")
        return
    if retention_days is not None:
        retention(target, retention_days)
        cut = dt.datetime.combine(dt.date.today(), dt.time()).timestamp() - retention_days * DAY
    else:
        cut = before.timestamp()
    removed = prune_log(target, cut)
    day = dt.date.fromtimestamp(cut)
    click.echo(f"{_name(target)}: deleted {removed['searches']} searches, {removed['clicks']} clicks, "
               f"{removed['feedback']} feedback and {removed['handoffs']} hand-off records from before {day}"
               + (f"; retention_days is {retention_days}" if retention_days else "") + ".")


def _name(target: str) -> str:
    from kb_tools.measure.activity import log_name

    return log_name(target)
