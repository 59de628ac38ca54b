"""`kb import`: a help centre's Zendesk-style Markdown, plain Markdown and HTML become kb drafts that
check, index and build; links follow the articles to their new paths; re-running never duplicates."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import DEV_QUERIES, ROOT, run_mkdocs_build

from kb_tools.cli import main
from kb_tools.content.checks import check_collection
from kb_tools.content.frontmatter import split_front_matter
from kb_tools.content.model import load_collection

ZENDESK_TRACK = """\
---
title: "Track your order"
id: 111
---

Learn how to track orders made from the **Store**.

If you ordered through Amazon, see [Amazon](https://www.amazon.com/help){.link-external}.

## Open the status page{#status-page}

1. Press <kbd>Ctrl</kbd> + <b>F</b> and open the page <!-- hidden -->.

   ![Order overview](img/order-overview.png)

2. Read the [delivery process](https://help.example.com/hc/en-us/articles/222-About-delivery#carriers).

> [!NOTE]
> Tracking can take a day to appear.

<img src="https://cdn.example.com/truck.png" alt="A truck">
"""

ZENDESK_DELIVERY = """\
---
title: "About the delivery process"
id: 222
---

Orders ship from our warehouse within two working days of payment.

<a id="carriers"></a>

## Carriers and tracking numbers

<table>
  <tr><th>Carrier</th><th>Countries</th></tr>
  <tr><td><a href="https://carrier.example.com">DHL</a></td><td>Europe<br>Asia</td></tr>
</table>

Back to [tracking](https://help.example.com/hc/en-us/articles/111-Track-your-order#status-page).
"""

PLAIN_MARKDOWN = """\
# If the board is not detected

When the computer does not see the board, the upload fails.

## Check the cable

1. Try another USB cable: see [Install the IDE](../Software/install-the-ide.html).

![The port menu](img/port-menu.png)
"""

HTML_PAGE = """\
<!doctype html>
<html><head><title>Install the IDE</title><style>p { color: red }</style></head>
<body>
<h1>Install the IDE</h1>
<p>Download the <strong>installer</strong> for your system and run it.</p>
<h2 id="windows">On Windows</h2>
<ol><li>Open the <em>installer</em>.</li><li>Click <b>Next</b> until it finishes.</li></ol>
<p>Stuck? See <a href="../Hardware/If-the-board-is-not-detected.md">the board check</a>.</p>
</body></html>
"""

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


@pytest.fixture
def help_centre(tmp_path: Path) -> Path:
    """One small source of each kind, in a help centre's folders (product / section / article)."""
    src = tmp_path / "help-centre"
    files = {
        "Store Support/Shipping/Track-your-order.md": ZENDESK_TRACK,
        "Store Support/Shipping/About-the-delivery-process.md": ZENDESK_DELIVERY,
        "Hardware/If-the-board-is-not-detected.md": PLAIN_MARKDOWN,
        "Software/install-the-ide.html": HTML_PAGE,
    }
    for relative, text in files.items():
        (src / relative).parent.mkdir(parents=True, exist_ok=True)
        (src / relative).write_text(text, encoding="utf-8")
    (src / "Hardware/img").mkdir()
    (src / "Hardware/img/port-menu.png").write_bytes(PNG)
    return src


def _import(src: Path, docs: Path, *args: str) -> dict:
    result = CliRunner().invoke(main, ["import", str(src), "--to", str(docs), "--json", *args],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_each_kind_of_source_becomes_a_draft_article(help_centre, tmp_path):
    docs = tmp_path / "site" / "docs"
    report = _import(help_centre, docs)
    by_path = {a["path"]: a for a in report["articles"]}
    assert sorted(by_path) == ["hardware/if-the-board-is-not-detected.md", "software/install-the-ide.md",
                               "store-support/shipping/about-the-delivery-process.md",
                               "store-support/shipping/track-your-order.md"]
    assert [(by_path[p]["type"], by_path[p]["why"]) for p in sorted(by_path)] == [
        ("troubleshooting", 'the title says "If"'), ("how-to", "it has numbered steps"),
        ("reference", 'the title says "About"'), ("how-to", "it has numbered steps")]

    track = (docs / "store-support/shipping/track-your-order.md").read_text()
    front = split_front_matter(track).data
    assert {k: front[k] for k in ("title", "summary", "product", "type", "tags", "owner", "status")} == {
        "title": "Track your order", "summary": "Learn how to track orders made from the Store.",
        "product": "store-support", "type": "how-to", "tags": ["shipping"], "owner": "((owner to assign))",
        "status": "draft"}
    body = split_front_matter(track).body
    assert "## Open the status page {#status-page}" in body  # attr_list needs the space
    assert "Press <kbd>Ctrl</kbd> + **F** and open the page ." in body  # comment gone, <b> is Markdown
    assert "[delivery process](about-the-delivery-process.md#carriers)" in body  # help-centre link, new path
    assert "[Amazon](https://www.amazon.com/help)." in body  # external link kept, its class dropped
    assert "[Image: A truck](https://cdn.example.com/truck.png)" in body  # an outside image is only a link
    assert "*(Image not imported: Order overview, img/order-overview.png)*" in body
    assert "!!! note\n\n    Tracking can take a day to appear." in body

    delivery = (docs / "store-support/shipping/about-the-delivery-process.md").read_text()
    assert "## Carriers and tracking numbers {#carriers}" in delivery  # the <a id> anchor moved onto it
    assert "| Carrier | Countries |\n| --- | --- |\n| [DHL](https://carrier.example.com) | Europe Asia |" in delivery
    assert "[tracking](track-your-order.md#status-page)" in delivery

    plain = (docs / "hardware/if-the-board-is-not-detected.md").read_text()
    assert split_front_matter(plain).data["title"] == "If the board is not detected"
    assert "[Install the IDE](../software/install-the-ide.md)" in plain  # a relative link to an HTML source
    assert "![The port menu](img/port-menu.png)" in plain and (docs / "hardware/img/port-menu.png").read_bytes() == PNG

    html = (docs / "software/install-the-ide.md").read_text()
    assert split_front_matter(html).data["title"] == "Install the IDE"
    assert "## On Windows {#windows}" in html and "1. Open the _installer_." in html
    assert "[the board check](../hardware/if-the-board-is-not-detected.md)" in html and "color" not in html

    assert {(e["article"], e["url"]) for e in report["external_links"]} == {
        ("store-support/shipping/track-your-order.md", "https://www.amazon.com/help"),
        ("store-support/shipping/track-your-order.md", "https://cdn.example.com/truck.png"),
        ("store-support/shipping/about-the-delivery-process.md", "https://carrier.example.com")}
    assert ("store-support/shipping/track-your-order.md", "image img/order-overview.png is not in the source "
            "folder") in {(n["article"], n["what"]) for n in report["needs_human"]}

    checked = check_collection(load_collection(docs))
    assert checked.errors == 0, [str(f) for f in checked.findings if f.severity == "error"]
    # Imported steps have no checkpoints yet: the writer adds them (missing-checkpoint is a warning).
    assert {f.rule for f in checked.findings} <= {"placeholder", "missing-depth", "kcs-shape", "missing-checkpoint"}
    assert report["mkdocs_yml"] == str(tmp_path / "site" / "mkdocs.yml")
    built = run_mkdocs_build(tmp_path / "site" / "mkdocs.yml", tmp_path / "built")
    assert built.returncode == 0, built.stderr
    page = (tmp_path / "built/store-support/shipping/track-your-order/index.html").read_text()
    assert 'src="https://' not in page  # the site loads nothing from outside


def test_reimporting_updates_and_never_duplicates(help_centre, tmp_path):
    docs = tmp_path / "docs"
    _import(help_centre, docs)
    before = {p: p.read_bytes() for p in docs.rglob("*") if p.is_file()}
    again = _import(help_centre, docs)
    assert {a["change"] for a in again["articles"]} == {"unchanged"}
    assert {p: p.read_bytes() for p in docs.rglob("*") if p.is_file()} == before

    track = docs / "store-support/shipping/track-your-order.md"
    track.write_text(track.read_text().replace("((owner to assign))", "sam.writer"))  # a writer takes it
    source = help_centre / "Store Support/Shipping/Track-your-order.md"
    source.write_text(source.read_text().replace("Learn how to track", "Learn how to follow"))
    third = _import(help_centre, docs)
    assert [a["path"] for a in third["articles"] if a["change"] == "updated"] == [
        "store-support/shipping/track-your-order.md"]
    front = split_front_matter(track.read_text()).data
    assert front["owner"] == "sam.writer" and front["summary"].startswith("Learn how to follow")
    assert sorted(p.name for p in docs.rglob("*.md")) == sorted(p.name for p in before if p.suffix == ".md")


def test_import_refuses_a_target_inside_the_source(help_centre):
    result = CliRunner().invoke(main, ["import", str(help_centre), "--to", str(help_centre / "docs")])
    assert result.exit_code == 1
    assert result.output.startswith("Error: import into a folder outside") and "Traceback" not in result.output


def test_the_arduino_help_centre_imports_checks_builds_and_searches_as_well(corpus, tmp_path):
    """The real corpus: no `kb check` errors, a strict build, idempotent, and search as good as on the raw corpus."""
    if not DEV_QUERIES.is_file():
        pytest.skip(f"the dev query set is not at {DEV_QUERIES} (it lives in ../shared beside the project)")
    sys.path.insert(0, str(ROOT / "bench"))
    from import_fidelity import TARGET_GAP, compare

    scores = compare(corpus, DEV_QUERIES, tmp_path, semantic=False, mode="lexical")
    assert abs(scores["imported"] - scores["raw"]) <= TARGET_GAP, scores
    docs = tmp_path / "imported" / "docs"
    checked = check_collection(load_collection(docs))
    assert checked.articles == 414 and checked.errors == 0, [str(f) for f in checked.findings
                                                             if f.severity == "error"][:5]
    assert _import(corpus, docs)["summary"].startswith("414 articles imported (0 new, 0 updated, 414 unchanged)")
    built = run_mkdocs_build(tmp_path / "imported" / "mkdocs.yml", tmp_path / "built")
    assert built.returncode == 0, built.stderr[-2000:]
