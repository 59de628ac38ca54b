"""What `kb serve` answers at all, and what every answer carries: a WSGI layer around the app.

A desk on a shared network is reachable from any page open in an agent's browser. Two defences:

  Host allow-list   a request whose Host header names another host is refused (421): a page on
                    evil.example whose name is re-pointed at 127.0.0.1 (DNS rebinding) cannot read
                    /report or the API. Loopback names are allowed, plus the address the server
                    listens on and each `--allowed-host NAME` (the name agents type on a floor).
  Content-Security-Policy on every response: the site's own files, scripts and API only, no
                    frames around it (frame-ancestors 'none'). The theme's few inline scripts are
                    allowed by their sha256, computed from each HTML page as it is sent, so a
                    rebuilt site needs no configuration and an injected script runs nowhere.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from kb_tools.desk.wsgi import StartResponse, WsgiApp

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
MAX_SCANNED_HTML = 4_000_000  # a bigger page is sent as it is, with no inline script allowed
_INLINE_SCRIPT = re.compile(rb"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script\s*>", re.DOTALL | re.IGNORECASE)
_NOT_CODE = re.compile(rb"""\btype\s*=\s*["']?(?!text/javascript|module|application/javascript)""", re.IGNORECASE)
_SRC = re.compile(rb"\bsrc\s*=", re.IGNORECASE)
# The site loads only its own files (Material's icons are inline SVG or data: URLs in its CSS);
# style attributes stay allowed (the theme and Markdown extensions write them; no script runs in them).
PAGE_POLICY = ("default-src 'self'; script-src 'self'{scripts}; style-src 'self' 'unsafe-inline'; "
               "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self'; "
               "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
OTHER_POLICY = "default-src 'none'; frame-ancestors 'none'"  # JSON, scripts, images: nothing to run or frame
SECURITY_HEADERS = [("X-Frame-Options", "DENY"), ("Referrer-Policy", "same-origin")]


def allowed_hosts(listen_host: str, extra: Sequence[str] = ()) -> frozenset[str]:
    """The host names requests may name: loopback, the address listened on (unless it is every
    address), and `extra` (from --allowed-host)."""
    names = {*LOOPBACK_NAMES, *(name.strip().lower().strip("[]") for name in extra if name.strip())}
    if listen_host and listen_host not in ("0.0.0.0", "::", ""):
        names.add(listen_host.lower().strip("[]"))
    return frozenset(names)


def host_name(header: str) -> str:
    """The name in a Host header, without its port: "kb.local:8000" -> "kb.local", "[::1]:80" -> "::1"."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:].split("]", 1)[0]
    if header.count(":") > 1:  # a bare IPv6 address
        return header
    return header.rsplit(":", 1)[0] if ":" in header else header


class Guard:
    """Wraps a WSGI app: refuses other hosts' names, and adds the security headers to every answer."""

    def __init__(self, app: WsgiApp, *, hosts: frozenset[str] = frozenset(LOOPBACK_NAMES)) -> None:
        self.app = app
        self.hosts = hosts

    def is_allowed(self, header: str | None) -> bool:
        if not header:  # HTTP/1.0 without a Host header: no browser sends that, no name to rebind
            return True
        name = host_name(header)
        if name in self.hosts:
            return True
        try:
            return ipaddress.ip_address(name).is_loopback
        except ValueError:
            return False

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if not self.is_allowed(environ.get("HTTP_HOST")):
            return self._misdirected(environ, start_response)
        held: dict[str, Any] = {}

        def hold(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], Any]:
            held.update(status=status, headers=headers, exc_info=exc_info)
            return lambda data: None  # the old write() callable: the apps here never use it

        body = self.app(environ, hold)
        if "headers" not in held:  # an app that starts the response from its first chunk
            body = [_read_all(body)]
        headers: list[tuple[str, str]] = held["headers"]
        if held["status"].startswith("304"):  # the cached page keeps its own policy (a 304 would replace it)
            start_response(held["status"], headers, held["exc_info"])
            return body
        kind = next((value for name, value in headers if name.lower() == "content-type"), "")
        if kind.startswith("text/html") and environ.get("REQUEST_METHOD") != "HEAD":
            page = _read_all(body)
            policy = PAGE_POLICY.format(scripts=_script_hashes(page))
            start_response(held["status"], _secured(headers, policy), held["exc_info"])
            return [page]
        start_response(held["status"], _secured(headers, OTHER_POLICY if not kind.startswith("text/html")
                                                 else PAGE_POLICY.format(scripts="")), held["exc_info"])
        return body

    def _misdirected(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        name = host_name(str(environ.get("HTTP_HOST")))[:100]
        text = (f"This kb serve does not answer for the host name {name!r}. If agents reach it by that name, "
                f"start it with --allowed-host {name} (it answers for {', '.join(sorted(self.hosts))}).\n")
        data = text.encode("utf-8")
        start_response("421 Misdirected Request", _secured([("Content-Type", "text/plain; charset=utf-8"),
                                                            ("Content-Length", str(len(data))),
                                                            ("Cache-Control", "no-store")], OTHER_POLICY))
        return [b"" if environ.get("REQUEST_METHOD") == "HEAD" else data]


def _secured(headers: list[tuple[str, str]], policy: str) -> list[tuple[str, str]]:
    """`headers` with the policy (an app's own policy is kept, with frame-ancestors added) and the rest."""
    kept = [(name, value) for name, value in headers if name.lower() not in ("x-frame-options", "referrer-policy")]
    own = next((value for name, value in kept if name.lower() == "content-security-policy"), None)
    if own is None:
        kept.append(("Content-Security-Policy", policy))
    elif "frame-ancestors" not in own:
        kept = [(name, f"{value}; frame-ancestors 'none'" if name.lower() == "content-security-policy" else value)
                for name, value in kept]
    return [*kept, *SECURITY_HEADERS]


def _read_all(body: Iterable[bytes]) -> bytes:
    try:
        return b"".join(body)
    finally:
        close = getattr(body, "close", None)
        if close is not None:
            close()


def _script_hashes(page: bytes) -> str:
    """" 'sha256-...'" for each inline script of the page that a browser would run."""
    if len(page) > MAX_SCANNED_HTML:
        return ""
    hashes = []
    for match in _INLINE_SCRIPT.finditer(page):
        attrs = match.group("attrs")
        if _SRC.search(attrs) or _NOT_CODE.search(attrs):
            continue
        digest = base64.b64encode(hashlib.sha256(match.group("body")).digest()).decode()
        hashes.append(f" 'sha256-{digest}'")
    return "".join(dict.fromkeys(hashes))
