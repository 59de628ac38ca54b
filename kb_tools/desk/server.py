"""`kb serve`: the built site, a JSON API over the search index and the report, in one WSGI app.

  create_app(site_dir, index_dir)  a WSGI app: /api/* answers from the search library, /report is
                                   the activity report, every other path is a file of the built site
  Server(app, host=, port=, ...)   runs the app under waitress (bounded worker threads, idle and
                                   slow clients timed out) until Ctrl-C, SIGTERM or `stop()`, then
                                   stops listening and lets the requests in flight finish

The API (GET or HEAD, and the POSTs below; JSON; `Cache-Control: no-store`; errors are {"error": "..."}):
  /api/search?q=&depth=&product=&limit=   the results of `kb search --json`
  /api/suggest?q=&limit=                  [{"title", "url", "path"}] for the words typed so far
  /api/steps?article=&depth=              the steps of `kb steps --json`
  /api/health                             {"status", "generation", "articles", "index", "activity_log",
                                           "process" (the id of the server process that answered)}
Unknown parameters are ignored; invalid values give 400, a missing article 404, another method
405, an unreadable index 503. Only `snippet` in the results is HTML (escaped text plus <mark>).

With an activity log (kb_tools.measure.activity), searches are recorded (the response names the record in
X-KB-Search-Id; the desk's X-KB-Session header groups a desk's searches), and the desk posts JSON:
  POST /api/feedback   an article's "Did this solve the caller's problem?" (kb_tools.measure.feedback) -> 201
  POST /api/click      a result opened from search `search` -> 201
  POST /api/handoff    a call handed to a team of docs/teams.yml (kb_tools.measure.handoffs) -> 201
Bodies over 4 KB give 413, a type other than JSON 415, invalid fields 400, more than the per-client
rate 429, a log that cannot be written 503; 202 while the log's database is away and the record
waits on this host (kb_tools.measure.log_spool). A search answers even when its record cannot be written.
"""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import json
import logging
import os
import queue
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from kb_tools.content.teams import Teams, load_teams
from kb_tools.desk.guard import Guard
from kb_tools.desk.guard import allowed_hosts as hosts_allowed
from kb_tools.desk.rate_limit import RateLimiter
from kb_tools.desk.static_files import serve_static
from kb_tools.errors import ConfigError, IndexMissingError, KBError
from kb_tools.measure.activity import ActivityLog, ActivityLogError, spool_location
from kb_tools.measure.feedback import (
    MAX_BODY,
    PayloadError,
    parse_click,
    parse_feedback,
    resolve_trail,
    session_id,
)
from kb_tools.measure.handoffs import parse_handoff
from kb_tools.measure.report_page import ReportPage, report_error_page
from kb_tools.search import Searcher, index_exists, storage
from kb_tools.search.analysis import MAX_QUERY_CHARS
from kb_tools.search.known_issues import pinned_issues
from kb_tools.search.steps import find_steps, stored_steps
from kb_tools.search.suggest import suggest

log = logging.getLogger(__name__)

StartResponse = Callable[..., Any]
DEPTHS = ("beginner", "expert")
MAX_LIMIT = 50
MAX_PARAMS = 50
REFRESH_EVERY = 1.0  # seconds between checks for a newer index generation
CHECK_EVERY = 10.0  # seconds between checksum checks of the live generation, for /api/health
API_HEADERS = [("Content-Type", "application/json; charset=utf-8"), ("Cache-Control", "no-store"),
               ("X-Content-Type-Options", "nosniff")]
_REASONS = {200: "OK", 201: "Created", 202: "Accepted", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed",
            413: "Content Too Large", 415: "Unsupported Media Type", 429: "Too Many Requests",
            500: "Internal Server Error", 503: "Service Unavailable"}
SESSION_HEADER = "HTTP_X_KB_SESSION"
# Writes per minute per desk (its session; an address when it sends none): posts, and the searches
# recorded in the log (a search over the limit still answers, unrecorded, so the log cannot be grown
# without bound). Behind one address (a floor's NAT) each desk has its own limit; the address as a
# whole gets PER_ADDRESS desks' worth, so inventing sessions does not lift the bound.
RATES = {"/api/feedback": 30, "/api/click": 120, "/api/search": 120, "/api/handoff": 30}
PER_ADDRESS = 100


