"""Drift and packaging: one Whoosh, documented rules, helpful --help, mkdocs.yml in step."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata

import yaml
from click.testing import CliRunner
from conftest import ROOT
from packaging.requirements import Requirement

from kb_tools.cli import main
from kb_tools.content.config import DEFAULT_EXTENSIONS, load_config

WRITING_GUIDE = ROOT / "docs" / "writing-articles.md"


def test_exactly_one_whoosh_distribution_is_installed():
    providers = sorted(
        dist.metadata["Name"].lower()
        for dist in metadata.distributions()
        if "whoosh" in (dist.read_text("top_level.txt") or "").split() or dist.metadata["Name"].lower().startswith("whoosh")
    )
    assert providers == ["whoosh-reloaded"]
    # The version installed is one pyproject.toml allows (the range is the one place that says which).
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    whoosh = next(Requirement(r) for r in declared if Requirement(r).name == "whoosh-reloaded")
    assert str(whoosh.specifier) and whoosh.specifier.contains(metadata.version("whoosh-reloaded"))


def test_every_check_rule_is_documented():
    source = (ROOT / "kb_tools").rglob("*.py")
    used = set()
    for path in source:
        used |= set(re.findall(r'"(?:error|warning)", "([a-z-]+)"', path.read_text()))
        used |= set(re.findall(r'report\("([a-z-]+)"', path.read_text()))
    documented = set(re.findall(r"^\| `([a-z-]+)` \|", WRITING_GUIDE.read_text(), re.MULTILINE))
    used -= {"error", "warning"}
    assert len(used) > 15 and used <= documented


def test_every_command_has_help_with_an_example():
    runner = CliRunner()
    for name in main.commands:
        result = runner.invoke(main, [name, "--help"])
        assert result.exit_code == 0
        assert "Example" in result.output and f"kb {name}" in result.output, name


def test_mkdocs_yml_uses_the_default_extensions():
    site = yaml.load((ROOT / "mkdocs.yml").read_text(), Loader=yaml.SafeLoader)
    assert site["markdown_extensions"] == DEFAULT_EXTENSIONS
    assert load_config(ROOT / "docs").markdown_extensions == tuple(DEFAULT_EXTENSIONS)
