"""The desk: kb serve."""

from __future__ import annotations

from pathlib import Path

import click

from kb_tools.cli.options import docs_option, index_option, log_options, log_path


@click.command()
@click.option("--site", "site_dir", default="site", show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="The built site (`mkdocs build`).")
@index_option
@docs_option("The content the index is built from (also read for /report's content health).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; 0.0.0.0 serves every interface (no login: mind who can reach it).")
@click.option("--allowed-host", "allowed_hosts", multiple=True, metavar="NAME",
              help="A host name agents reach this server by (repeat for each); requests naming another host "
                   "are refused. Loopback names and the --host address are always allowed.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64),
              help="Threads per process: requests answered at the same time.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Server processes sharing the port (gunicorn): one per core answers the most searches.")
@log_options
def serve(site_dir: Path, index_dir: Path, docs: Path, host: str, allowed_hosts: tuple[str, ...], port: int,
          threads: int, workers: int, log_setting: str | None, no_log: bool) -> None:
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
      kb serve --host 0.0.0.0 --allowed-host kb.floor.example --workers 2
      kb serve --site /srv/kb/site --index /srv/kb/search_index --log /var/lib/kb/activity.sqlite
      kb serve --no-log
    """
    from kb_tools.desk.serving import serve as run_desk

    status = run_desk(site_dir, index_dir, docs_dir=docs, host=host, port=port, threads=threads, workers=workers,
                      log_path=log_path(log_setting, no_log, index_dir), say=lambda line: click.echo(line, err=True),
                      allowed_hosts=allowed_hosts)
    if status:
        raise SystemExit(status)
    click.echo("Stopped.", err=True)
