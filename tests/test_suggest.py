"""/api/suggest as the desk's type-ahead would call it: half-typed words, any of them, lead to the
article they start (the issue's "my wif", "firmw", "passw"), and drafts are suggested below validated answers."""

from __future__ import annotations

import json
import urllib.request
from urllib.parse import urlencode

import pytest


def suggested(served_kb: str, text: str) -> list[str]:
    with urllib.request.urlopen(f"{served_kb}/api/suggest?{urlencode({'q': text})}", timeout=30) as answer:
        return [s["title"] for s in json.loads(answer.read())]


@pytest.mark.parametrize(("typed", "title", "within"), [
    ("firmw", "Update the HomeHub firmware", 1), ("passw", "Reset your password", 1),
    ("my wif", "Wi-Fi", 3), ("wif keeps dropp", "Wi-Fi keeps dropping", 1),  # every word may be unfinished
    ("parental contr", "Set up parental controls", 1),
])
def test_suggest_completes_half_typed_words(served_kb: str, typed: str, title: str, within: int):
    titles = suggested(served_kb, typed)
    assert any(title in shown for shown in titles[:within]), titles


def test_two_letters_suggest_nothing_they_do_not_spell(served_kb: str):
    assert suggested(served_kb, "zq") == []
