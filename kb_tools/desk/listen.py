"""The listening socket of `kb serve`: bound once, with one clear line when that is not possible."""

from __future__ import annotations

import errno
import ipaddress
import socket

from kb_tools.errors import KBError


def bind(host: str, port: int) -> socket.socket:
    """A socket bound to `host`:`port` (not yet listening); KBError saying what to do when that is not possible."""
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


def url_of(listening: socket.socket) -> str:
    """The http:// address of a bound socket."""
    host, port = listening.getsockname()[:2]
    return f"http://{f'[{host}]' if ':' in str(host) else host}:{port}"


def is_loopback(host: str) -> bool:
    """True when `host` is reachable from this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


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