class ApiError(Exception):
    """An API request the server refuses: the status and a message for the caller."""

    def __init__(self, status: int, message: str, headers: list[tuple[str, str]] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or []


@dataclass
class Request:
    """What a route gets: the query parameters, the body of a POST, the WSGI environ."""

    params: dict[str, str]
    environ: dict[str, Any]
    body: bytes = b""
    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)

    @property
    def session(self) -> str | None:
        return session_id(self.environ.get(SESSION_HEADER))


class SearcherPool:
    """Searchers lent to one request at a time, each on the live index generation.

    A Whoosh searcher must not be shared between threads (reading postings is a seek then a read
    on one file object), so each request borrows its own; there are never more than the server
    has worker threads. One borrower a second re-reads the live generation; the others follow it.

    A generation is checked against its manifest's checksums before it is used, and its arrays
    are then held in memory: bytes damaged on disk afterwards change no answer. A damaged new
    generation is not switched to (the one in memory keeps answering); with none good, requests
    get 503 naming the fix, and the pool tries again every second: no process dies of it.
    """

    def __init__(self, index_dir: Path, *, refresh_every: float = REFRESH_EVERY) -> None:
        self.index_dir = Path(index_dir)
        self._idle: queue.LifoQueue[Searcher] = queue.LifoQueue()
        self._lock = threading.Lock()
        self._refresh_every = refresh_every
        self._next_check = time.monotonic() + refresh_every
        self._live: str | None = None
        self.problem: str | None = None  # why the live generation on disk is not the one answering
        self._checked: tuple[float, str | None] = (0.0, None)
        try:
            self._idle.put(self._open())
        except IndexMissingError as exc:  # a worker started on a damaged index waits for a good one
            self.problem = str(exc)
            log.warning("kb serve: no search index to answer from: %s", exc)

    def _open(self) -> Searcher:
        """A searcher on the live generation, once its files match their checksums."""
        live = storage.open_generation(self.index_dir, verify=True)
        searcher = Searcher(self.index_dir)
        if searcher.generation.name != live.name:  # CURRENT moved on meanwhile: check that one too
            storage.open_generation(self.index_dir, verify=True)
        with self._lock:
            self._live, self.problem = searcher.generation.name, None
        return searcher

    @contextlib.contextmanager
    def borrow(self) -> Iterator[Searcher]:
        try:
            searcher = self._idle.get_nowait()
        except queue.Empty:
            searcher = self._new_searcher()
        try:
            self._follow_live_generation(searcher)
            cut_short = storage.size_problem(searcher.generation)
            if cut_short:  # Whoosh maps its segments: reading one cut short would kill this process
                raise IndexMissingError(f"the search index in {self.index_dir} is damaged "
                                        f"({searcher.generation.name}/{cut_short}); rebuild it with `kb index --rebuild`.")
            yield searcher
        finally:
            self._idle.put(searcher)

    def _new_searcher(self) -> Searcher:
        with self._lock:
            live, problem = self._live, self.problem
        if live is not None and storage.current_name(self.index_dir) == live:
            return Searcher(self.index_dir)  # the generation already checked (its arrays are shared)
        if live is None and problem is not None and time.monotonic() < self._next_check:
            raise IndexMissingError(problem)  # try the disk again once a second, not on every request
        with self._lock:
            self._next_check = time.monotonic() + self._refresh_every
        try:
            return self._open()
        except IndexMissingError as exc:
            with self._lock:
                self.problem = str(exc)
            raise

    def _follow_live_generation(self, searcher: Searcher) -> None:
        now = time.monotonic()
        with self._lock:
            check = now >= self._next_check
            if check:
                self._next_check = now + self._refresh_every
        if not check and searcher.generation.name == self._live:
            return
        if storage.current_name(self.index_dir) == searcher.generation.name:
            return
        try:
            storage.open_generation(self.index_dir, verify=True)  # a damaged new generation is never switched to
            searcher.refresh()
        except IndexMissingError as exc:
            # A half-copied, damaged or deleted index must not take the desk down: keep answering from
            # the generation already open and say why (in the log once, and in /api/health).
            if self.problem != str(exc):
                log.warning("kb serve: still serving %s: %s", searcher.generation.name, exc)
            with self._lock:
                self.problem = str(exc)
            return
        with self._lock:
            self._live, self.problem = searcher.generation.name, None

    def damage(self) -> str | None:
        """Why the index on disk is not sound, or None: its files' sizes at every call (a stat each),
        their checksums at most every CHECK_EVERY seconds (a read of every file)."""
        now = time.monotonic()
        with self._lock:
            checked_at, found = self._checked
        verify = now - checked_at >= CHECK_EVERY
        try:
            storage.open_generation(self.index_dir, verify=verify)
            found = None if verify else found
        except IndexMissingError as exc:
            found = str(exc)
        if verify or found:
            with self._lock:
                self._checked = (now if verify else checked_at, found)
        return found or self.problem


