"""Steps that branch: the outcome form read by the content model, the `kb check` rules over the
graph (exact messages), and `kb steps` / `/api/steps` giving the same graph."""

from __future__ import annotations

import json
import textwrap
import urllib.request

import pytest
from click.testing import CliRunner
from conftest import SAMPLE_DOCS, article

from kb_tools.cli import main
from kb_tools.content.config import load_config
from kb_tools.content.model import ArticleParser

EXPERT = '=== "Expert"\n\n    1. Reset.\n\n        Checkpoint: light on.\n'


def _beginner(steps: str) -> str:
    """A how-to body whose Beginner tab holds `steps` (dedented Markdown) and a plain Expert tab."""
    indented = textwrap.indent(textwrap.dedent(steps).strip("\n"), "    ")
    return f'## Steps\n\n=== "Beginner"\n\n{indented}\n\n{EXPERT}'


BRANCHING = _beginner("""\
    1. Read the **Internet** light, see [the lights](b.md#lights).

        Checkpoint: which **colour** is it?

        - Solid white → step 2
        - Orange -> [Other](b.md#steps), step 1
        - Blinking **red** → hand off: Network Support, with the serial number
        - It works now → solved

    2. Tap **Restart**.

        Checkpoint: the light is white.

        - White → solved
        - Not white → step 1
    """)

OTHER = _beginner("1. Press **Go**.\n\n    Checkpoint: it goes.\n") + "\n## Lights\n\nThey glow.\n"


def _parse(write_docs, files: dict[str, str], path: str = "router/a.md"):
    docs = write_docs(files)
    return ArticleParser(load_config(docs)).parse(docs / path)


# --- the content model ---------------------------------------------------------------------------


def test_outcomes_under_a_checkpoint_become_the_steps_graph(write_docs):
    parsed = _parse(write_docs, {"router/a.md": article(body=BRANCHING), "router/b.md": article("B", body=OTHER)})
    first, second = parsed.steps("beginner")[:2]
    assert [(o.label, o.target, o.href) for o in first.outcomes] == [
        ("Solid white", "step 2", None),
        ("Orange", "Other, step 1", "b.md#steps"),
        ("Blinking red", "hand off: Network Support, with the serial number", None),
        ("It works now", "solved", None),
    ]
    assert [o.line for o in first.outcomes] == [24, 25, 26, 27]
    assert first.checkpoint == "which colour is it?"  # the outcomes are not part of the checkpoint
    assert first.text == "Read the Internet light, see the lights."
    assert first.html == 'Read the <strong>Internet</strong> light, see <a href="b.md#lights">the lights</a>.'
    assert first.checkpoint_html == "which <strong>colour</strong> is it?"
    assert first.outcomes[2].html == "Blinking <strong>red</strong>"
    assert [o.target for o in second.outcomes] == ["solved", "step 1"]


def test_a_list_without_arrows_stays_part_of_the_step(write_docs):
    body = _beginner("""\
        1. Press **Go**.

            Checkpoint: one of these lights:

            - white
            - blue
        """)
    step = _parse(write_docs, {"router/a.md": article(body=body)}).steps("beginner")[0]
    assert step.outcomes == ()
    assert "white" in step.text and "blue" in step.text


def test_a_linear_article_needs_no_change(write_docs):
    parsed = _parse(write_docs, {"router/a.md": article()})
    assert [s.outcomes for s in parsed.steps()] == [(), ()]


# --- kb check: one fixture per rule, the exact message ----------------------------------------------

# Step 1 branches (solved, or on to step N); step 2 follows.
_GO_OR = """\
        1. Tap **Go**.

            Checkpoint: it goes.

            - Yes → solved
            - No → step {n}

        2. Tap **Stop**.

            Checkpoint: it stops.
"""
GO_OR_STEP_2, GO_OR_STEP_3 = _GO_OR.format(n=2), _GO_OR.format(n=3)

