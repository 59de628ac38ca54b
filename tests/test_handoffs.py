"""Hand-offs and known issues in the content: docs/teams.yml, `escalation:`, `→ hand off` outcomes,
`type: known-issue`, their `kb check` rules (exact messages), the site's card and data, `kb known-issues`."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SAMPLE_DOCS, article, run_mkdocs_build

from kb_tools.cli import main
from kb_tools.content.config import load_config
from kb_tools.content.known_issues import known_issue_cards, open_issues
from kb_tools.errors import ConfigError

TEAMS_YML = """\
teams:
  - id: network-support
    name: Network Support
    how: Transfer to extension 4410.
    hours: Every day 07:00-23:00
    response: 4 hours
  - id: billing
    name: Billing
    how: Queue "Billing".
    hours: Weekdays 08:00-20:00
    response: 2 working days
  - id: field-engineers
    name: Field Engineers
    how: Book a visit.
"""
ALL_TEAMS = "network-support, billing, field-engineers"
SEEN = "\n\n        Checkpoint: the light turns white.\n"
ESCALATION = ("\n  team: network-support\n  collect: [the BW- reference, when it drops]\n"
              "  tell_caller: Network Support will call you back within 4 hours.\n  callback: network-support")


def steps(beginner_outcomes: str, expert: str = "1. Reset.") -> str:
    return (f'## Steps\n\n=== "Beginner"\n\n    1. Press **Reset**.{SEEN}\n{beginner_outcomes}\n'
            f'=== "Expert"\n\n    {expert}{SEEN}')


def check(docs: Path, *args: str) -> tuple[int, list[str]]:
    result = CliRunner().invoke(main, ["check", str(docs), "--no-findability", *args], catch_exceptions=False)
    return result.exit_code, result.output.splitlines()


def docs_with(write_docs, files: dict[str, str], teams: str = TEAMS_YML) -> Path:
    docs = write_docs(files)
    (docs / "teams.yml").write_text(teams, encoding="utf-8")
    return docs


# --- teams.yml ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("teams", "message"), [
    ("teams: nope\n", "teams.yml:1: expected a `teams:` list of {id, name, how, hours, response} entries."),
    ("teams:\n  - id: a\n    name: A\n  - name: B\n",
     "teams.yml:4: team 2 needs an `id` of lower-case letters, digits and dashes, e.g. `id: network-support`."),
    ("teams:\n  - id: a\n    name: A\n  - id: a\n    name: Again\n",
     "teams.yml:4: team id 'a' is declared twice (first on line 2)."),
    ("teams:\n  - id: a\n    name: A\n    phone: 4410\n",
     "teams.yml:2: team 1 has an unknown key 'phone'; the keys are: id, name, how, hours, response."),
    ("teams:\n  - id: a\n", "teams.yml:2: team 1 (a) needs a `name`, e.g. `name: Network Support`."),
    ("teams:\n  - id: agent\n    name: Me\n", "teams.yml:2: team 1: `agent` is reserved"),
    ("teams: [\n", "teams.yml:2: not valid YAML"),
])
def test_a_bad_teams_file_names_its_file_and_line(write_docs, teams: str, message: str):
    docs = docs_with(write_docs, {}, teams)
    with pytest.raises(ConfigError) as raised:
        load_config(docs)
    assert str(raised.value).startswith(f"{docs}/{message}")
    result = CliRunner().invoke(main, ["check", str(docs)])
    assert result.exit_code == 1 and "Traceback" not in result.output and message.split(":")[1] in result.output


def test_the_sample_teams_load_with_how_hours_and_response():
    teams = load_config(SAMPLE_DOCS).teams
    ids = [team.id for team in teams.teams]
    assert {"network-support", "field-engineers", "billing", "account-security", "customer-relations",
            "returns"} <= set(ids)
    assert all(team.how and team.hours and team.response for team in teams.teams)
    assert teams.get("Network Support") is teams.get("network-support")


# --- kb check: hand-offs (exact messages) ---------------------------------------------------------

HANDOFF_CASES = [
    ("outcome names an unknown team", {}, "        - Still orange → hand off to the app team with the logs\n",
     "24: error: the hand-off names 'the app team', which is not a team of teams.yml "
     f"({ALL_TEAMS}); write `→ hand off to TEAM-ID`. [unknown-team]"),
    ("plain hand off without escalation", {}, "        - Still orange → hand off with the BW- reference\n",
     "24: error: this hand-off names no team: write `→ hand off to TEAM-ID`, or add `escalation:` to the front "
     f"matter (teams: {ALL_TEAMS}). [handoff-no-team]"),
    ("prose says escalate without a team", {}, "    If it stays orange, escalate.\n",
     "16: error: 'escalate' without a team: add `escalation:` to the front matter (the team, what to collect, "
     f"what to tell the caller), or name a team of teams.yml ({ALL_TEAMS}). [handoff-no-team]"),
    ("team without a response time", {}, "        - No visit booked → hand off to field-engineers\n",
     "24: error: the hand-off goes to Field Engineers, which has no response time: add `response:` to "
     "field-engineers in teams.yml, so the agent can tell the caller when to expect an answer. [handoff-no-response]"),
    ("escalation to an unknown team", {"escalation": "\n  team: tier-9"}, "",
     "12: error: 'escalation' names the team 'tier-9', which teams.yml does not declare; the teams are: "
     f"{ALL_TEAMS}. [unknown-team]"),
    ("escalation callback nobody", {"escalation": "\n  team: billing\n  callback: someone"}, "",
     "12: error: 'escalation.callback' is 'someone': name who calls the customer back, a team of teams.yml "
     f"({ALL_TEAMS}) or `agent` (the agent on the call). [unknown-team]"),
    ("customer asked to call back", {},
     "    If it drops again, send diagnostics and call us back with the reference.\n",
     "16: error: 'call us back' makes the customer chase us: own the follow-up instead (set `escalation.callback` "
     "to the team that calls back, or `agent`, and say when). [customer-chase]"),
    ("customer asked to ring again", {"escalation": "\n  team: billing"}, "    Ring us again tomorrow.\n",
     "18: error: 'Ring us again' makes the customer chase us: own the follow-up instead (set "
     "`escalation.callback` to the team that calls back, or `agent`, and say when). [customer-chase]"),
    ("a draft's unknown team is a warning", {"status": "draft"},
     "        - Still orange → hand off to tier-9\n",
     "24: warning: the hand-off names 'tier-9', which is not a team of teams.yml "
     f"({ALL_TEAMS}); write `→ hand off to TEAM-ID`. [unknown-team]"),
]


@pytest.mark.parametrize(("changes", "outcome", "expected"), [c[1:] for c in HANDOFF_CASES],
                         ids=[c[0] for c in HANDOFF_CASES])
def test_each_handoff_problem_has_one_exact_finding(write_docs, changes, outcome, expected):
    body = steps(outcome) if outcome.startswith("        -") else f"{outcome}\n{steps('')}"
    if "escalation" in changes and not outcome:
        body = steps("")
    docs = docs_with(write_docs, {"router/a.md": article("Reset the router", body=body, **changes)})
    _, lines = check(docs)
    assert [line for line in lines[:-1] if "/teams.yml:" not in line] == [f"{docs}/router/a.md:{expected}"]


def test_a_team_without_how_or_response_is_reported_in_teams_yml(write_docs):
    docs = docs_with(write_docs, {"router/a.md": article()})
    _, lines = check(docs)
    assert lines[:-1] == [f"{docs}/teams.yml:12: error: team 'field-engineers' has no `response`: say how to reach it "
                          "(queue, form or transfer number) and how soon it answers (e.g. `response: 4 hours`). "
                          "[team-incomplete]"]


def test_handoffs_that_resolve_are_clean(write_docs):
    outcomes = ("        - Still orange → hand off with the BW- reference\n"
                "        - Card declined → hand off to Billing with the time of the attempt\n")
    body = "If it stays orange after the steps, escalate with the BW- reference.\n\n" + steps(outcomes)
    docs = docs_with(write_docs, {
        "router/a.md": article(body=body, escalation=ESCALATION),
        "router/b.md": article("Reset the portal", body="Call us back? No: we call you.\n\n" + steps(""),
                               escalation="\n  team: billing\n  callback: agent")}, TEAMS_YML + "    response: 1 day\n")
    assert check(docs) == (0, ["2 articles checked: 0 errors, 0 warnings"])


def test_customer_chase_skips_agent_blocks_and_internal_articles(write_docs):
    """What an `!!! agent` block says (inside a step or between paragraphs) reaches no customer; the line
    after the block does, and an internal article is the agents' own."""
    agent_step = ('    1. Press **Reset**.\n\n        !!! agent "For agents"\n            If the caller must call us back '
                  'later, note why in the case.\n\n        Checkpoint: the light turns white.\n')
    body = ('!!! agent "For agents"\n    A repeat caller may ring us again: link the cases.\n\n'
            'If it drops again, call us back with the reference.\n\n'
            f'## Steps\n\n=== "Beginner"\n\n{agent_step}\n=== "Expert"\n\n    1. Reset.{SEEN}')
    docs = docs_with(write_docs, {
        "router/a.md": article(body=body),
        "router/b.md": article("Reset the portal", body="Call us back tomorrow.\n\n" + steps(""),
                               visibility="internal")}, TEAMS_YML + "    response: 1 day\n")
    assert check(docs) == (1, [f"{docs}/router/a.md:19: error: 'call us back' makes the customer chase us: own the "
                               "follow-up instead (set `escalation.callback` to the team that calls back, or `agent`, "
                               "and say when). [customer-chase]", "2 articles checked: 1 error, 0 warnings"])


