"""`kb serve` from start to stop: check what is built, bind the port, say where it serves, then run
one server process (waitress, server.py) or gunicorn's pool of workers (workers.py) until stopped."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Sequence
from pathlib import Path

from kb_tools.desk.app import check_built, create_app
from kb_tools.desk.listen import bind, is_loopback, url_of
from kb_tools.desk.server import Server
from kb_tools.desk.wsgi import WsgiApp
from kb_tools.errors import KBError
from kb_tools.measure.activity import log_name, prepare_log
from kb_tools.search import Searcher


def serve(site_dir: Path, index_dir: Path, *, docs_dir: Path, host: str, port: int, threads: int, workers: int,
          log_path: Path | str | None, say: Callable[[str], None], allowed_hosts: Sequence[str] = ()) -> int:
    """Serve until stopped; `say` gets the lines for the person who started it. Returns the exit
    status (not 0 when the worker pool could not keep its workers running)."""
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "queue depth" lines under load are noise
    check_built(site_dir, index_dir, docs_dir=docs_dir)
    Searcher(index_dir).close()  # a damaged index: one message here, not one per worker
    if log_path is not None:
        waiting = prepare_log(log_path)  # the schema created or upgraded once, before the workers start
        if waiting:
            say(f"Note: {waiting}")
    listening = bind(host, port)
    url = url_of(listening)
    if not is_loopback(host):
        say(f"Warning: listening on {host}; anyone who can reach this machine on port {port} can read "
            "the knowledge base (kb serve has no login).")
    processes = f"{workers} processes of {threads} threads" if workers > 1 else f"{threads} threads"
    say(f"Serving {site_dir} and the search API on {url} with {processes} (Ctrl-C to stop).")
    say(f"Recording searches and feedback in {log_name(log_path)}; the report is at {url}/report."
        if log_path else "Recording nothing (activity log off).")

    def make_app() -> WsgiApp:
        return create_app(site_dir, index_dir, docs_dir=docs_dir, activity=log_path, allowed_hosts=allowed_hosts,
                          listen_host=host)

    return serve_on(make_app, listening, threads=threads, workers=workers)


def serve_on(make_app: Callable[[], WsgiApp], listening: socket.socket, *, threads: int = 4, workers: int = 1) -> int:
    """Answer on the bound socket `listening` with `make_app()` until stopped (Ctrl-C, SIGTERM); the exit status.

    One worker runs in this process; more are gunicorn's worker processes, each calling `make_app()`.
    """
    if workers == 1:
        Server(make_app(), listening=listening, threads=threads).run()
        return 0
    if not hasattr(os, "fork"):  # gunicorn forks: Linux and macOS
        raise KBError("--workers needs Linux or macOS; run one `kb serve` per port instead.")
    from kb_tools.desk.workers import run_workers

    return run_workers(make_app, listening, workers=workers, threads=threads)
