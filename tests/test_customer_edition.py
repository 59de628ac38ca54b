"""The customer edition: `mkdocs build -f mkdocs.customer.yml`, for real, and nothing of the desk's in it.

The leak check reads EVERY file the build writes (pages, search/search_index.json, sitemap.xml and
its .gz, 404.html, assets) as text and looks for every agent-only sentence of docs/, every internal
page's title and every owner's name.
"""

from __future__ import annotations

import gzip
import html
import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, SAMPLE_DOCS, copy_docs, run_mkdocs_build

from kb_tools.content.audience import strip_agent_blocks, unlink_pages
from kb_tools.content.card import read_card
from kb_tools.content.config import load_config
from kb_tools.content.frontmatter import split_front_matter
from kb_tools.content.model import load_collection
from kb_tools.content.teams import article_handoff
from kb_tools.site.handoff_pages import handoff_card

CUSTOMER_YML = "mkdocs.customer.yml"
_AGENT_OPENER = re.compile(r"^(\s*)(?:!!!|\?\?\?\+?)\s+agent\b")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


# --- what must never get out ---------------------------------------------------------------------


def agent_sentences(docs: Path) -> set[str]:
    """Every sentence written inside an `!!! agent` block of docs/, as plain text."""
    found: set[str] = set()
    for path in docs.rglob("*.md"):
        block: list[str] = []
        indent: int | None = None
        for line in [*path.read_text(encoding="utf-8").splitlines(), "END"]:
            if indent is not None and (not line.strip() or len(line) - len(line.lstrip()) > indent):
                block.append(line.strip())
                continue
            if block:
                found.update(_sentences(" ".join(block)))
                block = []
            indent = None
            if match := _AGENT_OPENER.match(line):
                indent = len(match.group(1))
    return found


def _sentences(markdown: str) -> list[str]:
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown)  # links: their text
    text = _normal(text.replace("**", "").replace("`", ""))
    return [sentence for sentence in _SENTENCE_END.split(text) if len(sentence) >= 20]


def _normal(text: str) -> str:
    return " ".join(html.unescape(text).lower().split())


