"""`kb serve --workers N`: several server processes answering on one port.

A search holds Python's global interpreter lock while it ranks, so one process answers from one
core however many threads it has. The parent binds the port once (a busy port is one clear
message), then forks N workers that each run a `Server` on that shared listening socket. The
parent only watches: a worker that dies is replaced, and Ctrl-C or SIGTERM is passed on to every
worker, which finish their requests in flight (a second Ctrl-C stops them at once).

Connections are kept open (HTTP keep-alive; a load balancer keeps a few to each host), so who
accepts them decides who does the work. Left to the kernel, 8 connections split 8-0 or 5-3 as
often as 4-4, and one core idles. So the workers share their counts of open connections, and only
the ones with the fewest accept new connections.
"""

from __future__ import annotations

import logging
import mmap
import os
import signal
import socket
import struct
import time
from collections.abc import Callable

from kb_tools.errors import KBError

log = logging.getLogger(__name__)

_WATCH_TICK = 0.2  # seconds between the parent's looks at its workers
_DIED_YOUNG = 5.0  # a worker that exits with an error this soon after starting could not start: not restarted
_RESTART_AFTER = 1.0  # seconds a replaced worker has lived at least, before its replacement starts


AcceptWhile = Callable[[int], bool]  # given its open connections, may this worker accept another?


class ConnectionCounts:
    """Each worker's number of open connections, in memory the forked workers share."""

    _GONE = 1 << 62  # the count of a dead worker's slot: never the fewest

    def __init__(self, workers: int) -> None:
        self._shared = mmap.mmap(-1, 8 * workers)
        self._format = f"{workers}q"

    def accept_while(self, slot: int) -> AcceptWhile:
        """The accept rule of the worker in `slot`: it records its count, and accepts while no
        other worker has fewer open connections."""
        def may_accept(connections: int) -> bool:
            struct.pack_into("q", self._shared, 8 * slot, connections)
            return connections <= min(struct.unpack_from(self._format, self._shared))

        return may_accept

    def gone(self, slot: int) -> None:
        struct.pack_into("q", self._shared, 8 * slot, self._GONE)


class WorkerPool:
    """Forks `workers` processes, each calling `serve(listening, accept_while)`, and keeps them
    running until a stop."""

    def __init__(self, serve: Callable[[socket.socket, AcceptWhile], None], listening: socket.socket, *,
                 workers: int) -> None:
        if not hasattr(os, "fork"):
            raise KBError("--workers needs a system with fork() (Linux or macOS); run one `kb serve` per port instead.")
        self._serve = serve
        self._listening = listening
        self._wanted = workers
        self._counts = ConnectionCounts(workers)
        self._started: dict[int, tuple[float, int]] = {}  # pid -> when it started, its slot
        self._stop_signals = 0

    def run(self) -> int:
        """Serve until Ctrl-C or SIGTERM and every worker has stopped; the exit status for the CLI."""
        previous = {signum: signal.signal(signum, self._on_signal) for signum in (signal.SIGINT, signal.SIGTERM)}
        try:
            for slot in range(self._wanted):
                self._start_worker(slot)
            return self._watch()
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            self._listening.close()

    def _start_worker(self, slot: int) -> None:
        self._counts.accept_while(slot)(0)
        pid = os.fork()
        if pid:
            self._started[pid] = (time.monotonic(), slot)
            if self._stop_signals:  # the stop came while forking: this one was not told yet
                os.kill(pid, signal.SIGTERM)
            return
        # The worker: the parent passes Ctrl-C on as SIGTERM, so the terminal's own SIGINT to the
        # whole process group must not count twice.
        status = 1
        try:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            self._serve(self._listening, self._counts.accept_while(slot))
            status = 0
        except KBError as exc:  # e.g. the index was deleted since the parent checked it
            log.error("kb serve: worker %d cannot start: %s", os.getpid(), exc)
        except BaseException:  # noqa: BLE001 - a worker must never return into the parent's code
            log.exception("kb serve: worker %d failed", os.getpid())
        finally:
            os._exit(status)

    def _watch(self) -> int:
        status = 0
        while self._started:
            try:
                pid, code = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            except InterruptedError:
                continue
            if pid == 0:
                time.sleep(_WATCH_TICK)
                continue
            if pid not in self._started:
                continue
            started, slot = self._started.pop(pid)
            self._counts.gone(slot)
            if self._stop_signals:
                continue
            log.warning("kb serve: worker %d stopped unexpectedly (%s)", pid, _describe(code))
            age = time.monotonic() - started
            if age < _DIED_YOUNG and not os.WIFSIGNALED(code):
                # It could not start (its error is above): the next one would fail the same way.
                log.error("kb serve: it failed within %.0f s of starting; stopping the others too.", _DIED_YOUNG)
                status = 1
                self._stop_signals += 1
                self._signal_workers(signal.SIGTERM)
                continue
            time.sleep(max(0.0, _RESTART_AFTER - age))  # a worker killed over and over is not restarted in a loop
            self._start_worker(slot)
            log.info("kb serve: started worker %d in its place", max(self._started, key=self._started.__getitem__))
        return status

    def _on_signal(self, signum: int, frame: object) -> None:
        self._stop_signals += 1
        if self._stop_signals == 1:
            log.info("Stopping: the workers finish the requests in flight (Ctrl-C again to stop at once)...")
            self._listening.close()  # the workers close theirs: new connections are then refused, not queued
        self._signal_workers(signal.SIGTERM)  # a worker's second SIGTERM stops it at once

    def _signal_workers(self, signum: int) -> None:
        for pid in list(self._started):
            try:
                os.kill(pid, signum)
            except ProcessLookupError:
                pass


def _describe(code: int) -> str:
    if os.WIFSIGNALED(code):
        return f"killed by {signal.Signals(os.WTERMSIG(code)).name}"
    return f"exit status {os.waitstatus_to_exitcode(code)}"
