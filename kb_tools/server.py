"""`kb serve`: the built site and a JSON API over the search index, in one WSGI app.

  create_app(site_dir, index_dir)  a WSGI app: /api/* answers from the search library, every
                                   other path is a file of the built site
  Server(app, host=, port=, ...)   runs the app under waitress (bounded worker threads, idle and
                                   slow clients timed out) until Ctrl-C, SIGTERM or `stop()`, then
                                   stops listening and lets the requests in flight finish

The API (GET or HEAD; JSON; `Cache-Control: no-store`; errors are {"error": "..."}):
  /api/search?q=&depth=&product=&limit=   the results of `kb search --json`
  /api/suggest?q=&limit=                  [{"title", "url", "path"}] for the words typed so far
  /api/steps?article=&depth=              the steps of `kb steps --json`
  /api/health                             {"status", "generation", "articles", "index"}
Unknown parameters are ignored; invalid values give 400, a missing article 404, another method
405, an unreadable index 503. Only `snippet` in the results is HTML (escaped text plus <mark>).
"""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import json
import logging
import queue
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from .errors import IndexMissingError, KBError
from .search import Searcher, index_exists
from .search.analysis import MAX_QUERY_CHARS
from .search.steps import find_steps
from .search.suggest import suggest
from .static_files import serve_static

log = logging.getLogger(__name__)

StartResponse = Callable[..., Any]
DEPTHS = ("beginner", "expert")
MAX_LIMIT = 50
MAX_PARAMS = 50
REFRESH_EVERY = 1.0  # seconds between checks for a newer index generation
API_HEADERS = [("Content-Type", "application/json; charset=utf-8"), ("Cache-Control", "no-store"),
               ("X-Content-Type-Options", "nosniff")]
_REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed",
            500: "Internal Server Error", 503: "Service Unavailable"}


