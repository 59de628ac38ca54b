"""`kb new` writes a draft that passes `kb check` (its slots to fill are warnings), and never overwrites one."""

from __future__ import annotations

from click.testing import CliRunner

from kb_tools.cli import main


def test_new_then_check_round_trip(write_docs):
    docs = write_docs({})
    runner = CliRunner()
    for kind in ("how-to", "troubleshooting", "reference", "concept", "playbook"):
        result = runner.invoke(main, ["new", f"Fix the {kind}: now", "--product", "router", "--type", kind,
                                      "--owner", "ana", "--docs", str(docs)], catch_exceptions=False)
        assert result.exit_code == 0, result.output
    slug = docs / "router" / "fix-the-troubleshooting-now.md"
    assert slug.read_text().startswith('---\ntitle: "Fix the troubleshooting: now"\n')
    checked = runner.invoke(main, ["check", str(docs)], catch_exceptions=False)
    assert checked.exit_code == 0, checked.output
    *findings, summary = checked.output.splitlines()
    assert summary == f"5 articles checked: 0 errors, {len(findings)} warnings"
    assert findings and all(line.endswith("[placeholder]") for line in findings)  # a draft's slots to fill


def test_new_refuses_to_overwrite(write_docs):
    docs = write_docs({"router/reset-it.md": "keep me"})
    result = CliRunner().invoke(main, ["new", "Reset it", "-p", "router", "-o", "ana", "--docs", str(docs)])
    assert result.exit_code == 1
    assert "already exists" in result.output and "Traceback" not in result.output
    assert (docs / "router/reset-it.md").read_text() == "keep me"


def test_new_rejects_unknown_product(write_docs):
    docs = write_docs({})
    result = CliRunner().invoke(main, ["new", "X", "-p", "toaster", "-o", "ana", "--docs", str(docs)])
    assert result.exit_code == 1
    assert "unknown product 'toaster'" in result.output