def test_without_teams_yml_hand_off_notes_stay_free_text(write_docs):
    docs = write_docs({"router/a.md": article(body=steps("        - Still orange → hand off to the app team\n"))})
    assert check(docs) == (0, ["1 articles checked: 0 errors, 0 warnings"])


def test_the_sample_knowledge_base_has_no_errors_and_wifi_drops_no_longer_make_the_customer_call_back():
    code, lines = check(SAMPLE_DOCS)
    assert code == 0 and re.search(r"checked: 0 errors", lines[-1])
    text = (SAMPLE_DOCS / "homehub/wifi-keeps-dropping.md").read_text(encoding="utf-8")
    assert "call back with the reference" not in text and "callback: network-support" in text


# --- known issues ---------------------------------------------------------------------------------

ISSUE_BODY = ("## What customers see\n\nNo internet.\n\n## Workaround\n\nNone.\n\n"
              "## What to tell callers\n\nWe are on it.\n")


def issue(status: str = "investigating", body: str = ISSUE_BODY, **fields: object) -> str:
    values: dict[str, object] = {"type": "known-issue", "status": status, "since": "2026-11-20",
                                 "affects": "[router, portal]", "customer_says": "[internet down]"}
    values.update(fields)
    return article(str(values.pop("title", "Outage in the north")), body=body, **values)


