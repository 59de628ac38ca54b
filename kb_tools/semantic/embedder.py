"""Texts -> L2-normalised sentence vectors, with onnxruntime and tokenizers (no torch).

    texts -> tokenizer (truncate to 256 tokens) -> sort by length -> batches padded to their
    longest text -> ONNX encoder (mean pooling, L2 normalisation) -> vectors in the input order
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from kb_tools.semantic import store

if TYPE_CHECKING:  # imported for real inside load(), so importing this module stays cheap
    from onnxruntime import InferenceSession
    from tokenizers import Tokenizer


class Embedder:
    """all-MiniLM-L6-v2 sentence embeddings; load once with `Embedder.load`, then reuse."""

    dimensions = store.DIMENSIONS

    def __init__(self, session: InferenceSession, tokenizer: Tokenizer, *, one_text_per_run: bool = False,
                 threads: int = 2) -> None:
        self._session = session
        self._tokenizer = tokenizer
        self._one_text_per_run = one_text_per_run  # see store.Build
        self._threads = threads

    @classmethod
    def load(cls, model_dir: Path | None = None, *, threads: int = 2, build: store.Build | None = None) -> Embedder:
        """The embedder of the verified model in `model_dir` (default: store.model_dir()), as
        `build` (default: store.active_build(), int8 unless KB_MODEL_BUILD says otherwise).

        Raises ModelUnavailableError, saying what to run, when a file is missing or altered.
        """
        import onnxruntime
        from tokenizers import Tokenizer

        directory = model_dir or store.model_dir()
        tokenizer_json = store.read_verified(directory / store.TOKENIZER_FILE,
                                             store.UPSTREAM_SHA256["tokenizer.json"])
        build = build or store.active_build()
        model = store.read_verified(directory / build.file, build.sha256)
        tokenizer = Tokenizer.from_str(tokenizer_json.decode("utf-8"))
        # tokenizer.json itself says 128 and fixed padding; sentence-transformers uses 256, and
        # the batches are padded here, each to its own longest text.
        tokenizer.enable_truncation(store.MAX_TOKENS)
        tokenizer.no_padding()
        options = onnxruntime.SessionOptions()
        # A build that embeds one text per run keeps the cores busy with runs side by side (see
        # embed); a second thread inside each run would only oversubscribe them (1.2x slower).
        options.intra_op_num_threads = 1 if build.one_text_per_run else threads
        options.inter_op_num_threads = 1
        # Idle threads would otherwise spin for a while after each run, taking the other core from
        # the rest of the search (and from the other server workers).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        # Loading the bytes that were hashed means what runs is what was checked.
        session = onnxruntime.InferenceSession(model, options, providers=["CPUExecutionProvider"])
        return cls(session, tokenizer, one_text_per_run=build.one_text_per_run, threads=threads)

    def embed(self, texts: Sequence[str], *, batch_size: int = 8) -> np.ndarray:
        """One float32 row of `dimensions` per text, L2-normalised, in the order of `texts`; a text's
        row is the same (to float rounding) whatever it is embedded with."""
        if isinstance(texts, str):
            raise TypeError("embed() takes a sequence of texts; use embed_query() for one text")
        vectors = np.empty((len(texts), self.dimensions), dtype=np.float32)
        encodings = self._tokenizer.encode_batch(list(texts))
        if self._one_text_per_run and len(encodings) > 1:
            # One text per run keeps the cores busy only with runs side by side (each releases the GIL).
            with ThreadPoolExecutor(self._threads, thread_name_prefix="kb-embed") as pool:
                for row, vector in enumerate(pool.map(lambda encoding: self._run([encoding.ids])[0], encodings)):
                    vectors[row] = vector
            return vectors
        # Similar lengths in one batch waste little work on padding.
        order = sorted(range(len(encodings)), key=lambda i: len(encodings[i].ids))
        for start in range(0, len(order), batch_size):
            batch = order[start:start + batch_size]
            vectors[batch] = self._run([encodings[i].ids for i in batch])
        return vectors

    def embed_query(self, text: str) -> np.ndarray:
        """The vector of one text, shape (dimensions,)."""
        return self._run([self._tokenizer.encode(text).ids])[0]

    def _run(self, token_ids: list[list[int]]) -> np.ndarray:
        longest = max(len(ids) for ids in token_ids)
        input_ids = np.zeros((len(token_ids), longest), dtype=np.int64)  # 0 is [PAD]
        mask = np.zeros_like(input_ids)
        for row, ids in enumerate(token_ids):
            input_ids[row, :len(ids)] = ids
            mask[row, :len(ids)] = 1
        (vectors,) = self._session.run(None, {"input_ids": input_ids, "attention_mask": mask})
        return np.asarray(vectors, dtype=np.float32)
