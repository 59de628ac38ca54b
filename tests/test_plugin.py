"""The `kb` plugin in real `mkdocs build` runs: badges, tabs, landing pages, offline output."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from conftest import article, run_mkdocs_build

from kb_tools.site.pages import insert_after_title


class _Loads(HTMLParser):
    """Collects every URL the browser would fetch on its own (scripts, styles, images, fonts)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in ("script", "img", "iframe", "source", "audio", "video", "embed") and values.get("src"):
            self.urls.append(values["src"] or "")
        if tag == "link" and values.get("href") and values.get("rel") not in ("canonical", "alternate"):
            self.urls.append(values["href"] or "")


def test_sample_site_articles_have_tabs_badges_and_checkpoints(sample_site: Path):
    page = (sample_site / "homehub/wifi-keeps-dropping/index.html").read_text(encoding="utf-8")
    assert re.search(r'<label for="__tabbed_1_1">Beginner</label><label for="__tabbed_1_2">Expert</label>', page)
    assert '<span class="kb-badge kb-product">HomeHub router</span>' in page
    assert '<span class="kb-badge kb-type">troubleshooting</span>' in page
    assert "Owner: priya.natarajan" in page and "Last reviewed 2026-09-14" in page
    assert 'class="kb-depth-hint"' in page
    assert page.count('class="kb-checkpoint"') >= 3
    overdue = (sample_site / "homehub/update-hub-firmware/index.html").read_text(encoding="utf-8")
    assert "Review overdue" in overdue
    assert "Review overdue" not in page
    assert "md-status" not in page  # our status key must not trigger the theme's page-status icons


def test_sample_site_has_a_landing_page_per_product(sample_site: Path):
    landing = (sample_site / "homehub/index.html").read_text(encoding="utf-8")
    assert re.search(r'<h2 id="troubleshooting">Troubleshooting', landing)
    assert 'href="wifi-keeps-dropping/"' in landing
    for product in ("homehub-7", "account", "app", "services", "policies", "service-skills"):
        assert (sample_site / product / "index.html").is_file()
    nav_titles = re.findall(r'md-tabs__link[^>]*>\s*([^<]+?)\s*<', landing)
    assert nav_titles == ["Welcome", "Start here", "Paths", "Known issues", "HomeHub router", "HomeHub 7 router",
                          "My Brightwave account", "Brightwave app", "Outages, moves and visits", "Policies and contact",
                          "Service skills", "Glossary", "Writing articles"]
    assert not (sample_site / "products.yml").exists()


def test_sample_site_loads_nothing_from_outside(sample_site: Path):
    external = []
    for page in sample_site.rglob("*.html"):
        parser = _Loads()
        parser.feed(page.read_text(encoding="utf-8"))
        external += [(page.name, u) for u in parser.urls if re.match(r"^(https?:)?//", u)]
    assert external == []
    for css in sample_site.rglob("*.css"):
        assert not re.search(r"url\((['\"]?)(https?:)?//", css.read_text(encoding="utf-8")), css
    assert "fonts.googleapis" not in (sample_site / "index.html").read_text(encoding="utf-8")


def test_invalid_front_matter_fails_the_build_with_the_file_and_line(write_docs, tmp_path: Path):
    write_docs({"router/a.md": article(product="toaster"), "router/b.md": article("B", review_every="often")})
    result = run_mkdocs_build(tmp_path / "mkdocs.yml", tmp_path / "site")
    assert result.returncode == 1
    assert "kb: invalid front matter in 2 place(s):" in result.stderr
    assert "docs/router/a.md:4: unknown product 'toaster'" in result.stderr
    assert "docs/router/b.md:10: 'review_every' should be a number of days, got 'often'." in result.stderr
    assert "Traceback" not in result.stderr


def test_generated_landing_page_is_replaced_by_a_written_one(write_docs, tmp_path: Path):
    write_docs({"router/a.md": article(), "router/index.md": "---\ntitle: Our router\ntype: page\n---\n# Our router\n"})
    result = run_mkdocs_build(tmp_path / "mkdocs.yml", tmp_path / "site")
    assert result.returncode == 0, result.stderr
    assert "Our router" in (tmp_path / "site/router/index.html").read_text(encoding="utf-8")
    portal = (tmp_path / "site/portal/index.html").read_text(encoding="utf-8")
    assert "No articles yet" in portal


def test_insert_after_title():
    assert insert_after_title("<h1>T</h1><p>x</p>", "<b>") == "<h1>T</h1><b><p>x</p>"
    assert insert_after_title("<p>x</p>", "<b>") == "<b><p>x</p>"
