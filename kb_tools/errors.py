"""The errors `kb_tools` raises for user mistakes; anything else is a bug and should traceback."""

from __future__ import annotations

from pathlib import Path


class KBError(Exception):
    """Base of every error a user can fix; the CLI prints it as one line, without a traceback."""


class ConfigError(KBError):
    """Raised by `config` when products.yml, mkdocs.yml or an option is invalid."""


class ContentError(KBError):
    """Raised when an article cannot be read at all; carries the file and line."""

    def __init__(self, path: Path | str, line: int, message: str) -> None:
        self.path = Path(path)
        self.line = line
        self.message = message
        super().__init__(f"{path}:{line}: {message}")


class IndexMissingError(KBError):
    """Raised when a search index is missing, corrupt or from an older version of kb."""


class IndexWriteError(KBError):
    """Raised by `kb index` when the new generation cannot be written (disk full); the previous one still serves."""


class IndexBusyError(KBError):
    """Raised when another `kb index` is already writing the same index."""


class ModelUnavailableError(KBError):
    """Raised by `semantic` when the embedding model is missing, altered, or cannot be fetched or built."""


class ActivityLogError(KBError):
    """Raised by the activity log when the log cannot be opened or written (full, locked, not a log)."""


class LogUnreachableError(ActivityLogError):
    """Raised by a database activity log that cannot be reached, or answers too slowly: records wait in the spool."""
