"""Each article shows when it last changed and by whom (from git) and a "Suggest a change" link;
a site outside git still builds, without a date."""

from __future__ import annotations

import os
import subprocess

from conftest import SITE_YML, article, run_mkdocs_build


def _commit(repo, author: str, date: str, message: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": author, "GIT_AUTHOR_EMAIL": "a@example.com", "GIT_AUTHOR_DATE": date,
           "GIT_COMMITTER_NAME": author, "GIT_COMMITTER_EMAIL": "a@example.com", "GIT_COMMITTER_DATE": date}
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True, env=env)
    subprocess.run(["git", "-C", str(repo), "commit", "-q", "-m", message], check=True, env=env)


def test_articles_show_their_last_change_and_an_edit_link(write_docs, tmp_path):
    site_yml = SITE_YML + "edit_uri: https://git.example.com/kb/-/edit/main/docs/\n"
    docs = write_docs({"router/reset.md": article("Reset the router"), "router/update.md": article("Update it")},
                      site=site_yml)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    _commit(tmp_path, "Ana Writer", "2026-03-04T10:00:00+00:00", "first")
    (docs / "router/update.md").write_text(article("Update it").replace("Hold reset 2 s.", "Hold reset 3 s."))
    _commit(tmp_path, "Bo & Co", "2026-05-06T10:00:00+00:00", "second")

    built = run_mkdocs_build(tmp_path / "mkdocs.yml", tmp_path / "site")
    assert built.returncode == 0, built.stderr
    reset = (tmp_path / "site/router/reset/index.html").read_text()
    update = (tmp_path / "site/router/update/index.html").read_text()
    assert ('<p class="kb-history">Last changed 2026-03-04 by Ana Writer · <a class="kb-suggest" '
            'href="https://git.example.com/kb/-/edit/main/docs/router/reset.md">Suggest a change</a></p>') in reset
    assert "Last changed 2026-05-06 by Bo &amp; Co · " in update  # names are escaped

    clone = tmp_path.parent / f"{tmp_path.name}-clone"  # a fresh clone, offline: the same history
    subprocess.run(["git", "clone", "-q", str(tmp_path), str(clone)], check=True)
    built = run_mkdocs_build(clone / "mkdocs.yml", clone / "site")
    assert built.returncode == 0, built.stderr
    assert "Last changed 2026-03-04 by Ana Writer" in (clone / "site/router/reset/index.html").read_text()


def test_a_site_outside_git_builds_without_history(write_docs, tmp_path):
    write_docs({"router/reset.md": article("Reset the router")})
    assert subprocess.run(["git", "-C", str(tmp_path), "rev-parse"], capture_output=True).returncode != 0
    built = run_mkdocs_build(tmp_path / "mkdocs.yml", tmp_path / "site")
    assert built.returncode == 0, built.stderr
    assert "kb-history" not in (tmp_path / "site/router/reset/index.html").read_text()