class ApiError(Exception):
    """An API request the server refuses: the status and a message for the caller."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class SearcherPool:
    """Searchers lent to one request at a time, each on the live index generation.

    A Whoosh searcher must not be shared between threads (reading postings is a seek then a read
    on one file object), so each request borrows its own; there are never more than the server
    has worker threads. One borrower a second re-reads the live generation; the others follow it.
    """

    def __init__(self, index_dir: Path, *, refresh_every: float = REFRESH_EVERY) -> None:
        self.index_dir = Path(index_dir)
        self._idle: queue.LifoQueue[Searcher] = queue.LifoQueue()
        self._lock = threading.Lock()
        self._refresh_every = refresh_every
        self._next_check = time.monotonic() + refresh_every
        first = Searcher(self.index_dir)  # fails early, with kb's message, when there is no index
        self._live = first.generation.name
        self._idle.put(first)

    @contextlib.contextmanager
    def borrow(self) -> Iterator[Searcher]:
        try:
            searcher = self._idle.get_nowait()
        except queue.Empty:
            searcher = Searcher(self.index_dir)
        try:
            self._follow_live_generation(searcher)
            yield searcher
        finally:
            self._idle.put(searcher)

    def _follow_live_generation(self, searcher: Searcher) -> None:
        now = time.monotonic()
        with self._lock:
            check = now >= self._next_check
            if check:
                self._next_check = now + self._refresh_every
        if not check and searcher.generation.name == self._live:
            return
        try:
            searcher.refresh()
        except IndexMissingError as exc:
            # A half-copied or deleted index must not take the desk down: keep answering from
            # the generation already open and say why in the log.
            log.warning("kb serve: still serving %s: %s", searcher.generation.name, exc)
            return
        with self._lock:
            self._live = searcher.generation.name


class KBApp:
    """The WSGI app of `kb serve`."""

    def __init__(self, site_dir: Path, searchers: SearcherPool) -> None:
        self.site_dir = Path(site_dir).resolve()
        self.searchers = searchers
        self._routes: dict[str, Callable[[Searcher, dict[str, str]], Any]] = {
            "/api/search": self._search, "/api/suggest": self._suggest,
            "/api/steps": self._steps, "/api/health": self._health,
        }

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO") or "/"
        if path == "/api" or path.startswith("/api/"):
            return self._api(environ, path, start_response)
        return serve_static(self.site_dir, environ, start_response)

    # --- the API ------------------------------------------------------------------------------
    def _api(self, environ: dict[str, Any], path: str, start_response: StartResponse) -> Iterable[bytes]:
        extra: list[tuple[str, str]] = []
        try:
            route = self._routes.get(path)
            if route is None:
                raise ApiError(404, f"no such API endpoint: {path[:100]}")
            if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
                extra.append(("Allow", "GET, HEAD"))
                raise ApiError(405, f"{path} answers GET only")
            params = _params(environ.get("QUERY_STRING", ""))
            with self.searchers.borrow() as searcher:
                status, body = 200, route(searcher, params)
        except ApiError as exc:
            status, body = exc.status, {"error": exc.message}
        except IndexMissingError as exc:
            status, body = 503, {"error": str(exc)}
        except Exception:  # noqa: BLE001 - the one boundary where a bug becomes a 500, never a traceback sent out
            log.exception("kb serve: error answering %s", path)
            status, body = 500, {"error": "internal error; the server log has the details"}
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        headers = [*API_HEADERS, ("Content-Length", str(len(data))), *extra]
        start_response(f"{status} {_REASONS[status]}", headers)
        return [b"" if environ.get("REQUEST_METHOD") == "HEAD" else data]

    def _search(self, searcher: Searcher, params: dict[str, str]) -> Any:
        results = searcher.search(_text(params, "q"), depth=_depth(params), product=_text(params, "product") or None,
                                  limit=_limit(params, default=10))
        return results.to_dict()

    def _suggest(self, searcher: Searcher, params: dict[str, str]) -> Any:
        return [s.to_dict() for s in suggest(searcher, _text(params, "q"), limit=_limit(params, default=8))]

    def _steps(self, searcher: Searcher, params: dict[str, str]) -> Any:
        article = _text(params, "article").strip()
        if not article:
            raise ApiError(400, "article is required: an article path (as in search results) or the caller's words")
        try:
            found = find_steps(searcher, article, depth=_depth(params) or "beginner")
        except IndexMissingError:
            raise
        except KBError as exc:  # no article matches
            raise ApiError(404, str(exc)) from None
        return found.to_dict()

    def _health(self, searcher: Searcher, params: dict[str, str]) -> Any:
        return {"status": "ok", "generation": searcher.generation.name, "articles": searcher.article_count(),
                "index": str(self.searchers.index_dir.resolve())}


def _params(query_string: str) -> dict[str, str]:
    """The query parameters; the first value wins when a name repeats."""
    # WSGI hands the raw bytes over as latin-1; the browser sent UTF-8.
    text = query_string.encode("latin-1", "replace").decode("utf-8", "replace")
    try:
        pairs = parse_qsl(text, keep_blank_values=True, errors="replace", max_num_fields=MAX_PARAMS)
    except ValueError:
        raise ApiError(400, f"too many query parameters (at most {MAX_PARAMS})") from None
    params: dict[str, str] = {}
    for name, value in pairs:
        params.setdefault(name, value)
    return params


def _text(params: dict[str, str], name: str) -> str:
    """A text parameter, cut to the search module's query limit."""
    return params.get(name, "")[:MAX_QUERY_CHARS]


def _depth(params: dict[str, str]) -> str | None:
    depth = params.get("depth", "")
    if depth and depth not in DEPTHS:
        raise ApiError(400, f"depth must be beginner or expert, not {depth[:40]!r}")
    return depth or None


def _limit(params: dict[str, str], *, default: int) -> int:
    raw = params.get("limit", "")
    if not raw:
        return default
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise ApiError(400, f"limit must be a whole number from 1 to {MAX_LIMIT}, not {raw[:40]!r}")
    return int(raw)


def check_built(site_dir: Path, index_dir: Path, *, docs_dir: Path = Path("docs")) -> None:
    """Raise KBError, saying what to run, when the site or the index of `docs_dir` is not built."""
    if not (site_dir / "index.html").is_file():
        raise KBError(f"no built site in {site_dir} ({site_dir / 'index.html'} is missing); "
                      f"build it with `mkdocs build --site-dir {site_dir}` (or `make site`).")
    if not index_exists(index_dir):
        raise KBError(f"no search index in {index_dir}; build it with `kb index {docs_dir} --index {index_dir}`.")