Route = Callable[[Searcher, Request], Any]


class KBApp:
    """The WSGI app of `kb serve`."""

    def __init__(self, site_dir: Path, searchers: SearcherPool, *, activity: ActivityLog | None = None,
                 docs_dir: Path | None = None) -> None:
        self.site_dir = Path(site_dir).resolve()
        self.searchers = searchers
        self.activity = activity
        self.report = ReportPage(activity.path if activity else None, docs_dir, searchers.index_dir)
        self.docs_dir = docs_dir
        self._routes: dict[str, tuple[str, Route]] = {
            "/api/search": ("GET", self._search), "/api/suggest": ("GET", self._suggest),
            "/api/steps": ("GET", self._steps), "/api/health": ("GET", self._health),
            "/api/feedback": ("POST", self._feedback), "/api/click": ("POST", self._click),
            "/api/handoff": ("POST", self._handoff),
        }
        self._limits = {path: RateLimiter(rate, shared=activity, name=path) for path, rate in RATES.items()}
        self._log_failing = False

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO") or "/"
        if path == "/api" or path.startswith("/api/"):
            return self._api(environ, path, start_response)
        if path in ("/report", "/report/"):
            return self._report_page(environ, start_response)
        return serve_static(self.site_dir, environ, start_response)

    # --- the API ------------------------------------------------------------------------------
    def _api(self, environ: dict[str, Any], path: str, start_response: StartResponse) -> Iterable[bytes]:
        extra: list[tuple[str, str]] = []
        request = Request({}, environ)
        try:
            method, route = self._route(environ, path)
            if method == "POST":
                request.body = self._post_body(environ, path)
            request.params = _params(environ.get("QUERY_STRING", ""))
            with self.searchers.borrow() as searcher:
                body = route(searcher, request)
            status, extra = request.status, request.headers
        except ApiError as exc:
            status, body, extra = exc.status, {"error": exc.message}, exc.headers
        except IndexMissingError as exc:
            status, body = 503, {"error": _without_path(str(exc), self.searchers.index_dir)}
            if path == "/api/health":
                body = {"status": "damaged", **body, "process": os.getpid()}
        except Exception:  # noqa: BLE001 - the one boundary where a bug becomes a 500, never a traceback sent out
            log.exception("kb serve: error answering %s", path)
            status, body = 500, {"error": "internal error; the server log has the details"}
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        headers = [*API_HEADERS, ("Content-Length", str(len(data))), *extra]
        start_response(f"{status} {_REASONS[status]}", headers)
        return [b"" if environ.get("REQUEST_METHOD") == "HEAD" else data]

    def _route(self, environ: dict[str, Any], path: str) -> tuple[str, Route]:
        found = self._routes.get(path)
        if found is None:
            raise ApiError(404, f"no such API endpoint: {path[:100]}")
        method, route = found
        allowed = ("GET", "HEAD") if method == "GET" else ("POST",)
        if environ.get("REQUEST_METHOD") not in allowed:
            raise ApiError(405, f"{path} answers {method} only", [("Allow", ", ".join(allowed))])
        return method, route

    def _post_body(self, environ: dict[str, Any], path: str) -> bytes:
        """The body of a POST, once the client is within its rate and the body is small JSON."""
        limiter = self._limits[path]
        wait = _client_wait(limiter, environ)
        if wait:
            raise ApiError(429, f"too many requests to {path} (at most {limiter.per_minute} a minute); "
                                f"try again in {wait} s", [("Retry-After", str(wait))])
        kind = str(environ.get("CONTENT_TYPE", "")).split(";")[0].strip().lower()
        if kind != "application/json":
            raise ApiError(415, f"send the body as JSON with Content-Type: application/json, not {kind[:60]!r}")
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            raise ApiError(400, "Content-Length must be a number") from None
        if length > MAX_BODY:
            raise ApiError(413, f"the body is {length} bytes; at most {MAX_BODY}")
        body = environ["wsgi.input"].read(length) if length else b""
        if not body:
            raise ApiError(400, "the body must be a JSON object")
        return body

    def _search(self, searcher: Searcher, request: Request) -> Any:
        params = request.params
        query, depth, product = _text(params, "q"), _depth(params), _text(params, "product") or None
        results = searcher.search(query, depth=depth, product=product, limit=_limit(params, default=10))
        if (self.activity is not None and query.strip() and request.environ.get("REQUEST_METHOD") == "GET"
                and not _client_wait(self._limits["/api/search"], request.environ)):
            search_id = self._write(lambda log: log.record_search(
                query, results=results.total, shown=[hit.path for hit in results.hits], source="api",
                filters={"depth": depth, "product": product}, session=request.session, as_you_type=True,
                confidence=results.confidence))
            if search_id is not None:
                request.headers.append(("X-KB-Search-Id", str(search_id)))
        answer = results.to_dict()
        answer["pinned"] = pinned_issues(searcher, query, product=product)  # open known issues it matches
        return answer

    def _write(self, record: Callable[[ActivityLog], Any]) -> Any:
        """`record(log)`, or None when the log cannot be written: the search answers anyway, and the
        server log says why once (and once more when writing works again)."""
        assert self.activity is not None
        try:
            written = record(self.activity)
        except ActivityLogError as exc:
            if not self._log_failing:
                log.warning("kb serve: searches are not being recorded: %s", exc)
            self._log_failing = True
            return None
        if self._log_failing:
            log.warning("kb serve: searches are recorded again in %s", self.activity.path)
            self._log_failing = False
        return written

    def _suggest(self, searcher: Searcher, request: Request) -> Any:
        params = request.params
        return [s.to_dict() for s in suggest(searcher, _text(params, "q"), limit=_limit(params, default=8))]

    def _steps(self, searcher: Searcher, request: Request) -> Any:
        params = request.params
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

    def _health(self, searcher: Searcher, request: Request) -> Any:
        # The index folder's name only: where it lies on the server is nobody's business.
        answer = {"status": "ok", "generation": searcher.generation.name, "articles": searcher.article_count(),
                  "index": self.searchers.index_dir.resolve().name,
                  "activity_log": self.activity.state() if self.activity else False, "process": os.getpid()}
        damage = self.searchers.damage()
        if damage:  # still answering from the generation in memory, checked when it was loaded
            answer.update(status="degraded", problem=_without_path(damage, self.searchers.index_dir))
        return answer

    def _feedback(self, searcher: Searcher, request: Request) -> Any:
        try:
            given = parse_feedback(request.body)
            trail = resolve_trail(given.trail, lambda article: stored_steps(searcher, article, given.depth))
        except PayloadError as exc:
            raise ApiError(400, str(exc)) from None
        path = _article_path(searcher, given.article)
        activity = self._activity_or_503()
        try:
            record_id = activity.record_feedback(path, helpful=given.helpful, reason=given.reason,
                                                 comment=given.comment, step=given.step, depth=given.depth,
                                                 via=given.via, session=request.session or given.session,
                                                 trail=trail)
        except ActivityLogError as exc:
            raise ApiError(503, f"the feedback was not saved: {exc}") from None
        if record_id is None:  # spooled on this host until the log's database answers again
            request.status = 202
            return {"article": path, "queued": True}
        request.status = 201
        return {"id": record_id, "article": path}

    def _handoff(self, searcher: Searcher, request: Request) -> Any:
        try:
            given = parse_handoff(request.body)
        except PayloadError as exc:
            raise ApiError(400, str(exc)) from None
        path = _article_path(searcher, given.article)
        teams = _teams(self.docs_dir)
        if teams.exists and teams.get(given.team) is None:
            raise ApiError(400, f"team must be a team of docs/teams.yml ({teams.ids()}), not {given.team!r}")
        activity = self._activity_or_503()
        try:
            record_id = activity.record_handoff(path, team=given.team, step=given.step, depth=given.depth,
                                                via=given.via, session=request.session or given.session)
        except ActivityLogError as exc:
            raise ApiError(503, f"the hand-off was not saved: {exc}") from None
        request.status = 202 if record_id is None else 201  # None: spooled until the log's database answers
        return {"article": path, "team": given.team, **({"queued": True} if record_id is None else {"id": record_id})}

    def _click(self, searcher: Searcher, request: Request) -> Any:
        try:
            given = parse_click(request.body)
        except PayloadError as exc:
            raise ApiError(400, str(exc)) from None
        path = _article_path(searcher, given.article)
        activity = self._activity_or_503()
        try:
            recorded = activity.record_click(given.search, path, rank=given.rank)
        except ActivityLogError as exc:
            raise ApiError(503, f"the click was not saved: {exc}") from None
        if recorded is None:  # spooled on this host until the log's database answers again
            request.status = 202
            return {"search": given.search, "article": path, "queued": True}
        if not recorded:
            raise ApiError(400, f"search must be the X-KB-Search-Id of a search; there is no search {given.search}")
        request.status = 201
        return {"search": given.search, "article": path}

    def _activity_or_503(self) -> ActivityLog:
        if self.activity is None:
            raise ApiError(503, "this server keeps no activity log (it runs with --no-log or KB_LOG=off)")
        return self.activity

    # --- the report page ------------------------------------------------------------------------
    def _report_page(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD")
        if method not in ("GET", "HEAD"):
            status, page, extra = 405, report_error_page("/report answers GET only"), [("Allow", "GET, HEAD")]
        else:
            try:
                with self.searchers.borrow() as searcher:
                    status, page = self.report.answer(_params(environ.get("QUERY_STRING", "")),
                                                      searcher.generation.name)
            except ApiError as exc:  # too many parameters
                status, page = exc.status, report_error_page(exc.message)
            except IndexMissingError as exc:
                status, page = 503, report_error_page(str(exc))
            extra = []
        data = page.encode("utf-8")
        # A private page (queries, comments): never kept by a shared cache, and it may load nothing.
        headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(data))),
                   ("Cache-Control", "no-store"), ("X-Content-Type-Options", "nosniff"),
                   ("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'"), *extra]
        start_response(f"{status} {_REASONS[status]}", headers)
        return [b"" if method == "HEAD" else data]