def published_text(site: Path) -> dict[str, str]:
    """Each file of the built site as searchable text: gzip opened, JSON decoded, HTML tags removed."""
    texts = {}
    for path in sorted(site.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
        text = data.decode("utf-8", errors="replace")
        if path.suffix == ".json":
            text = json.dumps(json.loads(text), ensure_ascii=False)
            text = text.encode().decode("unicode_escape", errors="replace")  # "\n" and "\"" as written
        texts[path.relative_to(site).as_posix()] = _normal(re.sub(r"<[^>]+>", " ", text)) + " " + _normal(text)
    return texts


def leaks(site: Path, docs: Path) -> list[str]:
    """Every agent-only sentence, internal title or owner name found in the built site, with the file."""
    collection = load_collection(docs)
    customer_source = _normal(" ".join(strip_agent_blocks(split_front_matter(a.source_path.read_text(encoding="utf-8")).body)
                                       for a in collection if a.meta.is_customer_visible))
    secrets = {f"agent-only sentence {s!r}": s for s in agent_sentences(docs)}
    for article in collection:
        title = _normal(article.title)
        if not article.meta.is_customer_visible and title not in customer_source:  # "Welcome" is a word too
            secrets[f"internal title {article.title!r}"] = title
        if article.meta.owner:
            secrets[f"owner {article.meta.owner!r}"] = _normal(article.meta.owner)
        escalation = article.meta.escalation  # the hand-off card's "collect first" (unless the steps say it too)
        for item in escalation.collect if escalation else ():
            if len(item) >= 20 and _normal(item) not in customer_source:
                secrets[f"hand-off collect {item!r}"] = _normal(item)
    for team in collection.config.teams.teams:  # transfer numbers, queues: the hand-off card's "how"
        if team.how:
            secrets[f"team how {team.id!r}"] = _normal(team.how)
    return [f"{what} in {name}" for name, text in published_text(site).items()
            for what, secret in secrets.items() if secret in text]


# --- the real build -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def customer_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("customer-site")
    result = run_mkdocs_build(ROOT / CUSTOMER_YML, site)
    assert result.returncode == 0, result.stderr
    return site


def copy_kb(tmp_path: Path) -> Path:
    docs = copy_docs(tmp_path)
    shutil.copy(ROOT / CUSTOMER_YML, tmp_path / CUSTOMER_YML)
    return docs


def test_the_sample_has_agent_text_internal_pages_and_owners_to_keep_out():
    assert len(agent_sentences(SAMPLE_DOCS)) >= 15
    collection = load_collection(SAMPLE_DOCS)
    assert sum(not a.meta.is_customer_visible for a in collection) >= 10
    assert len({a.meta.owner for a in collection if a.meta.owner}) >= 4
    assert len([t for t in collection.config.teams.teams if t.how]) >= 5  # hand-off internals too
    assert sum(a.meta.escalation is not None and a.meta.is_customer_visible for a in collection) >= 3


def test_no_agent_sentence_internal_title_or_owner_anywhere_in_the_customer_site(customer_site: Path):
    files = published_text(customer_site)
    for expected in ("search/search_index.json", "sitemap.xml", "sitemap.xml.gz", "404.html", "index.html"):
        assert expected in files
    assert leaks(customer_site, SAMPLE_DOCS) == []


def test_the_customer_site_has_only_customer_articles_and_none_of_the_desk(customer_site: Path):
    config = load_config(SAMPLE_DOCS)
    pages = {p.relative_to(customer_site).as_posix() for p in customer_site.rglob("index.html")}
    for path in sorted(SAMPLE_DOCS.rglob("*.md")):
        relative = path.relative_to(SAMPLE_DOCS).as_posix()
        card, _ = read_card(relative, path.read_text(encoding="utf-8"), config)
        built = relative[:-3] + "/index.html"
        if card.is_article:
            # archived articles stay on the agents' site only (the sample's Fibre 70 how-to)
            expected = card.meta.is_customer_visible and card.meta.status != "archived"
            assert (built in pages) == expected, relative
    assert "service-skills/index.html" not in pages and "paths/index.html" not in pages
    assert "writing-articles/index.html" not in pages and "start-here/index.html" not in pages
    assert not (customer_site / "assets" / "kb" / "desk").exists()
    assert not (customer_site / "assets" / "kb" / "desk.json").exists()
    # (the theme's own scripts and our stylesheet name such things in code: pages, index and sitemap must not)
    everything = "\n".join(text for name, text in published_text(customer_site).items()
                            if name.endswith((".html", ".json", ".xml", ".gz")))
    for desk_mark in ("kb-meta", "owner:", "last reviewed", "kb-steps", "kb-customer-copy", "walk me through",
                      "copy steps", "writer's preview", "last changed", "suggest a change", "/report", "admonition agent",
                      "kb-handoff", "if you hand off", "record hand-off", "kb-issues"):
        assert desk_mark not in everything, desk_mark
    home = (customer_site / "index.html").read_text(encoding="utf-8")
    body = home[home.index("<article"):home.index("</article>")]
    assert "Brightwave Help Centre" in body and '<a href="homehub/">HomeHub router</a>' in body
    assert "Service skills" not in body
    plan = (customer_site / "account" / "change-your-plan" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../glossary/#pro-rata"' in plan and 'href="../../app/run-a-speed-test/"' in plan  # kept links
    index = json.loads((customer_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    locations = {doc["location"].split("#")[0] for doc in index["docs"]}
    assert "homehub/wifi-keeps-dropping/" in locations
    assert not any(location.startswith(("service-skills/", "paths/")) for location in locations)


def test_the_leak_check_finds_one_agent_sentence_that_gets_through(tmp_path: Path):
    """The test above could pass by looking in the wrong place: one sentence let through must fail it."""
    docs = copy_kb(tmp_path)
    secret = "Open the Security panel of the account record before anything else."
    article = docs / "homehub" / "wifi-keeps-dropping.md"
    text = article.read_text(encoding="utf-8")
    text = text.replace("## Cause\n", f'## Cause\n\n!!! agent "For agents"\n    {secret}\n\n', 1)
    article.write_text(text + f"\n{secret}\n", encoding="utf-8")  # once in the block, once in the open
    assert run_mkdocs_build(tmp_path / CUSTOMER_YML, tmp_path / "site").returncode == 0
    found = leaks(tmp_path / "site", docs)
    assert f"agent-only sentence {_normal(secret)!r} in homehub/wifi-keeps-dropping/index.html" in found
    assert any(f.startswith(f"agent-only sentence {_normal(secret)!r} in search/search_index.json") for f in found)


def test_the_leak_check_finds_the_hand_off_card_and_known_issues_go_out_without_agent_blocks(tmp_path: Path):
    """The agents' hand-off card let into a page (its team's `how`, its `collect`) fails the check; a
    customer-visible known issue is published, its agent block is not."""
    docs = copy_kb(tmp_path)
    issue = docs / "known-issues" / "northfield-fibre-outage.md"
    secret = "Log every Northfield caller against incident INC-4471 in the case tool."
    issue.write_text(issue.read_text(encoding="utf-8").replace(
        "## Workaround\n", f'## Workaround\n\n!!! agent "For agents"\n    {secret}\n\n', 1), encoding="utf-8")
    assert run_mkdocs_build(tmp_path / CUSTOMER_YML, tmp_path / "site").returncode == 0
    page = (tmp_path / "site" / "known-issues" / "northfield-fibre-outage" / "index.html").read_text(encoding="utf-8")
    assert "Northfield and Eastgate" in page and "INC-4471" not in page
    assert leaks(tmp_path / "site", docs) == []

    config = load_config(docs)
    card, _ = read_card("homehub/wifi-keeps-dropping.md", (docs / "homehub" / "wifi-keeps-dropping.md")
                        .read_text(encoding="utf-8"), config)
    built = tmp_path / "site" / "homehub" / "wifi-keeps-dropping" / "index.html"
    built.write_text(built.read_text(encoding="utf-8") + handoff_card(article_handoff(card.meta.escalation, config.teams)),
                     encoding="utf-8")
    found = leaks(tmp_path / "site", docs)
    assert "team how 'network-support' in homehub/wifi-keeps-dropping/index.html" in found
    assert ("hand-off collect 'the diagnostics reference (BW- and six digits, from Help > Send diagnostics)' "
            "in homehub/wifi-keeps-dropping/index.html") in found


def test_links_to_internal_articles_become_plain_text_and_an_internal_how_to_is_left_out(tmp_path: Path):
    docs = copy_kb(tmp_path)
    article = docs / "homehub" / "slow-wifi-speeds.md"
    article.write_text(article.read_text(encoding="utf-8") + "\nSee [how we listen](../service-skills/listen-and-restate.md).\n",
                       encoding="utf-8")
    hidden = docs / "app" / "update-the-app.md"
    hidden.write_text(hidden.read_text(encoding="utf-8").replace("status: validated", "status: validated\nvisibility: internal", 1),
                      encoding="utf-8")
    result = run_mkdocs_build(tmp_path / CUSTOMER_YML, tmp_path / "site")
    assert result.returncode == 0, result.stderr  # --strict: no warning about a missing page
    page = (tmp_path / "site" / "homehub" / "slow-wifi-speeds" / "index.html").read_text(encoding="utf-8")
    assert "See how we listen." in page and "listen-and-restate" not in page
    assert not (tmp_path / "site" / "app" / "update-the-app").exists()
    crashes = (tmp_path / "site" / "app" / "app-crashes-on-open" / "index.html").read_text(encoding="utf-8")
    assert "Update the Brightwave app" in crashes and "update-the-app/" not in crashes


def test_agent_markup_the_edition_cannot_strip_stops_the_build(tmp_path: Path):
    docs = copy_kb(tmp_path)
    article = docs / "homehub" / "wifi-keeps-dropping.md"
    article.write_text(article.read_text(encoding="utf-8") + '\n<div class="admonition agent">Internal only.</div>\n',
                       encoding="utf-8")
    result = run_mkdocs_build(tmp_path / CUSTOMER_YML, tmp_path / "site")
    assert result.returncode != 0
    assert ("kb: homehub/wifi-keeps-dropping.md holds agent-only markup the customer edition could not remove; "
            "write it as an `!!! agent` block.") in result.stderr
    assert "Traceback" not in result.stderr


# --- the Markdown the customer edition publishes ---------------------------------------------------


def test_agent_blocks_go_with_every_line_under_them_and_nothing_else():
    markdown = """Intro.

!!! agent "For agents"
    Verify the customer.

    Open the account record.

Shared text.

1. Tap **Help**.

    !!! agent "For agents"
        Log the reference.

    Checkpoint: the app shows a reference.

??? agent "For agents"
    Folded note.

```text
!!! agent "kept: this is code"
```
"""
    stripped = strip_agent_blocks(markdown)
    assert "Verify" not in stripped and "account record" not in stripped and "Log the" not in stripped
    assert "Folded" not in stripped
    for kept in ("Intro.", "Shared text.", "1. Tap **Help**.", "    Checkpoint: the app shows a reference.",
                 '!!! agent "kept: this is code"'):
        assert kept in stripped


def test_unlink_pages_keeps_shown_and_external_links():
    markdown = "[a](b.md#x), [p](../service-skills/p.md), [web](https://example.com/p.md), ![img](pic.png)"
    shown = {"homehub/b.md"}
    assert unlink_pages(markdown, "homehub/a.md", shown.__contains__) == (
        "[a](b.md#x), p, [web](https://example.com/p.md), ![img](pic.png)")
