"""The glossary: hover definitions in the built site, the glossary page, search synonyms, readability."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, SAMPLE_DOCS, article, run_mkdocs_build

from kb_tools.content.checks import check_collection
from kb_tools.content.glossary import Term, load_glossary, read_glossary
from kb_tools.content.model import load_collection
from kb_tools.content.readability import (
    DEFAULT_MIN_READING_EASE,
    count_syllables,
    measure,
)
from kb_tools.content.render import Renderer
from kb_tools.content.tab_text import depth_tabs
from kb_tools.errors import ConfigError
from kb_tools.search import Searcher, build_index
from kb_tools.search.analysis import terms
from kb_tools.search.thesaurus import load_thesaurus

TABS = ('## Steps\n\n=== "Beginner"\n\n    1. Tap **Settings**, the gear icon, then **Name**.\n\n'
        '=== "Expert"\n\n    1. Set the SSID in the admin page.\n')


@pytest.fixture(scope="module")
def glossary():
    found, problems = read_glossary(SAMPLE_DOCS)
    assert problems == []
    return found


def test_sample_glossary_has_terms_with_jargon_and_synonyms(glossary):
    names = {term.term for term in glossary.terms}
    assert len(names) >= 25
    assert {"DFS channel", "WAN", "SSID", "2FA", "firmware", "mesh Wi-Fi"} <= names
    assert {term.term for term in glossary.jargon} >= {"DFS channel", "WAN", "SSID"}
    assert not next(t for t in glossary.terms if t.term == "factory reset").jargon
    assert all(term.definition for term in glossary.terms)
    assert glossary.beginner_reading_ease == DEFAULT_MIN_READING_EASE


def test_term_spellings_anchor_and_pattern():
    term = Term("DFS channel", "A radar channel.", jargon=True)
    assert term.anchor == "dfs-channel"
    assert term.spellings() == ["DFS channel", "DFS channels"]
    assert term.pattern.search("two DFS channels nearby") and not term.pattern.search("dfs channel")
    plain = Term("firmware", "Software in the hub.")
    assert plain.spellings() == ["firmware", "Firmware", "firmwares", "Firmwares"]
    assert plain.pattern.search("Update the Firmware") and not plain.pattern.search("firmware-free")


def test_broken_glossary_stops_the_build_with_every_problem(write_docs, tmp_path: Path):
    docs = write_docs({"router/a.md": article()})
    (docs / "glossary.yml").write_text("terms:\n  - term: WAN\n  - term: SSID\n    definition: x\n    kind: y\n")
    with pytest.raises(ConfigError) as raised:
        load_glossary(docs)
    assert str(raised.value).splitlines()[1:3] == [
        f"  {docs}/glossary.yml:2: term 1: missing 'definition' (text).",
        f"  {docs}/glossary.yml:3: term 2: unknown key 'kind'; an entry takes: term, definition, synonyms, jargon.",
    ]
    result = run_mkdocs_build(tmp_path / "mkdocs.yml", tmp_path / "site")
    assert result.returncode == 1
    assert "glossary.yml: 2 problem(s):" in result.stderr and "Traceback" not in result.stderr


# --- the built site -----------------------------------------------------------------------------


def test_terms_show_their_definition_on_hover_across_the_site(sample_site: Path, glossary):
    definition = {t.term: html.escape(t.definition, quote=False).replace('"', "&quot;") for t in glossary.terms}
    dropping = (sample_site / "homehub/wifi-keeps-dropping/index.html").read_text(encoding="utf-8")
    for term in ("DFS channel", "WAN", "firmware"):
        assert f'<abbr title="{definition[term]}">{term}</abbr>' in dropping
    # the linked Expert tab, a playbook and a path page get them too
    restate = (sample_site / "service-skills/courtesy-on-the-phone/index.html").read_text(encoding="utf-8")
    assert f'<abbr title="{definition["WAN"]}">WAN</abbr>' in restate
    path = (sample_site / "paths/homehub-for-beginners/index.html").read_text(encoding="utf-8")
    assert f'<abbr title="{definition["Mesh Point"]}">Mesh Point</abbr>' in path
    site = yaml.safe_load((ROOT / "mkdocs.yml").read_text().replace("!!python", "x"))
    assert "content.tooltips" in site["theme"]["features"]  # Material's styled tooltip for abbr titles


def test_glossary_page_lists_every_term(sample_site: Path, glossary):
    page = (sample_site / "glossary/index.html").read_text(encoding="utf-8")
    ids = re.findall(r'<h2 id="([^"]+)"', page)
    assert ids == [t.anchor for t in sorted(glossary.terms, key=lambda t: t.term.casefold())]
    assert page.count("<strong>Expert jargon.</strong>") == len(glossary.jargon)
    assert "Customers say: <em>wifi name</em>, <em>network name</em>." in page
    assert not (sample_site / "glossary.yml").exists()  # configuration, not content
    start = (sample_site / "start-here/index.html").read_text(encoding="utf-8")
    assert 'href="../glossary/"' in start


# --- search and readability ---------------------------------------------------------------------


def test_glossary_synonyms_feed_the_search_thesaurus(write_docs, tmp_path: Path):
    docs = write_docs({"router/ssid.md": article("Change the SSID", body=TABS),
                       "router/lights.md": article("Router lights", body=TABS.replace("SSID", "LED"))})
    assert load_thesaurus(docs).alternatives(terms("hotspot nickname")) == []
    (docs / "glossary.yml").write_text("terms:\n  - term: SSID\n    definition: The Wi-Fi name.\n"
                                       "    synonyms: [hotspot nickname]\n    jargon: true\n")
    assert load_thesaurus(docs).alternatives(terms("hotspot nickname")) == [tuple(terms("SSID"))]
    build_index(docs, tmp_path / "ix")
    assert Searcher(tmp_path / "ix").search("hotspot nickname").hits[0].path == "router/ssid.md"


def test_flesch_reading_ease_on_known_text():
    assert [count_syllables(w) for w in ("the", "router", "password", "notification", "WAN")] == [1, 2, 2, 5, 3]
    easy = measure("The cat sat on the mat.")
    assert (easy.words, easy.sentences, easy.syllables) == (6, 1, 6)
    assert round(easy.ease, 1) == 116.1
    hard = measure("Authentication credentials necessitate comprehensive reconfiguration.")
    assert hard.ease < 0
    assert measure("One.\nTwo.\nThree").sentences == 3  # a line (a list item, a cell) ends a sentence


def test_sample_beginner_tabs_read_easily_and_experts_are_not_held(glossary):
    collection = load_collection(SAMPLE_DOCS)
    renderer = Renderer(collection.config)
    beginner = [measure(tab.text).ease for a in collection for tab in depth_tabs(a, renderer, "Beginner")]
    expert = [measure(tab.text).ease for a in collection for tab in depth_tabs(a, renderer, "Expert")]
    assert len(beginner) == len(expert) >= 20
    assert min(beginner) >= glossary.beginner_reading_ease
    assert min(expert) < glossary.beginner_reading_ease  # would fail the threshold, and is not checked


def test_tab_text_leaves_out_code_and_labels(write_docs):
    body = ('## Steps\n\n=== "Beginner"\n\n    Pick your phone:\n\n    === "iPhone"\n\n        1. Tap **Wi-Fi**.\n\n'
            '    ```\n    code that is not read\n    ```\n\n=== "Expert"\n\n    1. Scan.\n')
    docs = write_docs({"router/a.md": article(body=body)})
    collection = load_collection(docs)
    (tab,) = depth_tabs(collection.articles[0], Renderer(collection.config), "Beginner")
    assert tab.blocks == ("Pick your phone:", "Tap Wi-Fi.")
    assert tab.line == 18 and [number for number, _ in tab.source][0] == 19


def test_sample_kb_explains_its_jargon_and_its_paths_are_valid():
    report = check_collection(load_collection(SAMPLE_DOCS))
    mine = {"beginner-jargon", "reading-ease", "glossary", "path-field", "path-step", "path-article",
            "path-duplicate", "path-time"}
    assert [str(f) for f in report.findings if f.rule in mine] == []
    assert report.errors == 0
