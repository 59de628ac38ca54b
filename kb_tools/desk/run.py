"""Serve the desk on a bound socket: one process (waitress), or a pool of processes (gunicorn)."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterable

from kb_tools.desk.server import Server
from kb_tools.errors import KBError

WsgiApp = Callable[..., Iterable[bytes]]


def serve(make_app: Callable[[], WsgiApp], listening: socket.socket, *, threads: int = 4, workers: int = 1) -> int:
    """Answer on `listening` with `make_app()` until stopped (Ctrl-C, SIGTERM); the exit status.

    One worker runs in this process; more are gunicorn's worker processes, each calling `make_app()`.
    """
    if workers == 1:
        Server(make_app(), listening=listening, threads=threads).run()
        return 0
    if not hasattr(os, "fork"):  # gunicorn forks: Linux and macOS
        raise KBError("--workers needs Linux or macOS; run one `kb serve` per port instead.")
    from kb_tools.desk.workers import run_workers

    return run_workers(make_app, listening, workers=workers, threads=threads)
