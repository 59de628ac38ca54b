"""A real PostgreSQL server in a temporary folder, for the tests and benchmarks that need one.

Debian's `postgresql` package (installed by `make test`, scripts/install-postgresql.sh): `initdb`
into a fresh folder, `pg_ctl start` on 127.0.0.1 and a free port (its unix socket in the same
folder, never /var/run), trust authentication for the user `kb`, no fsync (a test server). As
root, PostgreSQL refuses to run, so the server runs as the `postgres` user (or `nobody`).

    with TempPostgres() as server:
        url = server.create_database("t1")     # postgresql://kb@127.0.0.1:PORT/t1
        server.stop(); server.start()          # the database away, and back
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def find_bindir() -> Path | None:
    """The folder of initdb and pg_ctl: Debian's newest /usr/lib/postgresql/N/bin, or the PATH's."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    return Path(on_path).parent if on_path else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class TempPostgres:
    """One throw-away PostgreSQL server; a context manager that removes it afterwards."""

    def __init__(self, bindir: Path | None = None) -> None:
        bindir = bindir or find_bindir()
        if bindir is None:
            raise RuntimeError("PostgreSQL is not installed (no initdb); run `make test` or scripts/install-postgresql.sh")
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="kb-postgres-"))
        self.data, self.sockets = self.root / "data", self.root / "run"
        self.port = _free_port()
        self.user = _unprivileged_user() if os.geteuid() == 0 else None
        self.sockets.mkdir()
        if self.user:
            for folder in (self.root, self.sockets):
                shutil.chown(folder, self.user, self.user)
        self._run("initdb", "-D", str(self.data), "-U", "kb", "--auth=trust", "-E", "UTF8", "--no-sync",
                  "--no-instructions")
        self.start()

    @property
    def url(self) -> str:
        return self.url_of("postgres")

    def url_of(self, database: str) -> str:
        return f"postgresql://kb@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"), "-w", "-o",
                  f"-h 127.0.0.1 -p {self.port} -k {self.sockets} -c fsync=off -c synchronous_commit=off "
                  "-c full_page_writes=off -c max_connections=200", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def create_database(self, name: str) -> str:
        self.sql(f'CREATE DATABASE "{name}"')
        return self.url_of(name)

    def sql(self, statement: str, database: str = "postgres") -> str:
        """Run one statement with psql; its output (unaligned, tuples only)."""
        return self._run("psql", "-X", "-q", "-A", "-t", "-h", "127.0.0.1", "-p", str(self.port), "-U", "kb",
                         "-d", database, "-c", statement)

    def close(self) -> None:
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass  # already stopped
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> TempPostgres:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _run(self, program: str, *args: str) -> str:
        command = [str(self.bindir / program), *args]
        if self.user:
            command = ["setpriv", f"--reuid={self.user}", f"--regid={self.user}", "--init-groups", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, cwd=self.root, check=False)
        if done.returncode:
            raise subprocess.CalledProcessError(done.returncode, command, done.stdout, done.stderr)
        return done.stdout


def _unprivileged_user() -> str:
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise RuntimeError("running as root, and there is neither a `postgres` nor a `nobody` user to run PostgreSQL as")
