"""`kb serve --workers N`: N server processes on one port, kept running by gunicorn (Linux, macOS).

A search holds Python's global interpreter lock while it ranks, so one process answers from one
core however many threads it has. gunicorn's arbiter forks N workers of its `gthread` kind
(`--threads` each) and keeps them: a worker that dies is replaced. Its documented signals apply:
SIGTERM is the graceful stop (no new connections; requests in flight get GRACE seconds), SIGINT
(Ctrl-C) and SIGQUIT the quick stop.

The port is bound before gunicorn starts (kb_tools.desk.listen) and handed to it as `fd://N`, so
a busy port is one clear line rather than gunicorn's five retries. Each worker builds its own app
(no `preload_app`): Whoosh's open files and the activity log's SQLite connection must not be
shared across fork().
"""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Callable
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.errors import AppImportError, HaltServer

from kb_tools.desk.server import CHANNEL_TIMEOUT, GRACE
from kb_tools.desk.wsgi import WsgiApp
from kb_tools.errors import KBError

MAX_REQUEST_LINE = 8190  # gunicorn's ceiling: a long query, percent-encoded, fits


class WorkerPool(BaseApplication):
    """gunicorn, configured in code (its "custom application"): `run()` serves until stopped."""

    def __init__(self, make_app: Callable[[], WsgiApp], listening: socket.socket, *, workers: int,
                 threads: int) -> None:
        self._make_app = make_app
        self._settings: dict[str, Any] = {
            "bind": [f"fd://{listening.detach()}"],  # gunicorn owns the socket from here on
            "workers": workers, "worker_class": "gthread", "threads": threads,
            "graceful_timeout": int(GRACE), "keepalive": CHANNEL_TIMEOUT,
            "limit_request_line": MAX_REQUEST_LINE,
            "proc_name": "kb serve", "loglevel": "warning",
            "control_socket_disable": True,  # one shared control socket per user would mix up two `kb serve`s
        }
        super().__init__()

    def load_config(self) -> None:
        for name, value in self._settings.items():
            self.cfg.set(name, value)

    def load(self) -> WsgiApp:
        try:
            return self._make_app()
        except KBError as exc:  # e.g. the index was deleted since `kb serve` checked it
            # gunicorn's "app failed to load": the message, then the pool stops (no restart loop).
            raise AppImportError(f"kb serve: a worker cannot start: {exc}") from None


def run_workers(make_app: Callable[[], WsgiApp], listening: socket.socket, *, workers: int, threads: int) -> int:
    """Serve with `workers` processes on the bound socket `listening` until stopped; the exit status."""
    master = os.getpid()
    try:
        WorkerPool(make_app, listening, workers=workers, threads=threads).run()
    except SystemExit as exc:  # how gunicorn ends, in the master and in every worker
        if os.getpid() != master:
            raise  # a worker leaving: gunicorn's own exit status, no code of ours after it
        return exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
    except HaltServer as exc:
        # Two workers failing at once: gunicorn stops the pool for the first and, reaping the second
        # while it stops, raises HaltServer again out of its own halt(). The workers were told to stop.
        print(f"kb serve: stopped: {exc.reason}", file=sys.stderr)
        return exc.exit_status
    return 0
