"""`kb check`: one fixture per problem, with the exact message, line and exit code."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from conftest import article

from kb_tools.cli import main

NO_TABS = "## Steps\n\n1. Press **Reset**.\n"
ONLY_BEGINNER = '## Steps\n\n=== "Beginner"\n\n    1. Press **Reset**.\n'
LOWERCASE_TAB = '## Steps\n\n=== "beginner"\n\n    1. Press **Reset**.\n\n=== "Expert"\n\n    1. Reset.\n'
EMPTY_TAB = '## Steps\n\n=== "Beginner"\n\n=== "Expert"\n\n    1. Reset.\n'
NO_LABEL = '## Steps\n\n=== "Beginner"\n\n    1. Wait a minute.\n\n=== "Expert"\n\n    1. Wait.\n'
TABS = '=== "Beginner"\n\n    1. Press **Reset**.\n\n=== "Expert"\n\n    1. Reset.\n'
KCS_PARTIAL = f"## Issue\n\nIt breaks.\n\n## Resolution\n\n{TABS}"
KCS_ORDER = f"## Environment\n\nAny.\n\n## Issue\n\nIt breaks.\n\n## Resolution\n\n{TABS}\n## Cause\n\nWhy.\n"

CASES = [
    # (id, front matter changes, body, expected "line: severity: message [rule]")
    ("unknown key", {"colour": "blue"}, None,
     "12: error: unknown front matter key 'colour'; the known keys are: title, summary, product, type, tags, "
     "customer_says, owner, reviewed, review_every, status. [unknown-key]"),
    ("wrong type", {"tags": "router"}, None, "6: error: 'tags' should be a list of words, got 'router'. [wrong-type]"),
    ("bad date", {"reviewed": "14/09/2026"}, None,
     "9: error: 'reviewed' is '14/09/2026'; write the date as YYYY-MM-DD. [bad-date]"),
    ("unknown product", {"product": "toaster"}, None,
     "4: error: unknown product 'toaster'; declared in products.yml: router, portal. [unknown-product]"),
    ("unknown type", {"type": "faq"}, None,
     "5: error: unknown type 'faq'; use one of: how-to, troubleshooting, reference, concept, playbook. [unknown-type]"),
    ("unknown status", {"status": "done"}, None,
     "11: error: unknown status 'done'; use one of: draft, validated, archived. [unknown-status]"),
    ("missing field", {"summary": None}, None, "1: error: missing 'summary' (one sentence of text). [missing-field]"),
    ("missing owner", {"owner": None}, None,
     "1: error: no 'owner': name the expert who keeps this article right. [missing-owner]"),
    ("two sentences", {"summary": "Reset it. Then wait."}, None,
     "3: warning: the summary has more than one sentence; keep it to one. [one-sentence-summary]"),
    ("no depth tabs", {}, NO_TABS,
     '14: error: a how-to article needs both depths; missing the `=== "Beginner"` and `=== "Expert"` tab. [missing-depth]'),
    ("one depth", {}, ONLY_BEGINNER,
     '18: error: a how-to article needs both depths; missing the `=== "Expert"` tab. [missing-depth]'),
    ("tab label", {}, LOWERCASE_TAB,
     '18: error: tab "beginner" should be labelled exactly "Beginner" so the site-wide depth switch finds it. [tab-label]'),
    ("empty tab", {}, EMPTY_TAB,
     '18: error: the "Beginner" tab is empty; write its steps, indented four spaces under `=== "Beginner"`. [empty-tab]'),
    ("step without label", {}, NO_LABEL,
     "20: warning: Beginner step 1 names no on-screen label; put the exact label in **bold** and say where it is. "
     "[step-without-label]"),
    ("kcs missing", {"type": "troubleshooting"}, KCS_PARTIAL,
     "14: error: a troubleshooting article needs the headings ## Issue, ## Environment, ## Resolution and ## Cause; "
     "missing: Environment, Cause. [kcs-shape]"),
    ("kcs order", {"type": "troubleshooting"}, KCS_ORDER,
     "14: error: put the headings in the order Issue, Environment, Resolution, Cause. [kcs-shape]"),
    ("broken link", {}, f"See [the other](missing.md).\n\n{TABS}",
     "16: error: link to 'missing.md': no such file 'router/missing.md' in the docs folder. [broken-link]"),
    ("broken anchor", {}, f"See [here](#nowhere).\n\n{TABS}",
     "16: error: link to '#nowhere': router/a.md has no heading with the anchor #nowhere. [broken-anchor]"),
    ("overdue", {"reviewed": "2020-01-01"}, None,
     "1: warning: review overdue since 2020-06-29; owner ana should review it and update 'reviewed'. [review-overdue]"),
]


@pytest.mark.parametrize(("changes", "body", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_problem_has_one_exact_finding(write_docs, changes, body, expected):
    docs = write_docs({"router/a.md": article("Reset the router", body=body, **changes)})
    result = CliRunner().invoke(main, ["check", str(docs)], catch_exceptions=False)
    lines = result.output.splitlines()
    assert lines[:-1] == [f"{docs}/router/a.md:{expected}"]
    errors = expected.split(": ")[1] == "error"
    assert lines[-1] == f"1 articles checked: {int(errors)} error{'' if errors else 's'}, {int(not errors)} warning{'s' if errors else ''}"
    assert result.exit_code == (1 if errors else 0)


def test_front_matter_syntax_error_names_the_line(write_docs):
    text = "---\ntitle: A\nsummary: [unclosed\nproduct: router\n---\n# A\n"
    docs = write_docs({"router/a.md": text})
    result = CliRunner().invoke(main, ["check", str(docs)], catch_exceptions=False)
    assert result.exit_code == 1
    assert f"{docs}/router/a.md:4: error: the front matter is not valid YAML" in result.output
    assert "[front-matter]" in result.output


def test_no_front_matter_is_one_finding(write_docs):
    docs = write_docs({"router/a.md": "# Plain\n\nText.\n"})
    result = CliRunner().invoke(main, ["check", str(docs)], catch_exceptions=False)
    assert result.output.count("error:") == 1 and "[no-front-matter]" in result.output


def test_collection_rules_duplicate_title_and_draft_link(write_docs):
    docs = write_docs({
        "router/a.md": article("Same", body=f"[b](b.md)\n\n{TABS}"),
        "router/b.md": article("same", status="draft"),
    })
    result = CliRunner().invoke(main, ["check", str(docs), "--json"], catch_exceptions=False)
    data = json.loads(result.output)
    rules = {(f["path"], f["rule"], f["severity"]) for f in data["findings"]}
    assert rules == {("router/a.md", "draft-linked", "warning"), ("router/b.md", "duplicate-title", "error")}
    assert data["summary"] == {"articles": 2, "errors": 1, "warnings": 1}
    assert result.exit_code == 1


def test_strict_fails_on_warnings(write_docs):
    docs = write_docs({"router/a.md": article(reviewed="2020-01-01")})
    runner = CliRunner()
    assert runner.invoke(main, ["check", str(docs)]).exit_code == 0
    assert runner.invoke(main, ["check", str(docs), "--strict"]).exit_code == 1


def test_links_to_landing_pages_images_and_sections_are_fine(write_docs):
    body = "See [router](../router/index.md), [pic](img.png), [b](b.md#steps), [web](https://example.com).\n\n" + TABS
    docs = write_docs({"router/a.md": article(body=body), "router/b.md": article("B"), "router/img.png": "x"})
    result = CliRunner().invoke(main, ["check", str(docs)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "2 articles checked: 0 errors, 0 warnings"


def test_missing_docs_folder_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(main, ["check", str(tmp_path / "nope")])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and "no such folder" in result.output
    assert "Traceback" not in result.output


def test_sample_kb_has_no_errors():
    result = CliRunner().invoke(main, ["check", "docs"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "0 errors" in result.output.splitlines()[-1]


def test_corpus_check_runs(corpus):
    result = CliRunner().invoke(main, ["check", str(corpus), "--json"], catch_exceptions=False)
    data = json.loads(result.output)
    assert data["summary"]["articles"] > 400
    assert result.exit_code == 1  # no product metadata there: reported, not crashed
    assert {f["rule"] for f in data["findings"]} >= {"unknown-key", "missing-field"}


def test_findability_reports_a_customer_phrase_that_misses_its_article(write_docs):
    # Three articles are about red lights; b only lists the phrase, so it lands fourth.
    red = {f"router/red{n}.md": article(f"Hub lights are red {n}", summary="When the hub lights are red.",
                                        customer_says="[hub lights are red]") for n in range(3)}
    docs = write_docs({**red, "router/b.md": article("Change the Wi-Fi password", customer_says="[hub lights are red]")})
    result = CliRunner().invoke(main, ["check", str(docs)], catch_exceptions=False)
    assert result.output.splitlines()[:-1] == [
        f'{docs}/router/b.md:7: warning: customer phrase "hub lights are red" finds it only at rank 4 '
        '(first: "Hub lights are red 0"); owner ana: use the customer\'s words in the summary, a heading or the text. '
        "[findability]"]
    assert result.exit_code == 0
    skipped = CliRunner().invoke(main, ["check", str(docs), "--no-findability"], catch_exceptions=False)
    assert "[findability]" not in skipped.output


def test_findability_can_search_an_existing_index(write_docs, tmp_path):
    docs = write_docs({"router/a.md": article("Reset the router", customer_says="[router is broken, lights are off]")})
    runner = CliRunner()
    missing = runner.invoke(main, ["check", str(docs), "--index", str(tmp_path / "none")])
    assert missing.exit_code == 1 and "build it with `kb index`" in missing.output
    assert runner.invoke(main, ["index", str(docs), "--index", str(tmp_path / "ix")]).exit_code == 0
    result = runner.invoke(main, ["check", str(docs), "--index", str(tmp_path / "ix")], catch_exceptions=False)
    assert result.output.strip() == "1 articles checked: 0 errors, 0 warnings"