ISSUE_CASES = [
    ("missing sections", {}, "## What customers see\n\nNo internet.\n",
     "1: error: a known issue needs the headings ## What customers see, ## Workaround, ## What to tell callers; "
     "missing: Workaround, What to tell callers. [known-issue-shape]"),
    ("unknown state", {"status": "solved"}, ISSUE_BODY,
     "11: error: a known issue's status is one of investigating, identified, fixed (or draft, archived), "
     "not 'solved'. [unknown-status]"),
    ("fixed without a date", {"status": "fixed"}, ISSUE_BODY,
     "11: error: a fixed known issue needs 'fixed_on': the date it was fixed (YYYY-MM-DD). [missing-field]"),
    ("fixed_on while open", {"fixed_on": "2026-11-21"}, ISSUE_BODY,
     "14: error: 'fixed_on' is only for a fixed issue; this one is investigating. [known-issue-dates]"),
    ("unknown affected product", {"affects": "[router, toaster]"}, ISSUE_BODY,
     "13: error: 'affects' names the unknown product 'toaster'; declared in products.yml: router, portal. "
     "[unknown-product]"),
    ("fixed long ago", {"status": "fixed", "since": "2026-10-20", "fixed_on": "2026-11-01"}, ISSUE_BODY,
     "1: warning: fixed on 2026-11-01, 27 days ago: set `status: archived` (old links keep working; the desk and "
     "search leave it out). Suggested 14 days after the fix. [archive-fixed-issue]"),
]


