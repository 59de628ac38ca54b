"""mkdocs.yml read by MkDocs' own loader: INHERIT, !ENV, one clear line when it is broken, and
`kb search` never paying for MkDocs."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SITE_YML, article, run_mkdocs_build

from kb_tools.cli import main
from kb_tools.content.config import DEFAULT_EXTENSIONS, load_config
from kb_tools.content.render import Renderer
from kb_tools.errors import ConfigError

CUSTOMER_YML = """\
INHERIT: mkdocs.yml
site_name: Customer KB
use_directory_urls: false
"""


def test_inherit_takes_the_parent_settings_and_the_childs_overrides(write_docs: Callable[..., Path]) -> None:
    docs = write_docs({"router/reset.md": article()})
    customer = docs.parent / "mkdocs.customer.yml"
    customer.write_text(CUSTOMER_YML, encoding="utf-8")

    config = load_config(docs, mkdocs_yml=customer)

    assert config.use_directory_urls is False  # the child's
    assert config.markdown_extensions == tuple(DEFAULT_EXTENSIONS)  # the parent's
    assert load_config(docs).use_directory_urls is True  # mkdocs.yml alone


def test_env_tags_are_resolved(write_docs: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> None:
    site = SITE_YML + "use_directory_urls: !ENV [KB_TEST_DIRECTORY_URLS, true]\n"
    site = site.replace("- toc:\n    permalink: true\n", "- toc:\n    permalink: !ENV [KB_TEST_PERMALINK, true]\n")
    docs = write_docs({"router/reset.md": article()}, site=site)
    assert "KB_TEST_PERMALINK" in site

    assert load_config(docs).use_directory_urls is True  # the defaults when the variables are unset
    monkeypatch.setenv("KB_TEST_DIRECTORY_URLS", "false")
    monkeypatch.setenv("KB_TEST_PERMALINK", "#")

    config = load_config(docs)

    assert config.use_directory_urls is False
    assert {"toc": {"permalink": "#"}} in config.markdown_extensions
    html = Renderer(config).to_html("## Steps\n")  # rendered with the variable's setting
    assert 'class="headerlink"' in html and ">#</a>" in html


def test_a_site_built_from_an_inheriting_config_uses_the_kb_plugin(write_docs: Callable[..., Path],
                                                                  tmp_path: Path) -> None:
    docs = write_docs({"router/reset.md": article()})
    customer = docs.parent / "mkdocs.customer.yml"
    customer.write_text(CUSTOMER_YML, encoding="utf-8")

    result = run_mkdocs_build(customer, tmp_path / "site")

    assert result.returncode == 0, result.stderr
    assert (tmp_path / "site" / "router" / "reset.html").is_file()  # use_directory_urls: false, from the child
    assert "Owner" in (tmp_path / "site" / "router" / "reset.html").read_text(encoding="utf-8")  # the kb meta bar


BROKEN = {
    "invalid YAML": ("markdown_extensions:\n  - toc\n   - abbr: [\n", "mkdocs.yml: not valid YAML (line 3)"),
    "a missing parent": ("INHERIT: base.yml\nsite_name: x\n", "Inherited config file 'base.yml' does not exist"),
    "extensions not a list": ("site_name: x\nmarkdown_extensions: 5\n", "`markdown_extensions`: Invalid Markdown"),
    "an unknown extension": ("site_name: x\nmarkdown_extensions: [no_such_extension]\n",
                             "`markdown_extensions`: Failed to load extension 'no_such_extension'"),
    "a wrong type": ("site_name: x\nuse_directory_urls: maybe\n", "`use_directory_urls`: Expected type"),
    "an unknown Python name": ("site_name: x\nmarkdown_extensions:\n  - toc:\n      slugify: !!python/name:nope.slug\n",
                               "cannot find module 'nope'"),
}


@pytest.mark.parametrize("case", BROKEN, ids=list(BROKEN))
def test_a_broken_mkdocs_yml_is_one_clear_line(case: str, write_docs: Callable[..., Path]) -> None:
    text, expected = BROKEN[case]
    docs = write_docs({"router/reset.md": article()}, site=text)

    with pytest.raises(ConfigError) as raised:
        load_config(docs)
    result = CliRunner().invoke(main, ["check", str(docs), "--no-findability"])

    message = str(raised.value)
    assert message.startswith(f"{docs.parent / 'mkdocs.yml'}: ") and expected in message
    assert "\n" not in message
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [f"Error: {message}"]  # no traceback


def test_kb_search_does_not_import_mkdocs(write_docs: Callable[..., Path], tmp_path: Path) -> None:
    docs = write_docs({"router/reset.md": article()})
    index = tmp_path / "index"
    assert CliRunner().invoke(main, ["index", str(docs), "--index", str(index), "--no-semantic"]).exit_code == 0
    code = ("import sys\nfrom kb_tools.cli import main\n"
            f"sys.argv = ['kb', 'search', 'router is broken', '--index', {str(index)!r}, '--no-log']\n"
            "try:\n    main()\nexcept SystemExit as exit:\n    assert not exit.code, exit.code\n"
            "print(sorted(name for name in sys.modules if name.split('.')[0] in ('mkdocs', 'onnxruntime')))\n")

    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)

    assert result.returncode == 0, result.stderr
    assert "Reset the router" in result.stdout
    # Nor the embedding model, for an index without vectors (hybrid is the default mode).
    assert result.stdout.strip().splitlines()[-1] == "[]"