def _client_wait(limiter: RateLimiter, environ: dict[str, Any]) -> int:
    """0 when the desk (and its address) may write once more, the event counted; else seconds to wait."""
    address = str(environ.get("REMOTE_ADDR", ""))
    session = session_id(environ.get(SESSION_HEADER))
    desk = ("desk", address, session) if session else ("address", address)
    return limiter.retry_after((desk, limiter.per_minute), (("floor", address), limiter.per_minute * PER_ADDRESS))


def _teams(docs_dir: Path | None) -> Teams:
    """The teams of docs/teams.yml, read as each hand-off arrives (rare; always current); none when unreadable."""
    try:
        return load_teams(docs_dir) if docs_dir is not None and docs_dir.is_dir() else Teams()
    except ConfigError:
        return Teams()


def _without_path(message: str, index_dir: Path) -> str:
    """A message for clients, with the index folder named but not where it lies."""
    return message.replace(str(index_dir.resolve()), index_dir.resolve().name).replace(str(index_dir), index_dir.name)


def _article_path(searcher: Searcher, given: str) -> str:
    """The article path (as in search results) of an article path or page URL the desk sent."""
    stem = given.split("#")[0].split("?")[0].strip("/").removesuffix(".html")
    candidates = [stem] if stem.endswith(".md") else [f"{stem}.md", f"{stem}/index.md", f"{stem}/README.md"]
    for candidate in candidates:
        if searcher.article(candidate.lstrip("/")) is not None:
            return candidate
    raise ApiError(400, f"article must be an article of the index (a path from the search results or its "
                        f"page URL), not {given[:100]!r}")


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


