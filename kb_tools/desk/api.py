"""The desk's JSON API: /api/search, suggest, steps and health, and the POSTs that record activity.

  GET  /api/search?q=&depth=&product=&limit=   the results of `kb search --json`, with "pinned": the open
                                               known issues the query matches
  GET  /api/suggest?q=&limit=                  [{"title", "url", "path"}] for the words typed so far
  GET  /api/steps?article=&depth=              the steps of `kb steps --json`
  GET  /api/health                             {"status", "generation", "articles", "index", "activity_log",
                                                "process" (the id of the server process that answered)}
  POST /api/feedback   "Did this solve the caller's problem?" (kb_tools.measure.feedback)
  POST /api/click      a result opened from the search whose X-KB-Search-Id it names
  POST /api/handoff    a call handed to a team of docs/teams.yml (kb_tools.measure.handoffs)

Each route gets a searcher lent for the request and the checked `Request`; it returns what is sent
as JSON, or raises ApiError. Writes are rate-limited per desk and per address (`_client_wait`): a POST
over the limit gets 429, a search over it answers unrecorded. POSTs answer 201, or 202 while the
log's database is away and the record waits on this host (kb_tools.measure.log_spool). An index
that cannot be read gives 503 (/api/health: "damaged"); messages name the index folder, not its path.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from kb_tools.content.teams import Teams, load_teams
from kb_tools.desk.params import (
    SESSION_HEADER,
    ApiError,
    Request,
    depth_param,
    limit_param,
    query_params,
    text_param,
)
from kb_tools.desk.rate_limit import RateLimiter
from kb_tools.desk.searchers import SearcherPool
from kb_tools.desk.wsgi import StartResponse, status_line
from kb_tools.errors import ConfigError, IndexMissingError, KBError
from kb_tools.measure.activity import ActivityLog, ActivityLogError
from kb_tools.measure.feedback import ClickInput, FeedbackInput, parse_click, parse_feedback, resolve_trail
from kb_tools.measure.handoffs import HandoffInput, parse_handoff
from kb_tools.measure.payload import MAX_BODY, PayloadError, session_id
from kb_tools.search import Searcher
from kb_tools.search.known_issues import pinned_issues
from kb_tools.search.steps import find_steps, stored_steps
from kb_tools.search.suggest import suggest

log = logging.getLogger(__name__)

API_HEADERS = [("Content-Type", "application/json; charset=utf-8"), ("Cache-Control", "no-store"),
               ("X-Content-Type-Options", "nosniff")]
# Writes per minute per desk (its session; an address when it sends none): posts, and the searches
# recorded in the log (a search over the limit still answers, unrecorded, so the log cannot be grown
# without bound). Behind one address (a floor's NAT) each desk has its own limit; the address as a
# whole gets PER_ADDRESS desks' worth, so inventing sessions does not lift the bound.
RATES = {"/api/feedback": 30, "/api/click": 120, "/api/search": 120, "/api/handoff": 30}
PER_ADDRESS = 100

Route = Callable[[Searcher, Request], Any]
Posted = TypeVar("Posted", FeedbackInput, ClickInput, HandoffInput)


class Api:
    """Answers /api/* requests from the searchers, recording activity in `activity` (None: nothing);
    hand-offs name a team of `docs_dir`'s teams.yml."""

    def __init__(self, searchers: SearcherPool, activity: ActivityLog | None, docs_dir: Path | None = None) -> None:
        self.searchers = searchers
        self.activity = activity
        self.docs_dir = docs_dir
        self._routes: dict[str, tuple[str, Route]] = {
            "/api/search": ("GET", self._search), "/api/suggest": ("GET", self._suggest),
            "/api/steps": ("GET", self._steps), "/api/health": ("GET", self._health),
            "/api/feedback": ("POST", self._feedback), "/api/click": ("POST", self._click),
            "/api/handoff": ("POST", self._handoff),
        }
        self._limits = {path: RateLimiter(rate, shared=activity, name=path) for path, rate in RATES.items()}
        self._log_failing = False

    def __call__(self, environ: dict[str, Any], path: str, start_response: StartResponse) -> Iterable[bytes]:
        extra: list[tuple[str, str]] = []
        request = Request({}, environ)
        try:
            method, route = self._route(environ, path)
            if method == "POST":
                request.body = self._post_body(environ, path)
            request.params = query_params(environ.get("QUERY_STRING", ""))
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
        start_response(status_line(status), headers)
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

    # --- the routes ---------------------------------------------------------------------------------
    def _search(self, searcher: Searcher, request: Request) -> Any:
        params = request.params
        query, depth, product = text_param(params, "q"), depth_param(params), text_param(params, "product") or None
        results = searcher.search(query, depth=depth, product=product, limit=limit_param(params, default=10),
                                  typing=True)  # the desk searches as the agent types
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
        return [s.to_dict() for s in suggest(searcher, text_param(params, "q"), limit=limit_param(params, default=8))]

    def _steps(self, searcher: Searcher, request: Request) -> Any:
        params = request.params
        article = text_param(params, "article").strip()
        if not article:
            raise ApiError(400, "article is required: an article path (as in search results) or the caller's words")
        try:
            found = find_steps(searcher, article, depth=depth_param(params) or "beginner")
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
        given, path, activity = self._posted(searcher, request, parse_feedback)
        try:  # call mode's trail of answers, each checked against its article's steps graph
            trail = resolve_trail(given.trail, lambda article: stored_steps(searcher, article, given.depth))
        except PayloadError as exc:
            raise ApiError(400, str(exc)) from None
        return _saved(request, "feedback", {"article": path}, lambda: activity.record_feedback(
            path, helpful=given.helpful, reason=given.reason, comment=given.comment, step=given.step,
            depth=given.depth, via=given.via, session=request.session or given.session, trail=trail))

    def _click(self, searcher: Searcher, request: Request) -> Any:
        given, path, activity = self._posted(searcher, request, parse_click)

        def record() -> bool | None:
            recorded = activity.record_click(given.search, path, rank=given.rank)
            if recorded is False:
                raise ApiError(400, f"search must be the X-KB-Search-Id of a search; there is no search {given.search}")
            return recorded

        return _saved(request, "click", {"search": given.search, "article": path}, record)

    def _handoff(self, searcher: Searcher, request: Request) -> Any:
        given, path, activity = self._posted(searcher, request, parse_handoff)
        teams = _teams(self.docs_dir)
        if teams.exists and teams.get(given.team) is None:
            raise ApiError(400, f"team must be a team of docs/teams.yml ({teams.ids()}), not {given.team!r}")
        return _saved(request, "hand-off", {"article": path, "team": given.team}, lambda: activity.record_handoff(
            path, team=given.team, step=given.step, depth=given.depth, via=given.via,
            session=request.session or given.session))

    def _posted(self, searcher: Searcher, request: Request, parse: Callable[[bytes], Posted]
                ) -> tuple[Posted, str, ActivityLog]:
        """The POST's fields parsed by `parse`, its article's path, and the log to record it in."""
        try:
            given = parse(request.body)
        except PayloadError as exc:
            raise ApiError(400, str(exc)) from None
        path = _article_path(searcher, given.article)
        if self.activity is None:
            raise ApiError(503, "this server keeps no activity log (it runs with --no-log or KB_LOG=off)")
        return given, path, self.activity


def _saved(request: Request, what: str, answer: dict[str, Any], record: Callable[[], int | bool | None]) -> Any:
    """`answer` once `record()` has written the POST's record: 201 (with the record's id when it has
    one), or 202 while the record waits in this host's spool for the log's database; 503 on failure."""
    try:
        record_id = record()
    except ActivityLogError as exc:
        raise ApiError(503, f"the {what} was not saved: {exc}") from None
    if record_id is None:
        request.status = 202
        return {**answer, "queued": True}
    request.status = 201
    return answer if record_id is True else {"id": record_id, **answer}


def _teams(docs_dir: Path | None) -> Teams:
    """The teams of docs/teams.yml, read as each hand-off arrives (rare; always current); none when unreadable."""
    try:
        return load_teams(docs_dir) if docs_dir is not None and docs_dir.is_dir() else Teams()
    except ConfigError:
        return Teams()


def _client_wait(limiter: RateLimiter, environ: dict[str, Any]) -> int:
    """0 when the desk (and its address) may write once more, the event counted; else seconds to wait."""
    address = str(environ.get("REMOTE_ADDR", ""))
    session = session_id(environ.get(SESSION_HEADER))
    desk = ("desk", address, session) if session else ("address", address)
    return limiter.retry_after((desk, limiter.per_minute), (("floor", address), limiter.per_minute * PER_ADDRESS))


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
