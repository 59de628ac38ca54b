"""No template left behind: every `((slot))` of `kb new`'s templates is found by `kb check`, with its line."""

from __future__ import annotations

import re
from importlib import resources

import pytest
from click.testing import CliRunner

from kb_tools.cli import main
from kb_tools.content.checks import check_collection
from kb_tools.content.metadata import ARTICLE_TYPES
from kb_tools.content.model import load_collection
from kb_tools.content.placeholders import PLACEHOLDER

TEMPLATES = resources.files("kb_tools.content").joinpath("templates")


def _new(docs, kind: str, title: str = "Set up Wi-Fi calling") -> str:
    result = CliRunner().invoke(main, ["new", title, "--product", "router", "--type", kind, "--owner", "sam.writer",
                                       "--docs", str(docs)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return ("known-issues/" if kind == "known-issue" else "router/") + re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") + ".md"


def _placeholder_lines(text: str) -> list[int]:
    return [number for number, line in enumerate(text.splitlines(), start=1) if "((" in line]


@pytest.mark.parametrize("kind", ARTICLE_TYPES)
def test_every_template_slot_is_written_as_a_placeholder(kind):
    """The form the rule relies on: a template's only parentheses are `((slots))`."""
    text = TEMPLATES.joinpath(f"{kind}.md").read_text("utf-8")
    left = [(number, line) for number, line in enumerate(PLACEHOLDER.sub("", text).splitlines(), start=1)
            if "(" in line or ")" in line]
    assert not left, f"{kind}.md: write every slot to fill as ((...)), the form `kb check` finds: {left}"
    assert PLACEHOLDER.search(text)


@pytest.mark.parametrize("kind", ARTICLE_TYPES)
@pytest.mark.parametrize(("status", "severity"), [("draft", "warning"), ("validated", "error")])
def test_the_rule_finds_every_placeholder_of_every_template(write_docs, kind, status, severity):
    docs = write_docs({})
    path = _new(docs, kind)
    source = docs / path
    written = "investigating" if kind == "known-issue" and status == "validated" else status  # an open issue
    source.write_text(source.read_text().replace("status: draft", f"status: {written}"))
    expected_lines = _placeholder_lines(source.read_text())
    assert len(expected_lines) >= 3  # at least a customer phrase, the summary and a body slot

    findings = [f for f in check_collection(load_collection(docs)).findings if f.rule == "placeholder"]
    assert [(f.line, f.severity) for f in findings] == [(line, severity) for line in expected_lines]

    filled = PLACEHOLDER.sub(lambda m: m.group(0)[2:-2].replace("(", "").replace(")", ""), source.read_text())
    source.write_text(filled)
    assert [f for f in check_collection(load_collection(docs)).findings if f.rule == "placeholder"] == []


def test_a_validated_article_straight_from_the_template_fails_with_the_lines(write_docs):
    """The issue's case: `kb new`, then `status: validated` without filling anything in."""
    docs = write_docs({})
    path = _new(docs, "how-to")
    source = docs / path
    source.write_text(source.read_text().replace("status: draft", "status: validated"))
    result = CliRunner().invoke(main, ["check", str(docs), "--no-findability"], catch_exceptions=False)
    assert result.exit_code == 1
    assert (f"{source}:27: error: template text left to fill in: ((Plain words.)), ((Label)), ((icon)), "
            "((place on the screen)); replace it with the real text. [placeholder]") in result.output.splitlines()
    assert (f"{source}:8: error: template text left to fill in: ((a phrase a customer would use for this task)); "
            "replace it with the real text. [placeholder]") in result.output.splitlines()


def test_code_and_ordinary_brackets_are_not_placeholders(write_docs):
    from conftest import article

    body = ('Mbps (megabits per second) is the unit.\n\nWrite slots as `((what goes here))`.\n\n'
            '```\n((shown in a code block))\n```\n\n'
            '=== "Beginner"\n\n    1. Press **Reset**, the button on the back.\n\n'
            '=== "Expert"\n\n    1. Hold reset 2 s.\n')
    docs = write_docs({"router/a.md": article(body=body)})
    assert [f for f in check_collection(load_collection(docs)).findings if f.rule == "placeholder"] == []
