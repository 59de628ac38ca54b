"""The process's one embedding model, shared by every build and searcher, and loadable ahead of use.

A cold hybrid `kb search` spends longer importing and opening the index than loading the model
(reading, hashing and opening 35 MB); `load_in_background` lets the two overlap on a second core,
since hashing, reading and building the session run mostly outside Python's lock.
"""

from __future__ import annotations

import threading
from typing import Any

_lock = threading.Lock()
_model: tuple[Any, str | None] | None = None
_loading: threading.Thread | None = None


def shared_embedder() -> tuple[Any, str | None]:
    """The embedding model (loaded once, however many builds and searchers use it), or None and
    why it is unavailable. Waits for a load already under way."""
    global _model
    with _lock:
        if _model is None:
            from kb_tools.semantic import Embedder, ModelUnavailableError

            try:
                _model = (Embedder.load(), None)
            except ModelUnavailableError as exc:
                _model = (None, str(exc))
        return _model


def load_in_background() -> None:
    """Start loading the model on another thread, once; `shared_embedder` then waits for it."""
    global _loading
    if _loading is None and _model is None:
        # Not a daemon: a process ending while onnxruntime builds its session aborts ("terminate called
        # without an active exception", exit -6), so exit waits for the load (a lexical-only index never asks).
        _loading = threading.Thread(target=shared_embedder, name="kb-model-load")
        _loading.start()
