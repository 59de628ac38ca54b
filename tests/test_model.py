"""The content model on tricky Markdown: anchors, depths, steps, checkpoints, odd sources."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

from conftest import article, run_mkdocs_build

from kb_tools import load_collection
from kb_tools.content.model import page_url

TRICKY = textwrap.dedent('''\
    Shared introduction for both depths.

    ## Steps

    === "Beginner"

        1. Open **Settings**, the gear icon at the top right.

            Checkpoint: the Settings page opens.

        2. Pick your phone:

            === "iPhone"

                Tap **Wi-Fi** in the list.

            === "Android"

                Tap **Network & internet**.

    === "Expert"

        1. Settings > Wi-Fi > Forget.

    ## Steps

    ```text
    === "Not a tab"
        1. not a step
    ```

    ## What's new? (2026 edition) {#whats-new}

    ## Q&A: "Why?" -- it's <complicated>

    ## Steps
    ''')


def test_sections_depths_and_anchors(write_docs):
    docs = write_docs({"router/tricky.md": article("Tricky article", body=TRICKY)})
    doc = load_collection(docs).get("router/tricky.md")
    by_key = {(s.anchor, s.depth): s for s in doc.sections}
    assert "Shared introduction" in by_key[("tricky-article", "both")].text
    assert [s.anchor for s in doc.sections if s.heading == "Steps"] == ["steps", "steps", "steps", "steps_1", "steps_2"]
    beginner = by_key[("steps", "beginner")]
    assert [step.labels for step in beginner.steps] == [("Settings",), ("Wi-Fi", "Network & internet")]
    assert beginner.steps[0].checkpoint == "the Settings page opens."
    assert "Checkpoint" not in beginner.steps[0].text
    assert by_key[("steps", "expert")].steps[0].text == "Settings > Wi-Fi > Forget."
    fenced = by_key[("steps_1", "both")]
    assert '=== "Not a tab"' in fenced.text and not fenced.steps
    assert doc.depths == {"beginner", "expert"}
    assert ("whats-new", "both") in by_key
    lines = {s.anchor: s.line for s in doc.sections}
    assert (lines["steps"], lines["steps_1"], lines["steps_2"]) == (18, 40, 51)
    assert beginner.steps[1].line == 26


def test_steps_by_depth(write_docs):
    docs = write_docs({"router/tricky.md": article("Tricky", body=TRICKY)})
    doc = load_collection(docs).get("router/tricky.md")
    assert [s.text[:10] for s in doc.steps("expert")] == ["Settings >"]
    assert len(doc.steps("beginner")) == 2
    assert doc.steps("beginner")[1].number == 2


def test_anchors_equal_the_built_site(write_docs, tmp_path: Path):
    docs = write_docs({"router/tricky.md": article("Tricky article", body=TRICKY)})
    result = run_mkdocs_build(tmp_path / "mkdocs.yml", tmp_path / "site")
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "site/router/tricky/index.html").read_text(encoding="utf-8")
    site_ids = set(re.findall(r'<h[1-6] id="([^"]+)"', html))
    doc = load_collection(docs).get("router/tricky.md")
    assert {s.anchor for s in doc.sections} == site_ids
    assert doc.url == "router/tricky/"


def test_article_without_front_matter_takes_its_first_heading(write_docs):
    docs = write_docs({"imported/page one.md": "Intro\n\n# Imported title\n\nText [x](http://example.com).\n"})
    doc = load_collection(docs).get("imported/page one.md")
    assert doc.title == "Imported title"
    assert [f.rule for f in doc.meta_findings] == ["no-front-matter"]
    assert doc.links[0].href == "http://example.com" and not doc.links[0].is_internal


def test_inline_html_and_explicit_ids(write_docs):
    body = ('## Setup {#custom-id}\n\n<div class="x"><p>Raw <b>html</b> text</p>\n\n1. one\n</div>\n\n'
            '<table><tr><td>cell</td></tr></table>\n')
    docs = write_docs({"router/html.md": article("Html", body=body)})
    doc = load_collection(docs).get("router/html.md")
    setup = next(s for s in doc.sections if s.anchor == "custom-id")
    assert "Raw html text" in setup.text and "cell" in setup.text


def test_page_urls():
    assert page_url("index.md") == ""
    assert page_url("homehub/index.md") == "homehub/"
    assert page_url("homehub/wifi keeps dropping.md") == "homehub/wifi keeps dropping/"
    assert page_url("a/b.md", use_directory_urls=False) == "a/b.html"


def test_corpus_loads_without_crashing(corpus: Path):
    collection = load_collection(corpus)
    assert len(collection) > 400
    titled = [a for a in collection if a.title and a.sections]
    assert len(titled) / len(collection) > 0.95
    explicit = [a for a in collection if any(s.anchor and "{#" not in s.heading for s in a.sections)]
    assert explicit
