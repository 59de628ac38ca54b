"""`kb review`: what is due, soonest first, with the reason; `--done` only on an article that checks clean."""

from __future__ import annotations

import datetime as dt
import json

from click.testing import CliRunner
from conftest import article

from kb_tools.cli import main
from kb_tools.content.model import load_collection
from kb_tools.content.review import due_reviews

TODAY = dt.date.today()


def _reviewed(days_ago: int) -> str:
    return (TODAY - dt.timedelta(days=days_ago)).isoformat()


def _docs(write_docs):
    # review_every 100: due 100 days after `reviewed`.
    return write_docs({
        "router/soon.md": article("Due soon", reviewed=_reviewed(80), review_every=100, owner="ana"),
        "router/late.md": article("Long overdue", reviewed=_reviewed(300), review_every=100, owner="bo"),
        "router/fine.md": article("Not due", reviewed=_reviewed(10), review_every=100, owner="ana"),
        "router/late-too.md": article("Just overdue", reviewed=_reviewed(101), review_every=100, owner="Ana"),
        "router/today.md": article("Due today", reviewed=_reviewed(100), review_every=100, owner="bo"),
        "router/old.md": article("Archived", reviewed=_reviewed(900), review_every=100, status="archived"),
        "guide.md": "---\ntitle: A page\ntype: page\n---\n\n# A page\n",
    })


def test_due_reviews_soonest_first_with_the_reason(write_docs):
    due = due_reviews(load_collection(_docs(write_docs)), today=TODAY)
    assert [(item.title, item.overdue) for item in due] == [
        ("Long overdue", True), ("Just overdue", True), ("Due today", False), ("Due soon", False)]
    assert due[0].reason == (f"overdue by 200 days (due {TODAY - dt.timedelta(days=200)}, "
                             f"last reviewed {_reviewed(300)})")
    assert due[1].reason.startswith("overdue by 1 day (")
    assert due[2].reason == f"due today (last reviewed {_reviewed(100)})"
    assert due[3].reason == f"due in 20 days (on {TODAY + dt.timedelta(days=20)}, last reviewed {_reviewed(80)})"


def test_review_lists_one_owners_articles(write_docs):
    docs = _docs(write_docs)
    result = CliRunner().invoke(main, ["review", "--owner", "ana", "--docs", str(docs)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.split(":")[0] for line in lines[:-1]] == [f"{docs}/router/late-too.md", f"{docs}/router/soon.md"]
    assert lines[-1] == "2 due for review for ana: 1 overdue, 1 within 30 days"
    listed = json.loads(CliRunner().invoke(main, ["review", "--docs", str(docs), "--json"]).output)
    assert [item["path"] for item in listed] == ["router/late.md", "router/late-too.md", "router/today.md",
                                                 "router/soon.md"]


def test_done_sets_reviewed_on_that_line_only(write_docs):
    text = article("Due soon", reviewed=f"'{_reviewed(300)}'   # last checked with Ana", review_every=100)
    text = text.replace("\n", "\r\n").replace("tags: [router]", "tags:   [ router ]")  # odd spacing stays
    docs = write_docs({"router/soon.md": ""})
    (docs / "router/soon.md").write_bytes(text.encode())
    result = CliRunner().invoke(main, ["review", str(docs / "router/soon.md"), "--done", "--docs", str(docs)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == (f"Marked {docs}/router/soon.md reviewed on {TODAY} "
                                             f"(was {_reviewed(300)}).")
    expected = text.replace(f"'{_reviewed(300)}'", f"'{TODAY}'")
    assert (docs / "router/soon.md").read_bytes() == expected.encode()
    assert due_reviews(load_collection(docs), today=TODAY) == []


def test_done_refuses_an_article_with_errors(write_docs):
    broken = article("Broken", reviewed=_reviewed(300), review_every=100,
                     body='See [it](missing.md).\n\n=== "Beginner"\n\n    1. Press **Reset**.\n\n'
                          '=== "Expert"\n\n    1. Reset.\n')
    docs = write_docs({"router/broken.md": broken})
    result = CliRunner().invoke(main, ["review", "router/broken.md", "--done", "--docs", str(docs)])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {docs}/router/broken.md is not marked reviewed: `kb check` finds 1 error(s) in it: line 16: "
        "link to 'missing.md': no such file 'router/missing.md' in the docs folder. [broken-link]. "
        "Fix them, then run `kb review router/broken.md --done` again.\n")
    assert (docs / "router/broken.md").read_text() == broken


def test_done_needs_an_article_that_exists(write_docs):
    docs = _docs(write_docs)
    result = CliRunner().invoke(main, ["review", "router/nope.md", "--done", "--docs", str(docs)])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: no article 'router/nope.md' in {docs}; give its path")
    assert "Traceback" not in result.output
    missing = CliRunner().invoke(main, ["review", "--done", "--docs", str(docs)])
    assert missing.exit_code == 2 and "give one ARTICLE with --done" in missing.output