def create_app(site_dir: Path | str, index_dir: Path | str, *, docs_dir: Path | str = "docs") -> KBApp:
    """The WSGI app serving the site in `site_dir` and the API over the index in `index_dir`."""
    check_built(Path(site_dir), Path(index_dir), docs_dir=Path(docs_dir))
    return KBApp(Path(site_dir), SearcherPool(Path(index_dir)))


def is_loopback(host: str) -> bool:
    """True when `host` is reachable from this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


# --- the server -----------------------------------------------------------------------------------
CHANNEL_TIMEOUT = 30  # seconds a connection may sit idle, or trickle in a request, before it is closed
GRACE = 10.0  # seconds requests in flight get to finish after Ctrl-C or SIGTERM
_LOOP_TICK = 0.25  # how often the loop notices a stop


class Server:
    """A bound server: `run()` answers requests until `stop()`, Ctrl-C or SIGTERM, then drains."""

    def __init__(self, app: Callable[..., Iterable[bytes]], *, host: str = "127.0.0.1", port: int = 8000,
                 threads: int = 4, channel_timeout: int = CHANNEL_TIMEOUT) -> None:
        from waitress.server import BaseWSGIServer, create_server

        self._map: dict[int, Any] = {}
        self._stopping = threading.Event()
        # Bound here, before waitress starts any thread, so a busy port leaves nothing behind.
        listening = _bind(host, port)
        create_server(app, map=self._map, sockets=[listening], threads=threads, ident="kb",
                      channel_timeout=channel_timeout, cleanup_interval=max(1, min(channel_timeout, 30)),
                      connection_limit=max(100, threads * 25), asyncore_use_poll=True,
                      max_request_header_size=64 * 1024, max_request_body_size=64 * 1024)
        self._listeners = [d for d in self._map.values() if isinstance(d, BaseWSGIServer)]
        self.addresses = [(d.effective_host, int(d.effective_port)) for d in self._listeners]

    @property
    def url(self) -> str:
        host, port = self.addresses[0]
        return f"http://{f'[{host}]' if ':' in str(host) else host}:{port}"

    def run(self, *, grace: float = GRACE) -> None:
        """Serve until stopped; then stop listening and give requests in flight `grace` seconds."""
        from waitress import wasyncore

        with self._signals_stop():
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
    def _signals_stop(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield  # signals reach only the main thread; an embedding program calls stop()
            return

        def on_signal(signum: int, frame: Any) -> None:
            if self._stopping.is_set():
                raise KeyboardInterrupt  # a second Ctrl-C: stop now, without waiting
            log.info("Stopping: finishing the requests in flight (Ctrl-C again to stop at once)...")
            self._stopping.set()

        previous = {signum: signal.signal(signum, on_signal) for signum in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)


def _bind(host: str, port: int) -> socket.socket:
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                                             flags=socket.AI_PASSIVE)[0]
    except socket.gaierror:
        raise KBError(f"cannot serve on {host!r}: no such host name or address; "
                      "use an address of this machine, e.g. --host 127.0.0.1.") from None
    listening = socket.socket(family, kind, proto)
    try:
        listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # restart at once after a stop
        if family == socket.AF_INET6:
            listening.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        listening.bind(address)
    except OSError as exc:
        listening.close()
        raise KBError(_bind_message(exc, host, port)) from None
    return listening


def _bind_message(exc: OSError, host: str, port: int) -> str:
    where = f"{host}:{port}"
    if exc.errno == errno.EADDRINUSE:
        return (f"cannot serve on {where}: the port is already in use (another `kb serve`?); "
                f"stop the other server or pick another port, e.g. --port {port + 1}.")
    if exc.errno == errno.EACCES:
        return f"cannot serve on {where}: permission denied; ports below 1024 need root, pick e.g. --port 8000."
    if exc.errno == errno.EADDRNOTAVAIL:
        return f"cannot serve on {where}: {host} is not an address of this machine; e.g. --host 127.0.0.1."
    return f"cannot serve on {where}: {exc.strerror or exc}."
