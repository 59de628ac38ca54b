"""Writing content files safely: never half a file, whatever interrupts the write."""

from __future__ import annotations

import os
from pathlib import Path


def replace_file(path: Path, data: bytes) -> None:
    """Write beside the file, then rename over it: readers see the old file or the new one, never a mix."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.kb-tmp")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
