"""`kb check`: one fixture per problem, with the exact message, line and exit code."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner
from conftest import article

from kb_tools.cli import main

SEEN = "\n\n        Checkpoint: the light turns white.\n"  # every step that asks for an action has one
NO_TABS = "## Steps\n\n1. Press **Reset**.\n\n    Checkpoint: the light turns white.\n"
ONLY_BEGINNER = f'## Steps\n\n=== "Beginner"\n\n    1. Press **Reset**.{SEEN}'
LOWERCASE_TAB = f'## Steps\n\n=== "beginner"\n\n    1. Press **Reset**.{SEEN}\n=== "Expert"\n\n    1. Reset.{SEEN}'
EMPTY_TAB = f'## Steps\n\n=== "Beginner"\n\n=== "Expert"\n\n    1. Reset.{SEEN}'
NO_LABEL = f'## Steps\n\n=== "Beginner"\n\n    1. Wait a minute.{SEEN}\n=== "Expert"\n\n    1. Wait.{SEEN}'
TABS = f'=== "Beginner"\n\n    1. Press **Reset**.{SEEN}\n=== "Expert"\n\n    1. Reset.{SEEN}'
AGENT_VOICE = (f'## Steps\n\n=== "Beginner"\n\n    1. Find the **Reset** hole on the back.\n       Tell them to press it.'
               f'{SEEN}\n=== "Expert"\n\n    1. Reset.{SEEN}')
AGENT_BLOCK = (f'## Steps\n\n=== "Beginner"\n\n    1. Press **Reset**.\n\n        !!! agent "For agents"\n'
               f'            Ask the customer to read out the account number first.\n{SEEN}\n=== "Expert"\n\n    1. Reset.{SEEN}')
KCS_PARTIAL = f"## Issue\n\nIt breaks.\n\n## Resolution\n\n{TABS}"
KCS_ORDER = f"## Environment\n\nAny.\n\n## Issue\n\nIt breaks.\n\n## Resolution\n\n{TABS}\n## Cause\n\nWhy.\n"

CASES = [
    # (id, front matter changes, body, expected "line: severity: message [rule]")
    ("unknown key", {"colour": "blue"}, None,
     "12: error: unknown front matter key 'colour'; the known keys are: title, summary, product, type, tags, "
     "customer_says, owner, reviewed, review_every, status, escalation, affects, since, fixed_on, visibility. [unknown-key]"),
    ("unknown visibility", {"visibility": "public"}, None,
     "12: error: unknown visibility 'public'; use internal (agents only) or customer (the help centre too). "
     "[unknown-visibility]"),
    ("agent voice", {}, AGENT_VOICE,
     '21: error: step 1 speaks to the agent ("Tell them to") in a customer-visible article: write the step to '
     'whoever does it ("Open the app and tap My Hub.") and put what only the agent does in an `!!! agent` block. '
     "[agent-voice]"),
    ("wrong type", {"tags": "router"}, None, "6: error: 'tags' should be a list of words, got 'router'. [wrong-type]"),
    ("bad date", {"reviewed": "14/09/2026"}, None,
     "9: error: 'reviewed' is '14/09/2026'; write the date as YYYY-MM-DD. [bad-date]"),
    ("unknown product", {"product": "toaster"}, None,
     "4: error: unknown product 'toaster'; declared in products.yml: router, portal. [unknown-product]"),
    ("unknown type", {"type": "faq"}, None,
     "5: error: unknown type 'faq'; use one of: how-to, troubleshooting, reference, concept, playbook, "
     "known-issue. [unknown-type]"),
    ("unknown status", {"status": "done"}, None,
     "11: error: unknown status 'done'; use one of: draft, validated, archived. [unknown-status]"),
    ("missing field", {"summary": None}, None, "1: error: missing 'summary' (one sentence of text). [missing-field]"),
    ("missing owner", {"owner": None}, None,
     "1: error: no 'owner': name the expert who keeps this article right. [missing-owner]"),
    ("two sentences", {"summary": "Reset it. Then wait."}, None,
     "3: warning: the summary has more than one sentence; keep it to one. [one-sentence-summary]"),
    ("no depth tabs", {}, NO_TABS,
     '14: error: a how-to article needs both depths; missing the `=== "Beginner"` and `=== "Expert"` tab. [missing-depth]'),
    ("draft without depths", {"status": "draft"}, NO_TABS,
     '14: warning: a how-to article needs both depths; missing the `=== "Beginner"` and `=== "Expert"` tab. '
     "[missing-depth]"),
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


@pytest.mark.parametrize("changes", [{}, {"visibility": "internal"}, {"type": "playbook"}],
                         ids=["in an agent block", "internal article", "playbook"])
def test_the_agent_may_be_spoken_to_where_only_agents_read(write_docs, changes):
    body = AGENT_BLOCK if not changes else AGENT_BLOCK.replace("    1. Press **Reset**.", "    1. Ask them to press **Reset**.")
    docs = write_docs({"router/a.md": article("Reset the router", body=body, **changes)})
    result = CliRunner().invoke(main, ["check", str(docs)], catch_exceptions=False)
    assert "[agent-voice]" not in result.output
    assert "Ask them to" in (docs / "router/a.md").read_text() or not changes


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
    # The three red-light articles tie, so any of them may come first.
    assert re.fullmatch(
        re.escape(f'{docs}/router/b.md:7: warning: customer phrase "hub lights are red" finds it only at rank 4 '
                  '(first: "Hub lights are red ') + "[012]" + re.escape(
            '"); owner ana: use the customer\'s words in the summary, a heading or the text. [findability]'),
        "\n".join(result.output.splitlines()[:-1]))
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


# --- onboarding paths, the glossary and Beginner wording -----------------------------------------

GLOSSARY = "terms:\n  - term: WAN\n    definition: The hub's link to the internet.\n    jargon: true\n"
MEDIUM = ("1. Open the Brightwave application on the telephone and tap **My Hub**, the house icon in the "
          "navigation bar at the bottom of the screen.")  # Flesch reading ease 55.6
HARD = ("1. Press **Reset**. Subsequently, the configuration utility automatically reinitialises the administrative "
        "authentication credentials, necessitating comprehensive reconfiguration of every interconnected "
        "peripheral device.")  # Flesch reading ease -99


def _tabs(beginner: str, expert: str = "1. Reset.", *, beginner_seen: bool = True) -> str:
    seen = _SEEN if beginner_seen else "\n"  # readability cases measure the step alone
    return f'## Steps\n\n=== "Beginner"\n\n    {beginner}{seen}\n=== "Expert"\n\n    {expert}{_SEEN}'


_SEEN = "\n\n        Checkpoint: the light is on.\n"  # steps that ask for an action say what the customer sees


def _article(body: str, title: str = "Reset the router", **fields: object) -> str:
    return article(title, body=body, customer_says=None, **fields)  # no phrases: no findability search


def _path(steps: str, head: str = "audience: New agents\n") -> str:
    return f"---\ntitle: Basics\ntype: page\n{head}steps:\n{steps}---\n\n# Basics\n"


_READY = {
    "router/a.md": _article(_tabs("1. Press **Reset**.")),
    "router/b.md": _article(_tabs("1. Press **Reset**."), "Draft one", status="draft"),
    "router/c.md": _article(_tabs("1. Press **Reset**."), "Old one", status="archived"),
    "index.md": "---\ntitle: Home\ntype: page\n---\n\n# Home\n",
}
_UNSEEN_D = ("router/d.md:19: warning: Beginner step 1 asks the customer to do something but has no checkpoint; "
             "add `Checkpoint:` with what they should see once it worked. [missing-checkpoint]")
_MOCK = "  - mock_call: A caller rings.\n    use: router/a.md\n"

LEARNING_CASES = [
    # (id, files written besides _READY, expected "path:line: severity: message [rule]" lines)
    ("path: no such article", {"paths/basics.md": _path("  - read: router/nope.md\n")},
     ["paths/basics.md:6: error: step 1: no article 'router/nope.md' in the docs folder; write its path from the "
      "docs folder, e.g. homehub/set-up-homehub.md. [path-article]"]),
    ("path: draft", {"paths/basics.md": _path("  - read: router/b.md\n")},
     ["paths/basics.md:6: error: step 1: router/b.md is a draft; a path uses only validated articles. [path-article]"]),
    ("path: archived", {"paths/basics.md": _path(f"  - read: router/a.md\n{_MOCK}    minutes: 5\n"
                                                 "  - read: router/c.md\n")},
     ["paths/basics.md:10: error: step 3: router/c.md is archived; a path uses only validated articles. "
      "[path-article]"]),
    ("path: a page", {"paths/basics.md": _path("  - read: index.md\n")},
     ["paths/basics.md:6: error: step 1: index.md is a page, not an article. [path-article]"]),
    ("path: same article twice", {"paths/basics.md": _path("  - read: router/a.md\n  - read: router/a.md\n")},
     ["paths/basics.md:7: error: step 2: router/a.md is already step 1; keep one. [path-duplicate]"]),
    ("path: same exercise twice",
     {"paths/basics.md": _path("  - explain: Why?\n    answer: So.\n    minutes: 5\n"
                               "  - explain: Why?\n    answer: Because.\n    minutes: 3\n")},
     ["paths/basics.md:9: error: step 2: the same exercise is already step 1; keep one. [path-duplicate]"]),
    ("path: no minutes", {"paths/basics.md": _path("  - explain: Why?\n    answer: So.\n")},
     ["paths/basics.md:6: error: step 1: no 'minutes'; say how long this explain back takes, e.g. `minutes: 5`. "
      "[path-time]"]),
    ("path: zero minutes", {"paths/basics.md": _path(f"{_MOCK}    minutes: 0\n")},
     ["paths/basics.md:6: error: step 1: 'minutes' should be a whole number above 0, got 0. [path-time]"]),
    ("path: no answer", {"paths/basics.md": _path("  - explain: Why?\n    minutes: 5\n")},
     ["paths/basics.md:6: error: step 1: an explain-back step needs an 'answer': the model answer, shown on "
      "request. [path-step]"]),
    ("path: mock call without article", {"paths/basics.md": _path("  - mock_call: A caller rings.\n    minutes: 5\n")},
     ["paths/basics.md:6: error: step 1: a mock call needs 'use': the article to handle the call with. [path-step]"]),
    ("path: unknown kind", {"paths/basics.md": _path("  - watch: a video\n")},
     ["paths/basics.md:6: error: step 1: start it with exactly one of `read:` (an article), `explain:` (a question "
      "to answer in your own words) or `mock_call:` (a scenario to role-play). [path-step]"]),
    ("path: unknown step key", {"paths/basics.md": _path("  - read: router/a.md\n    minutes: 5\n")},
     ["paths/basics.md:6: error: step 1: unknown key 'minutes'; a read step takes: read, focus. [path-step]"]),
    ("path: not text", {"paths/basics.md": _path("  - read: [router/a.md]\n")},
     ["paths/basics.md:6: error: step 1: 'read' should be text. [path-step]"]),
    ("path: no audience", {"paths/basics.md": _path("  - read: router/a.md\n", head="")},
     ["paths/basics.md:1: error: a path needs 'audience': who it is for, e.g. 'New agents, week 1'. [path-field]"]),
    ("path: no steps", {"paths/basics.md": "---\ntitle: Basics\ntype: page\naudience: x\n---\n\n# Basics\n"},
     ["paths/basics.md:1: error: a path needs 'steps': a list with one `- read:`, `- explain:` or `- mock_call:` "
      "item per step. [path-field]"]),
    ("path: bad order", {"paths/basics.md": _path("  - read: router/a.md\n", head="audience: x\norder: first\n")},
     ["paths/basics.md:5: error: 'order' should be a whole number (1 is listed first), got 'first'. [path-field]"]),
    ("jargon unexplained", {"glossary.yml": GLOSSARY, "router/d.md": _article(_tabs("1. Check the **WAN** light."), "D")},
     ['router/d.md:19: warning: the Beginner tab uses the jargon term "WAN" without explaining it; link it to the '
      "glossary ([WAN](../glossary.md#wan)) or say what it means in plain words. [beginner-jargon]"]),
    ("jargon linked to the glossary",
     {"glossary.yml": GLOSSARY, "router/d.md": _article(_tabs("1. Check the [WAN](../glossary.md#wan) light, **Internet**."), "D")},
     []),
    ("jargon explained in brackets",
     {"glossary.yml": GLOSSARY, "router/d.md": _article(_tabs("1. Check the **WAN** (internet) light."), "D")}, []),
    ("jargon in the Expert tab only",
     {"glossary.yml": GLOSSARY, "router/d.md": _article(_tabs("1. Press **Reset**.", "1. Check WAN."), "D")}, []),
    ("jargon explained only in the Expert tab",
     {"glossary.yml": GLOSSARY,
      "router/d.md": _article(_tabs("1. Check **WAN**.", "1. Check [WAN](../glossary.md#wan)."), "D")},
     ['router/d.md:19: warning: the Beginner tab uses the jargon term "WAN" without explaining it; link it to the '
      "glossary ([WAN](../glossary.md#wan)) or say what it means in plain words. [beginner-jargon]"]),
    ("glossary anchor missing",
     {"glossary.yml": GLOSSARY, "router/d.md": _article("See [the line](../glossary.md#lan).\n\n" + _tabs("1. Press **Reset**."), "D")},
     ["router/d.md:15: error: link to '../glossary.md#lan': the glossary has no term with the anchor #lan. "
      "[broken-anchor]"]),
    ("hard Beginner tab", {"router/d.md": _article(_tabs(HARD, beginner_seen=False), "D")},
     ["router/d.md:17: warning: the Beginner tab reads at -99 on the Flesch reading-ease scale, below 60: use "
      "shorter sentences and everyday words. [reading-ease]", _UNSEEN_D]),
    ("hard Expert tab", {"router/d.md": _article(_tabs("1. Press **Reset**.", HARD), "D")}, []),
    ("medium Beginner tab, default threshold", {"router/d.md": _article(_tabs(MEDIUM, beginner_seen=False), "D")},
     ["router/d.md:17: warning: the Beginner tab reads at 56 on the Flesch reading-ease scale, below 60: use "
      "shorter sentences and everyday words. [reading-ease]", _UNSEEN_D]),
    ("medium Beginner tab, threshold lowered",
     {"glossary.yml": "beginner_reading_ease: 50\nterms: []\n",
      "router/d.md": _article(_tabs(MEDIUM, beginner_seen=False), "D")}, [_UNSEEN_D]),
    ("glossary problems",
     {"glossary.yml": "beginner_reading_ease: high\nterms:\n  - term: WAN\n  - term: LAN\n    definition: x\n"
                      "    colour: red\n  - term: SSID\n    definition: y\n  - term: ssid\n    definition: z\n"
                      "  - just text\n  - term: DNS\n    definition: d\n    jargon: maybe\nextra: 1\n"},
     ["glossary.yml:1: error: 'beginner_reading_ease' should be a number from 0 to 100, got 'high'. [glossary]",
      "glossary.yml:3: error: term 1: missing 'definition' (text). [glossary]",
      "glossary.yml:4: error: term 2: unknown key 'colour'; an entry takes: term, definition, synonyms, jargon. "
      "[glossary]",
      "glossary.yml:9: error: the term 'ssid' is already defined on line 7; merge the two entries. [glossary]",
      "glossary.yml:11: error: term 5: expected `term:` and `definition:` lines, got a single value. [glossary]",
      "glossary.yml:12: error: term 6: 'jargon' should be true or false, got 'maybe'. [glossary]",
      "glossary.yml:15: error: unknown key 'extra'; the glossary file takes: terms, beginner_reading_ease. [glossary]"]),
    ("glossary not YAML", {"glossary.yml": "terms: [unclosed\n"},
     ["glossary.yml:2: error: not valid YAML: while parsing a flow sequence, expected ',' or ']', but got "
      "'<stream end>'. [glossary]"]),
]


@pytest.mark.parametrize(("files", "expected"), [c[1:] for c in LEARNING_CASES], ids=[c[0] for c in LEARNING_CASES])
def test_each_path_and_wording_problem_has_one_exact_finding(write_docs, files, expected):
    docs = write_docs({**_READY, **files})
    result = CliRunner().invoke(main, ["check", str(docs)], catch_exceptions=False)
    lines = [line.replace(f"{docs}/", "") for line in result.output.splitlines()[:-1]]
    assert lines == expected
    assert result.exit_code == (1 if any(": error: " in line for line in expected) else 0)
