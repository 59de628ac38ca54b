"""`kb serve` from start to stop: check what is built, bind the port, say where it serves, then
run one server process or a pool of workers until Ctrl-C or SIGTERM."""

from __future__ import annotations

import logging
import signal
import socket
from collections.abc import Callable, Sequence
from pathlib import Path

from kb_tools.desk.server import Server, bind, check_built, create_app, is_loopback, url_of
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

    def serve_on(listening: socket.socket, accept_while: Callable[[int], bool] | None = None) -> Server:
        app = create_app(site_dir, index_dir, docs_dir=docs_dir, activity=log_path, allowed_hosts=allowed_hosts,
                         listen_host=host)
        return Server(app, listening=listening, threads=threads, accept_while=accept_while)

    url = url_of(listening)
    if not is_loopback(host):
        say(f"Warning: listening on {host}; anyone who can reach this machine on port {port} can read "
            "the knowledge base (kb serve has no login).")
    processes = f"{workers} processes of {threads} threads" if workers > 1 else f"{threads} threads"
    say(f"Serving {site_dir} and the search API on {url} with {processes} (Ctrl-C to stop).")
    say(f"Recording searches and feedback in {log_name(log_path)}; the report is at {url}/report."
        if log_path else "Recording nothing (activity log off).")
    if workers == 1:
        serve_on(listening).run()
        return 0
    from kb_tools.desk.workers import WorkerPool

    def serve_worker(shared: socket.socket, accept_while: Callable[[int], bool]) -> None:
        logging.getLogger("kb_tools.desk.server").setLevel(logging.WARNING)  # the parent says "Stopping" once
        serve_on(shared, accept_while).run(signals=(signal.SIGTERM,))  # Ctrl-C reaches it from the parent

    return WorkerPool(serve_worker, listening, workers=workers).run()