@pytest.mark.parametrize(("changes", "body", "expected"), [c[1:] for c in ISSUE_CASES], ids=[c[0] for c in ISSUE_CASES])
def test_each_known_issue_problem_has_one_exact_finding(write_docs, changes, body, expected):
    fields = {"status": "investigating", **changes}
    docs = docs_with(write_docs, {"known-issues/outage.md": issue(body=body, **fields)},
                     TEAMS_YML + "    response: 1 day\n")
    from kb_tools.content.checks import check_collection
    from kb_tools.content.model import load_collection

    report = check_collection(load_collection(docs), today=dt.date(2026, 11, 28))
    assert [f"{f.line}: {f.severity}: {f.message} [{f.rule}]" for f in report.findings] == [expected]


def test_archiving_is_suggested_after_the_documented_delay(write_docs):
    docs = docs_with(write_docs, {"known-issues/outage.md": issue("fixed", fixed_on=dt.date.today().isoformat())},
                     TEAMS_YML + "    response: 1 day\n")
    assert check(docs)[0] == 0 and "[archive-fixed-issue]" not in "\n".join(check(docs)[1])
    assert any("0 days ago" in line and "[archive-fixed-issue]" in line for line in check(docs, "--archive-after", "0")[1])


def test_a_known_issue_outside_its_folder_is_told_where_it_goes(write_docs):
    docs = docs_with(write_docs, {"router/outage.md": issue()}, TEAMS_YML + "    response: 1 day\n")
    assert check(docs)[1][:-1] == [f"{docs}/router/outage.md:1: warning: known issues live in docs/known-issues/: "
                                   "move this file there. [known-issue-place]"]


def test_kb_known_issues_lists_the_open_ones(write_docs):
    docs = docs_with(write_docs, {
        "known-issues/outage.md": issue(),
        "known-issues/app.md": issue("identified", title="App crash", since="2026-11-25"),
        "known-issues/old.md": issue("fixed", title="Old slowness", fixed_on="2026-11-24"),
        "known-issues/gone.md": issue("archived", title="Long gone"),
    })
    runner = CliRunner()
    listed = runner.invoke(main, ["known-issues", str(docs)], catch_exceptions=False)
    assert listed.exit_code == 0
    assert listed.output.splitlines() == [
        f"identified    since 2026-11-25    router, portal   App crash  ({docs}/known-issues/app.md)",
        f"investigating since 2026-11-20    router, portal   Outage in the north  ({docs}/known-issues/outage.md)",
        "2 open known issues"]
    data = json.loads(runner.invoke(main, ["known-issues", str(docs), "--json", "--all"]).output)
    assert [(i["title"], i["status"]) for i in data] == [
        ("App crash", "identified"), ("Outage in the north", "investigating"), ("Old slowness", "fixed")]
    assert data[0]["url"] == "known-issues/app/" and data[0]["product_names"] == ["Router", "Portal"]
    help_text = runner.invoke(main, ["known-issues", "--help"]).output
    assert "kb known-issues --json" in help_text


def test_the_sample_has_one_open_outage_one_identified_and_one_fixed_issue():
    config = load_config(SAMPLE_DOCS)
    cards = known_issue_cards(config)
    assert sorted(card.meta.issue_status or "" for card in cards) == ["fixed", "identified", "investigating"]
    assert [issue["status"] for issue in open_issues(cards, config)] == ["investigating", "identified"]
    for name in ("homehub/no-internet-connection.md", "service-skills/courtesy-on-the-phone.md"):
        assert "../known-issues/index.md" in (SAMPLE_DOCS / name).read_text(encoding="utf-8")


# --- the site: the hand-off card and the data the desk reads -----------------------------------------


def handoff_data(page_html: str) -> dict:
    found = re.search(r'<div id="kb-handoff" hidden data-kb-handoff="([^"]*)"', page_html)
    assert found, "no hand-off data on the page"
    return json.loads(html.unescape(found.group(1)))


