"""The files of a built site over WSGI: safe paths, content types, revalidation, the site's 404 page.

A URL path maps to a file only through its plain segments: `..` is refused, empty segments and
`.` are dropped (so `//etc/passwd` stays inside the site), dot-files are never served, and the
resolved file must still lie inside the site (no symlink leads out).
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterable
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path
from typing import Any

from kb_tools.desk.wsgi import StartResponse

CHUNK = 64 * 1024
NOT_FOUND_PAGE = "404.html"
# Types the platform's mime database may not know or may get wrong.
_TYPES = {".js": "text/javascript", ".mjs": "text/javascript", ".css": "text/css", ".json": "application/json",
          ".map": "application/json", ".svg": "image/svg+xml", ".woff2": "font/woff2", ".woff": "font/woff",
          ".webmanifest": "application/manifest+json", ".xml": "application/xml", ".txt": "text/plain",
          ".html": "text/html", ".ico": "image/x-icon", ".png": "image/png", ".gz": "application/gzip"}
_TEXT_TYPES = ("text/", "application/json", "application/xml", "application/manifest+json", "image/svg+xml")


def serve_static(site_dir: Path, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    """Answer a GET or HEAD for a file of the site in `site_dir` (already resolved)."""
    method = environ.get("REQUEST_METHOD", "GET")
    if method not in ("GET", "HEAD"):
        return _plain(start_response, "405 Method Not Allowed", "Only GET and HEAD.\n", method,
                      [("Allow", "GET, HEAD")])
    # WSGI gives the decoded path as latin-1 characters of the raw bytes; the site's names are UTF-8.
    path = (environ.get("PATH_INFO") or "/").encode("latin-1", "replace").decode("utf-8", "replace")
    segments = [s for s in path.split("/") if s not in ("", ".")]
    if ".." in segments or any("\x00" in s or "\\" in s for s in segments):
        return _plain(start_response, "400 Bad Request", "Bad path.\n", method)
    if any(s.startswith(".") for s in segments):
        return _not_found(site_dir, start_response, method)
    target = site_dir.joinpath(*segments).resolve()
    if not target.is_relative_to(site_dir):
        return _not_found(site_dir, start_response, method)
    if target.is_dir():
        if not path.endswith("/"):
            # Pages link their assets relatively, so a folder's URL must end with a slash.
            query = environ.get("QUERY_STRING", "")
            location = "/" + "".join(f"{s}/" for s in segments) + (f"?{query}" if query else "")
            return _plain(start_response, "301 Moved Permanently", "Moved.\n", method, [("Location", location)])
        target = target / "index.html"
    if not target.is_file():
        return _not_found(site_dir, start_response, method)
    return _file(target, environ, start_response, method)


def content_type(path: Path) -> str:
    """The Content-Type header of a file, with a charset for text."""
    kind = _TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"{kind}; charset=utf-8" if kind.startswith(_TEXT_TYPES) else kind


def _file(target: Path, environ: dict[str, Any], start_response: StartResponse, method: str,
          status: str = "200 OK") -> Iterable[bytes]:
    stat = target.stat()
    etag = f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'
    headers = [("Content-Type", content_type(target)), ("X-Content-Type-Options", "nosniff"),
               ("ETag", etag), ("Last-Modified", formatdate(stat.st_mtime, usegmt=True)),
               # Revalidate every time: a rebuilt site must show at once, and a 304 is cheap.
               ("Cache-Control", "no-cache")]
    if status.startswith("200") and _is_fresh(environ, etag, stat.st_mtime):
        start_response("304 Not Modified", headers)
        return [b""]
    headers.append(("Content-Length", str(stat.st_size)))
    start_response(status, headers)
    if method == "HEAD":
        return [b""]
    handle = open(target, "rb")  # noqa: SIM115 - the server closes it once the body is sent
    wrapper = environ.get("wsgi.file_wrapper")
    return wrapper(handle, CHUNK) if wrapper else _chunks(handle)


def _is_fresh(environ: dict[str, Any], etag: str, mtime: float) -> bool:
    """True when the client's cached copy (If-None-Match, else If-Modified-Since) is current."""
    matches = environ.get("HTTP_IF_NONE_MATCH")
    if matches is not None:
        return any(tag.strip() in (etag, f"W/{etag}", "*") for tag in matches.split(","))
    since = environ.get("HTTP_IF_MODIFIED_SINCE")
    if not since:
        return False
    try:
        return int(mtime) <= parsedate_to_datetime(since).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return False


def _chunks(handle: Any) -> Iterable[bytes]:
    with handle:
        while chunk := handle.read(CHUNK):
            yield chunk


def _not_found(site_dir: Path, start_response: StartResponse, method: str) -> Iterable[bytes]:
    page = site_dir / NOT_FOUND_PAGE
    if page.is_file():
        return _file(page, {}, start_response, method, status="404 Not Found")
    return _plain(start_response, "404 Not Found", "Not found.\n", method)


def _plain(start_response: StartResponse, status: str, text: str, method: str,
           extra: list[tuple[str, str]] | None = None) -> Iterable[bytes]:
    data = text.encode("utf-8")
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(data))),
                            ("X-Content-Type-Options", "nosniff"), *(extra or [])])
    return [b"" if method == "HEAD" else data]

