"""The WSGI app of `kb serve`: /api/* answers from the search library, /report is the activity
report, every other path is a file of the built site.

  create_app(site_dir, index_dir, docs_dir=, activity=, allowed_hosts=, listen_host=)
                                                          the app, once the site and index are built,
                                                          behind the Host allow-list and the security
                                                          headers (kb_tools.desk.guard)
  check_built(site_dir, index_dir)                        KBError saying what to run when they are not
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kb_tools.desk.api import Api
from kb_tools.desk.guard import Guard
from kb_tools.desk.guard import allowed_hosts as hosts_allowed
from kb_tools.desk.params import ApiError, query_params
from kb_tools.desk.searchers import SearcherPool
from kb_tools.desk.static_files import serve_static
from kb_tools.desk.wsgi import StartResponse, status_line
from kb_tools.errors import IndexMissingError, KBError
from kb_tools.measure.activity import ActivityLog, spool_location
from kb_tools.measure.report_page import ReportPage, report_error_page
from kb_tools.search import index_exists

# A private page (queries, comments): never kept by a shared cache, and it may load nothing.
REPORT_HEADERS = [("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-store"),
                  ("X-Content-Type-Options", "nosniff"),
                  ("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")]


class KBApp:
    """The WSGI app of `kb serve`."""

    def __init__(self, site_dir: Path, searchers: SearcherPool, *, activity: ActivityLog | None = None,
                 docs_dir: Path | None = None) -> None:
        self.site_dir = Path(site_dir).resolve()
        self.searchers = searchers
        self.activity = activity
        self.api = Api(searchers, activity, docs_dir)
        self.report = ReportPage(activity.path if activity else None, docs_dir, searchers.index_dir)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO") or "/"
        if path == "/api" or path.startswith("/api/"):
            return self.api(environ, path, start_response)
        if path in ("/report", "/report/"):
            return self._report_page(environ, start_response)
        return serve_static(self.site_dir, environ, start_response)

    def _report_page(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD")
        extra: list[tuple[str, str]] = []
        if method not in ("GET", "HEAD"):
            status, page, extra = 405, report_error_page("/report answers GET only"), [("Allow", "GET, HEAD")]
        else:
            try:
                with self.searchers.borrow() as searcher:
                    status, page = self.report.answer(query_params(environ.get("QUERY_STRING", "")),
                                                      searcher.generation.name)
            except ApiError as exc:  # too many parameters
                status, page = exc.status, report_error_page(exc.message)
            except IndexMissingError as exc:
                status, page = 503, report_error_page(str(exc))
        data = page.encode("utf-8")
        start_response(status_line(status), [*REPORT_HEADERS, ("Content-Length", str(len(data))), *extra])
        return [b"" if method == "HEAD" else data]


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

    `activity` is the activity log (a path or an ActivityLog) searches, clicks, feedback and hand-offs
    are recorded in; None records nothing. `docs_dir` feeds the content health part of /report and
    names the teams a hand-off may go to (its teams.yml).
    Requests must name a loopback host, `listen_host` or one of `allowed_hosts` (kb_tools.desk.guard).
    """
    check_built(Path(site_dir), Path(index_dir), docs_dir=Path(docs_dir))
    if activity is not None and not isinstance(activity, ActivityLog):
        activity = ActivityLog(activity, spool=spool_location(index_dir), prune=True)
    app = KBApp(Path(site_dir), SearcherPool(Path(index_dir)), activity=activity, docs_dir=Path(docs_dir))
    return Guard(app, hosts=hosts_allowed(listen_host, list(allowed_hosts)))  # every answer goes through it