def create_app(site_dir: Path | str, index_dir: Path | str, *, docs_dir: Path | str = "docs",
               activity: ActivityLog | Path | str | None = None, allowed_hosts: Iterable[str] = (),
               listen_host: str = "127.0.0.1") -> Guard:
    """The WSGI app serving the site in `site_dir` and the API over the index in `index_dir`.

    `activity` is the activity log (a path or an ActivityLog) searches, clicks and feedback are
    recorded in; None records nothing. `docs_dir` feeds the content health part of /report.
    Requests must name a loopback host, `listen_host` or one of `allowed_hosts` (kb_tools.desk.guard).
    """
    check_built(Path(site_dir), Path(index_dir), docs_dir=Path(docs_dir))
    if activity is not None and not isinstance(activity, ActivityLog):
        activity = ActivityLog(activity, spool=spool_location(index_dir), prune=True)
    app = KBApp(Path(site_dir), SearcherPool(Path(index_dir)), activity=activity, docs_dir=Path(docs_dir))
    return Guard(app, hosts=hosts_allowed(listen_host, list(allowed_hosts)))  # every answer goes through it


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
_LOOP_TICK = 0.05  # how often the loop notices a stop, or that it may accept connections again


class Server:
    """A bound server: `run()` answers requests until `stop()`, Ctrl-C or SIGTERM, then drains."""

    def __init__(self, app: Callable[..., Iterable[bytes]], *, host: str = "127.0.0.1", port: int = 8000,
                 threads: int = 4, channel_timeout: int = CHANNEL_TIMEOUT,
                 listening: socket.socket | None = None, accept_while: Callable[[int], bool] | None = None) -> None:
        """Listen on `host`:`port`, or on `listening`, a socket already bound (shared by workers).

        `accept_while(open connections)` says whether to take new connections now (the workers'
        balance); without it, every connection is taken as it comes."""
        from waitress.channel import HTTPChannel
        from waitress.server import BaseWSGIServer, create_server

        self._map: dict[int, Any] = {}
        self._stopping = threading.Event()
        # Bound here, before waitress starts any thread, so a busy port leaves nothing behind.
        listening = listening or bind(host, port)
        create_server(app, map=self._map, sockets=[listening], threads=threads, ident="kb",
                      channel_timeout=channel_timeout, cleanup_interval=max(1, min(channel_timeout, 30)),
                      connection_limit=max(100, threads * 25), asyncore_use_poll=True,
                      max_request_header_size=64 * 1024, max_request_body_size=64 * 1024)
        self._listeners = [d for d in self._map.values() if isinstance(d, BaseWSGIServer)]
        if accept_while is not None:
            for listener in self._listeners:
                # Asked by the loop before every wait: False leaves the listening socket out of it.
                takes = listener.readable
                listener.readable = lambda takes=takes: takes() and accept_while(
                    sum(isinstance(d, HTTPChannel) for d in list(self._map.values())))
        self.addresses = [(d.effective_host, int(d.effective_port)) for d in self._listeners]

    @property
    def url(self) -> str:
        return url_of(self._listeners[0].socket)

    def run(self, *, grace: float = GRACE, signals: tuple[int, ...] = (signal.SIGINT, signal.SIGTERM)) -> None:
        """Serve until stopped (`stop()` or one of `signals`; a second one stops at once); then stop
        listening and give requests in flight `grace` seconds."""
        from waitress import wasyncore

        with self._signals_stop(signals):
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


def url_of(listening: socket.socket) -> str:
    """The http:// address of a bound socket."""
    host, port = listening.getsockname()[:2]
    return f"http://{f'[{host}]' if ':' in str(host) else host}:{port}"


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on `host`:`port`; KBError saying what to do when that is not possible."""
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
