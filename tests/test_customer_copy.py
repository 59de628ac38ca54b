"""Copy for the customer: the team's template (docs/templates/customer-email.md.j2) over the model's steps."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from click.testing import CliRunner
from conftest import SAMPLE_DOCS, article

from kb_tools.cli import main
from kb_tools.content.customer_copy import PROBLEM_SLOT, customer_emails, handoff_details, load_template
from kb_tools.content.model import load_collection
from kb_tools.content.steps_graph import article_link_resolver, steps_data
from kb_tools.site.handoff_pages import handoff_data

HANDOFF = {"what_happens_next": "Network Support will look at the diagnostics from your hub.",
           "who": "Network Support", "by_when": "4 hours"}


def emails_of(path: str, handoff: dict[str, str] | None = None) -> dict[str, dict[str, str]]:
    collection = load_collection(SAMPLE_DOCS)
    found = collection.get(path)
    assert found is not None
    resolve = article_link_resolver(found)
    steps = {depth: steps_data(found.sections, depth, resolve) for depth in ("beginner", "expert")}
    template = load_template(SAMPLE_DOCS)
    assert template is not None
    return customer_emails(template, title=found.title, steps_by_depth=steps, handoff=handoff)


def carried(site: Path, page: str) -> dict | None:
    """The e-mails a built page carries for Copy for the customer (None: it has none)."""
    found = re.search(r'data-kb-customer-copy="([^"]*)"', (site / page / "index.html").read_text(encoding="utf-8"))
    return json.loads(html.unescape(found.group(1))) if found else None


def test_the_email_has_the_steps_in_customer_voice_and_never_the_agent_blocks():
    collection = load_collection(SAMPLE_DOCS)
    lost_phone = collection.get("account/lost-two-step-phone.md")
    assert lost_phone is not None
    agent_only = [step.agent for step in lost_phone.steps() if step.agent]
    emails = emails_of("account/lost-two-step-phone.md")
    assert set(emails) == {"beginner", "expert"} and set(emails["beginner"]) == {"any", "solved", "not_solved"}
    for depth, by_ending in emails.items():
        for ending, text in by_ending.items():
            assert f"You told us: {PROBLEM_SLOT}" in text, (depth, ending)
            assert "account record" not in text and "Verify the customer" not in text
            assert not any(note in text for note in agent_only)
            assert re.search(r"^Subject: Your Brightwave support request: Lost the phone", text)
            assert text.endswith("Kind regards,\nBrightwave Support\n") and "\n\n\n" not in text
    beginner = emails["beginner"]
    assert "1. Check whether the same mobile number still works" in beginner["any"]
    assert "   You should then see: texts to that number still arrive, or they don't." in beginner["any"]
    assert "We're glad it's working again." in beginner["solved"]
    assert "I'll check in with you by e-mail within two working days" in beginner["not_solved"]


def test_a_handoff_says_what_happens_next_who_and_by_when():
    text = emails_of("homehub/wifi-keeps-dropping.md", HANDOFF)["beginner"]["not_solved"]
    assert ("What happens next\nNetwork Support will look at the diagnostics from your hub.\n"
            "Who will contact you: Network Support, within 4 hours. You don't\nneed to call us again") in text


def test_what_happens_next_is_the_articles_hand_off_and_another_teams_for_its_outcomes(sample_site: Path):
    """The e-mail after a hand-off says what the article's `escalation:` tells the caller, who calls back
    (teams.yml's name) and by when (the team's response); an outcome handed to another team gets that
    team's who and when."""
    wifi = carried(sample_site, "homehub/wifi-keeps-dropping")["beginner"]
    assert ("What happens next\nI've passed this to our Network Support team with your hub's diagnostics. They will "
            "call you back within 4 hours on the number on your account, and you don't need to do anything else.\n"
            "Who will contact you: Network Support, within 4 hours. You don't\n") in wifi["not_solved"]
    assert "Who will contact you" not in wifi["solved"]
    no_internet = carried(sample_site, "homehub/no-internet-connection")["expert"]
    assert "Who will contact you: Network Support, within 4 hours." in no_internet["not_solved"]
    assert ("What happens next\nWho will contact you: Provisioning, within 1 working day."
            in no_internet["not_solved:provisioning"])


def test_the_site_carries_the_emails_only_on_customer_visible_articles(sample_site: Path):
    collection = load_collection(SAMPLE_DOCS)
    wifi = collection.get("homehub/wifi-keeps-dropping.md")
    assert wifi is not None
    handoff = handoff_details(handoff_data(wifi, collection.config.teams))  # the article's `escalation:`, resolved
    assert carried(sample_site, "homehub/wifi-keeps-dropping") == emails_of("homehub/wifi-keeps-dropping.md", handoff)
    assert carried(sample_site, "service-skills/listen-and-restate") is None  # a playbook: its steps are the agent's


def test_kb_check_names_the_line_of_a_broken_template(write_docs):
    docs = write_docs({"router/a.md": article("Reset the router", customer_says=None),
                       "templates/customer-email.md.j2": "Hello,\n\n{% for step in steps %}\n{{ step.text }\n"})
    result = CliRunner().invoke(main, ["check", str(docs)], catch_exceptions=False)
    assert result.exit_code == 1
    assert (f"{docs}/templates/customer-email.md.j2:4: error: the customer e-mail template does not parse: "
            "unexpected '}'; fix this line. [customer-email]") in result.output.splitlines()


def test_kb_check_reports_a_template_that_fails_to_render(write_docs):
    docs = write_docs({"router/a.md": article("Reset the router", customer_says=None),
                       "templates/customer-email.md.j2": "Hello {{ customer_name }},\n"})
    result = CliRunner().invoke(main, ["check", str(docs)], catch_exceptions=False)
    assert (f"{docs}/templates/customer-email.md.j2:1: error: the customer e-mail template failed: "
            "'customer_name' is undefined; use only the variables listed at its top. [customer-email]") in result.output.splitlines()
