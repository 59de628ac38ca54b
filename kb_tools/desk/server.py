"""One `kb serve` process: the app under waitress until Ctrl-C, SIGTERM or `stop()`.

  Server(app, host=, port=, listening=, threads=)   bound at once (a busy port is one KBError);
                                                    `run()` answers with bounded worker threads,
                                                    idle and slow clients timed out, then stops
                                                    listening and lets the requests in flight finish

This is `kb serve` with one worker, and the server wherever gunicorn does not run (Windows);
several worker processes are kb_tools.desk.workers.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from kb_tools.desk.listen import bind, url_of

log = logging.getLogger(__name__)

CHANNEL_TIMEOUT = 30  # seconds a connection may sit idle, or trickle in a request, before it is closed
GRACE = 10.0  # seconds requests in flight get to finish after Ctrl-C or SIGTERM
MAX_HEADER_BYTES = 64 * 1024
MAX_BODY_BYTES = 64 * 1024
_LOOP_TICK = 0.05  # how often the loop notices a stop


class Server:
    """A bound server: `run()` answers requests until `stop()`, Ctrl-C or SIGTERM, then drains."""

    def __init__(self, app: Callable[..., Iterable[bytes]], *, host: str = "127.0.0.1", port: int = 8000,
                 threads: int = 4, channel_timeout: int = CHANNEL_TIMEOUT,
                 listening: socket.socket | None = None) -> None:
        """Listen on `host`:`port`, or on `listening`, a socket already bound."""
        from waitress.server import BaseWSGIServer, create_server

        self._map: dict[int, Any] = {}
        self._stopping = threading.Event()
        # Bound here, before waitress starts any thread, so a busy port leaves nothing behind.
        listening = listening or bind(host, port)
        create_server(app, map=self._map, sockets=[listening], threads=threads, ident="kb",
                      channel_timeout=channel_timeout, cleanup_interval=max(1, min(channel_timeout, 30)),
                      connection_limit=max(100, threads * 25), asyncore_use_poll=True,
                      max_request_header_size=MAX_HEADER_BYTES, max_request_body_size=MAX_BODY_BYTES)
        self._listeners = [d for d in self._map.values() if isinstance(d, BaseWSGIServer)]
        self.addresses = [(d.effective_host, int(d.effective_port)) for d in self._listeners]

    @property
    def url(self) -> str:
        return url_of(self._listeners[0].socket)

    def run(self, *, grace: float = GRACE) -> None:
        """Serve until stopped (`stop()`, Ctrl-C or SIGTERM; a second one stops at once); then stop
        listening and give requests in flight `grace` seconds."""
        from waitress import wasyncore

        with self._signals_stop((signal.SIGINT, signal.SIGTERM)):
            while not self._stopping.is_set():
                wasyncore.loop(timeout=_LOOP_TICK, map=self._map, use_poll=True, count=1)
            self._drain(grace)

    def stop(self) -> None:
        """Ask `run()` to drain and return (from any thread)."""
        self._stopping.set()

    def _drain(self, grace: float) -> None:
        from waitress import wasyncore

        for listener in self._listeners:
            # Close only the listening socket: the server's trigger still wakes the loop for the
            # responses being written.
            wasyncore.dispatcher.close(listener)
        deadline = time.monotonic() + grace
        while self._is_busy() and time.monotonic() < deadline:
            wasyncore.loop(timeout=0.05, map=self._map, use_poll=True, count=1)
        # Idle workers need a moment to notice; busy ones had their grace.
        self._listeners[0].task_dispatcher.shutdown(timeout=max(0.5, deadline - time.monotonic()))
        wasyncore.close_all(self._map, ignore_all=True)

    def _is_busy(self) -> bool:
        return any(getattr(channel, "requests", None) or getattr(channel, "total_outbufs_len", 0)
                   for channel in list(self._map.values()))

    @contextlib.contextmanager
    def _signals_stop(self, signals: tuple[int, ...]) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield  # signals reach only the main thread; an embedding program calls stop()
            return

        def on_signal(signum: int, frame: Any) -> None:
            if self._stopping.is_set():
                raise KeyboardInterrupt  # a second Ctrl-C: stop now, without waiting
            log.info("Stopping: finishing the requests in flight (Ctrl-C again to stop at once)...")
            self._stopping.set()

        previous = {signum: signal.signal(signum, on_signal) for signum in signals}
        try:
            yield
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