CASES = [
    ("target: no such step", _beginner("""\
        1. Tap **Go**.

            Checkpoint: it goes.

            - Yes → step 7
            - No → solved
        """), ["router/a.md:23: error: outcome 'Yes' of Beginner step 1: there is no step 7 in this list (it has 1). "
               "[outcome-target]"]),
    ("target: not a target", _beginner("""\
        1. Tap **Go**.

            Checkpoint: it goes.

            - Yes → celebrate
        """), ["router/a.md:23: error: outcome 'Yes' of Beginner step 1: 'celebrate' is not a target; write `step N`, "
               "a link to an article or section (optionally `, step N`), `solved` or `hand off` and to whom. "
               "[outcome-target]"]),
    ("target: no such step in the other article", _beginner("""\
        1. Tap **Go**.

            Checkpoint: it goes.

            - Yes → [B](b.md#steps), step 3
        """), ["router/a.md:23: error: outcome 'Yes' of Beginner step 1: router/b.md#steps has no step 3 (it has 1). "
               "[outcome-target]"]),
    ("unreachable step", _beginner(GO_OR_STEP_3 + """\

        3. Tap **Back**.

            Checkpoint: it is back.

            - Back → solved
        """), ["router/a.md:26: error: Beginner step 2 is never reached: no outcome leads to it and the step before it "
               "branches; lead an outcome to it (→ step 2) or remove it. [unreachable-step]"]),
    ("dead end", _beginner(GO_OR_STEP_2 + """\
        """), ["router/a.md:26: error: Beginner step 2 ends a branch nowhere: under its checkpoint, lead each outcome to "
               "`solved`, a hand-off or another article. [dead-end]"]),
    ("loop with no way out", _beginner(GO_OR_STEP_2 + """\

            - Stopped → step 3

        3. Tap **Back**.

            Checkpoint: it is back.

            - Back → step 2
        """), ["router/a.md:26: error: Beginner steps 2 and 3 loop with no way out: give one of them an outcome that "
               "leaves the loop (another step, `solved`, a hand-off or another article). [no-way-out]"]),
    ("prose jump", _beginner("""\
        1. Tap **Go**. If it is already going, skip to step 3.

            Checkpoint: it goes.

        2. Tap **Stop**.

            Checkpoint: it stops.

        3. Tap **Back**.

            Checkpoint: it is back.
        """), ["router/a.md:19: error: Beginner step 1 says 'skip to step 3'; write the jump as an outcome under the "
               "checkpoint (- What they see → step N). [prose-jump]"]),
    ("go back in prose", _beginner("""\
        1. Tap **Go**.

            Checkpoint: it goes. If not, go back to step 1.
        """), ["router/a.md:19: error: Beginner step 1 says 'go back to step 1'; write the jump as an outcome under "
               "the checkpoint (- What they see → step N). [prose-jump]"]),
    ("missing checkpoint, Beginner", _beginner("1. Tap **Go**.\n"),
     ["router/a.md:19: warning: Beginner step 1 asks the customer to do something but has no checkpoint; add "
      "`Checkpoint:` with what they should see once it worked. [missing-checkpoint]"]),
    ("missing checkpoint, Expert", '## Steps\n\n=== "Beginner"\n\n    1. Tap **Go**.\n\n        Checkpoint: ok.\n\n'
     '=== "Expert"\n\n    1. Restart the hub.\n\n    2. Firmware 4.2 fixed this.\n',
     ["router/a.md:25: warning: Expert step 1 asks the customer to do something but has no checkpoint; add "
      "`Checkpoint:` with what they should see once it worked. [missing-checkpoint]"]),
]


