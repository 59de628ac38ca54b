"""The sample knowledge base's fixes of issue 13: the articles that flattened their branches now
branch, and the three facts that were wrong stay right (read through the content model, as the
site and call mode read them)."""

from __future__ import annotations

import re

import pytest
from conftest import SAMPLE_DOCS

from kb_tools.content.config import load_config
from kb_tools.content.model import ArticleParser


@pytest.fixture(scope="module")
def parse():
    parser = ArticleParser(load_config(SAMPLE_DOCS))
    return lambda path: parser.parse(SAMPLE_DOCS / path)


@pytest.mark.parametrize("path", ["account/cant-sign-in.md", "account/lost-two-step-phone.md",
                                  "homehub/no-internet-connection.md", "homehub/wifi-keeps-dropping.md",
                                  "app/app-crashes-on-open.md"])
def test_the_articles_that_flattened_their_branches_branch_with_outcomes(parse, path):
    article = parse(path)
    for depth in ("beginner", "expert"):
        steps = article.steps(depth)
        assert any(step.outcomes for step in steps), f"{path} {depth}: no step branches"
        prose = [s.text for s in steps if re.search(r"\b(skip|go back|jump) to step \d", s.text, re.IGNORECASE)]
        assert prose == []


def test_app_crashes_sends_the_agent_past_the_step_that_opens_the_crashing_app(parse):
    update = parse("app/update-the-app.md").steps("beginner")
    assert "open the brightwave app" in update[0].text.lower()  # the step an app that crashes cannot do
    assert "open the brightwave app" not in update[1].text.lower()
    crash = parse("app/app-crashes-on-open.md").steps("beginner")
    (sends,) = [s for s in crash if "update-the-app.md" in s.html]
    assert "without opening it" in sends.text and re.search(r"from its step 2\b|, step 2\b", sends.text)


def test_the_iphone_restart_step_does_not_call_siri(parse):
    restart = next(s for s in parse("app/app-crashes-on-open.md").steps("beginner") if "Restart the phone" in s.text)
    face_id = restart.text.split("On an iPhone with Face ID", 1)[1].split(".")[0]
    assert "side button and either volume button together" in face_id


def test_the_empathy_model_answer_agrees_with_cant_sign_in_on_the_lock(parse):
    answer = (SAMPLE_DOCS / "service-skills/show-empathy.md").read_text(encoding="utf-8").split("## Practice", 1)[1]
    assert "30 minutes" not in answer and "reset your password" in answer and "lifts the lock straight away" in answer
    lock = next(s for s in parse("account/cant-sign-in.md").steps("beginner") if "AUTH-423" in s.text
                or "locked" in s.text)
    assert "unlocks it at once" in lock.text