def test_the_built_article_shows_the_handoff_card_and_carries_its_data(sample_site: Path):
    page = (sample_site / "homehub/wifi-keeps-dropping/index.html").read_text(encoding="utf-8")
    card = re.search(r'<aside class="kb-handoff" data-team="network-support".*?</aside>', page, re.S)
    assert card, "no hand-off card"
    text = re.sub(r"<[^>]+>", " ", card.group(0))
    for part in ("If you hand off:", "Network Support", "Transfer to extension 4410", "Every day 07:00-23:00",
                 "4 hours", "Collect first", "when the drops happen", "Tell the caller",
                 "Calls the customer back"):
        assert part in html.unescape(text), part
    assert page.index('class="kb-handoff"') < page.index('<h2 id="cause"')  # after the Resolution
    data = handoff_data(page)
    assert data["article"] == "homehub/wifi-keeps-dropping.md" and data["team"]["id"] == "network-support"
    assert data["who"] == "Network Support" and data["by_when"] == "4 hours"
    assert data["what_happens_next"].startswith("I've passed this to our Network Support team")
    steps_json = re.search(r'data-kb-steps="([^"]*)"', page)
    assert steps_json
    outcomes = [o["to"] for s in json.loads(html.unescape(steps_json.group(1)))["expert"]["steps"]
                for o in s["outcomes"] if o["to"]["kind"] == "handoff"]
    assert outcomes == [{"kind": "handoff", "note": "with the reference", "team": "network-support"}]


def test_an_outcome_to_another_team_carries_that_teams_handoff(sample_site: Path):
    data = handoff_data((sample_site / "homehub/no-internet-connection/index.html").read_text(encoding="utf-8"))
    assert data["team"]["id"] == "network-support"
    assert data["other_teams"]["provisioning"]["team"]["response"] == "1 working day"
    assert data["other_teams"]["provisioning"]["who"] == "Provisioning"


def test_desk_settings_name_the_open_issues_and_the_known_issues_page_lists_them(sample_site: Path):
    settings = json.loads((sample_site / "assets/kb/desk.json").read_text(encoding="utf-8"))
    assert [(i["status"], i["products"]) for i in settings["known_issues"]] == [
        ("investigating", ["homehub", "app"]), ("identified", ["app"])]
    listing = (sample_site / "known-issues/index.html").read_text(encoding="utf-8")
    opened, fixed = listing.index('<h2 id="open-now"'), listing.index('<h2 id="recently-fixed"')
    assert opened < listing.index("No internet in Northfield", opened) < fixed < listing.index("Slow Wi-Fi", fixed)
    assert not (sample_site / "teams.yml").exists()  # configuration, not a page or a download


def test_kb_new_starts_a_known_issue_in_its_folder(write_docs):
    docs = docs_with(write_docs, {}, TEAMS_YML + "    response: 1 day\n")
    result = CliRunner().invoke(main, ["new", "Outage in the north", "-p", "router", "-t", "known-issue", "-o", "ana",
                                       "--docs", str(docs)], catch_exceptions=False)
    assert result.exit_code == 0
    code, lines = check(docs)
    assert code == 0 and all("[placeholder]" in line for line in lines[:-1])
    assert (docs / "known-issues/outage-in-the-north.md").is_file()


def test_a_site_with_escalation_builds_and_a_broken_team_stops_the_build(write_docs, tmp_path: Path):
    docs = docs_with(write_docs, {"router/a.md": article(body=steps(""), escalation=ESCALATION)},
                     TEAMS_YML + "    response: 1 day\n")
    assert run_mkdocs_build(tmp_path / "mkdocs.yml", tmp_path / "site").returncode == 0
    (docs / "router/a.md").write_text(article(body=steps(""), escalation="\n  team: nobody"), encoding="utf-8")
    failed = run_mkdocs_build(tmp_path / "mkdocs.yml", tmp_path / "site2")
    assert failed.returncode != 0 and "router/a.md:12: 'escalation' names the team 'nobody'" in failed.stderr