@pytest.mark.parametrize(("body", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_steps_rule_has_one_exact_finding(write_docs, body, expected):
    docs = write_docs({"router/a.md": article(body=body, customer_says=None),
                       "router/b.md": article("B", body=OTHER, customer_says=None)})
    result = CliRunner().invoke(main, ["check", str(docs)], catch_exceptions=False)
    lines = [line.replace(f"{docs}/", "") for line in result.output.splitlines()[:-1]]
    assert lines == expected
    assert result.exit_code == (1 if any(": error: " in line for line in expected) else 0)


def test_a_good_tree_and_the_section_it_enters_are_clean(write_docs):
    docs = write_docs({"router/a.md": article(body=BRANCHING, customer_says=None),
                       "router/b.md": article("B", body=OTHER, customer_says=None)})
    result = CliRunner().invoke(main, ["check", str(docs)], catch_exceptions=False)
    assert result.output.strip() == "2 articles checked: 0 errors, 0 warnings"


def test_every_sample_article_has_a_valid_graph():
    result = CliRunner().invoke(main, ["check", str(SAMPLE_DOCS), "--no-findability", "--json"], catch_exceptions=False)
    graph_rules = {"outcome-target", "unreachable-step", "dead-end", "no-way-out", "prose-jump", "missing-checkpoint"}
    found = [f for f in json.loads(result.output)["findings"] if f["rule"] in graph_rules]
    assert found == []


# --- kb steps and /api/steps -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_index(tmp_path_factory: pytest.TempPathFactory):
    from kb_tools.search import build_index

    index = tmp_path_factory.mktemp("steps-index")
    build_index(SAMPLE_DOCS, index)
    return index


def test_kb_steps_prints_the_tree(sample_index):
    result = CliRunner().invoke(main, ["steps", "account/cant-sign-in.md", "--index", str(sample_index)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Can't sign in to My Brightwave  (beginner)  account/cant-sign-in.md"
    assert lines[2].startswith("1. Find the red message under the Sign in button")
    assert lines[3:8] == [
        "   Checkpoint: the exact wording of the message. Which is it?",
        '   - "The email or password you entered is incorrect." → step 2',
        '   - "Your account is locked after too many attempts." (AUTH-423) → step 5',
        '   - "This sign-in link has expired." (AUTH-410) → step 6',
        "   - No message: the password works, but the code never comes → account/lost-two-step-phone.md#resolution",
    ]
    assert "   - The same red message again → step 4" in lines
    assert "   - \"Reset your password\" → account/reset-password.md#steps, step 2" in lines


def test_kb_steps_json_is_the_graph_and_api_steps_returns_it(sample_index, served_kb):
    result = CliRunner().invoke(main, ["steps", "account/cant-sign-in.md", "--json", "--index", str(sample_index)])
    graph = json.loads(result.output)
    first = graph["steps"][0]
    assert [o["to"] for o in first["outcomes"]] == [
        {"kind": "step", "position": 2}, {"kind": "step", "position": 5}, {"kind": "step", "position": 6},
        {"kind": "article", "path": "account/lost-two-step-phone.md", "anchor": "resolution",
         "url": "account/lost-two-step-phone/#resolution", "number": None},
    ]
    assert graph["steps"][1]["next"] == 3 and first["next"] is None  # no outcomes: on to the next step
    assert first["html"].count("<strong>Sign in</strong>") == 1
    url = served_kb.rstrip("/") + "/api/steps?article=account/cant-sign-in.md&depth=beginner"
    with urllib.request.urlopen(url, timeout=10) as answer:
        assert json.load(answer) == graph


# --- where writers learn the form ------------------------------------------------------------------


def test_the_writing_guides_example_is_a_valid_tree(write_docs):
    guide = (SAMPLE_DOCS / "writing-articles.md").read_text(encoding="utf-8")
    example = guide.split("## Steps that branch: outcomes")[1].split("```markdown\n")[1].split("```")[0]
    wifi = _beginner("1. Tap **Restart**.\n\n    Checkpoint: it restarts.\n\n2. Tap **Scan**.\n\n"
                     "    Checkpoint: it scans.\n") \
        .replace("## Steps", "## Resolution")
    docs = write_docs({"router/a.md": article(body=f"## Steps\n\n{example}\n{EXPERT}", customer_says=None),
                       "router/wifi-keeps-dropping.md": article("Wi-Fi", body=wifi, customer_says=None)})
    steps = ArticleParser(load_config(docs)).parse(docs / "router/a.md").steps("beginner")
    assert [[o.target for o in s.outcomes] for s in steps] == [
        ["Wi-Fi keeps dropping, step 2", "step 2", "step 3"], ["solved", "hand off to network-support with the "
                                                                "hub's serial number"],
        ["step 2", "hand off to field-engineers: book a visit"]]
    result = CliRunner().invoke(main, ["check", str(docs)], catch_exceptions=False)
    assert result.output.strip() == "2 articles checked: 0 errors, 0 warnings"


@pytest.mark.parametrize("kind", ["troubleshooting", "how-to"])
def test_kb_new_drafts_show_the_outcome_form(write_docs, kind):
    docs = write_docs({})
    result = CliRunner().invoke(main, ["new", "Fix it", "-p", "router", "-t", kind, "-o", "ana", "--docs", str(docs)])
    assert result.exit_code == 0, result.output
    steps = ArticleParser(load_config(docs)).parse(docs / "router/fix-it.md").steps("beginner")
    targets = [o.target for s in steps for o in s.outcomes]
    assert "solved" in targets and any(t.startswith("step ") for t in targets)
