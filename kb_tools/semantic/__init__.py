"""Local sentence embeddings: all-MiniLM-L6-v2 on onnxruntime, fully offline.

    from kb_tools.semantic import Embedder
    vectors = Embedder.load().embed(["text", ...])   # (n, 384) float32, L2-normalised

`make setup` runs `python -m kb_tools.semantic.fetch`, which builds model.onnx from the
verified original weights (see fetch.py); `Embedder.load` checks its sha256 before using it.
"""

from __future__ import annotations

from kb_tools.semantic.embedder import Embedder
from kb_tools.semantic.store import ModelUnavailableError, model_dir

__all__ = ["Embedder", "ModelUnavailableError", "model_dir"]
