"""What the site shows for onboarding paths, as plain functions testable without MkDocs.

- a path page: its steps in order, each with its time and a progress checkbox (paths.js keeps
  the ticks in the browser), exercises with their hidden model answers, and the total;
- every article on a path: "previous / next in <path>" links;
- a "Start here" page: the `<!-- kb-paths -->` marker becomes a table of the paths.

`url_of(src)` gives the link from the page being built to another page (the plugin asks MkDocs).
"""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Callable

from kb_tools.content.paths import Catalog, LearningPath, PathStep, format_minutes

PATH_LIST_MARKER = re.compile(r"^<!--[ \t]*kb-paths[ \t]*-->[ \t]*$", re.MULTILINE)

UrlOf = Callable[[str], str]


def path_page_html(catalog: Catalog, path: LearningPath, url_of: UrlOf) -> str:
    """The steps of `path`, appended to its page's own text."""
    total = format_minutes(catalog.total_minutes(path))
    count = len(path.steps)
    steps = "\n".join(_step_html(catalog, step, url_of) for step in path.steps)
    return (
        f'<section class="kb-path" data-kb-path="{_attr(path.name)}" aria-label="Steps">\n'
        f'<p class="kb-path-summary"><strong>{count} step{"s" if count != 1 else ""}</strong>, '
        f'about <span class="kb-path-total">{total}</span> &middot; For: {_text(path.audience)}</p>\n'
        f'<p class="kb-path-progress"><span class="kb-path-count" aria-live="polite">0 of {count} done</span> '
        '<button type="button" class="md-button kb-path-reset">Reset progress</button></p>\n'
        f'<ol class="kb-path-steps">\n{steps}\n</ol>\n</section>\n'
    )


def article_nav_html(catalog: Catalog, article: str, url_of: UrlOf) -> str:
    """"Previous / next in <path>" links for each path that reads `article` ("" when none)."""
    navs = []
    for path, index in catalog.positions(article):
        title = _text(path.title)
        links = [f'<p class="kb-path-where">Step {index + 1} of {len(path.steps)} in '
                 f'<a href="{_attr(url_of(path.source))}">{title}</a></p>']
        if index > 0:
            before = path.steps[index - 1]
            links.append(f'<a class="kb-path-prev" href="{_attr(_step_url(before, path, url_of))}">'
                         f'&larr; Previous in {title}: {_text(_step_name(catalog, before))}</a>')
        if index + 1 < len(path.steps):
            after = path.steps[index + 1]
            links.append(f'<a class="kb-path-next" href="{_attr(_step_url(after, path, url_of))}">'
                         f'Next in {title}: {_text(_step_name(catalog, after))} &rarr;</a>')
        # data-search-exclude: Material's own search should not index "Previous in ..." on every article
        navs.append(f'<nav class="kb-path-nav" aria-label="{_attr(path.title)}" data-search-exclude>'
                    f'{"".join(links)}</nav>')
    return "\n".join(navs)


def path_list_markdown(catalog: Catalog, page: str) -> str:
    """A Markdown table of every path, for the page `page` (links are relative to it)."""
    if not catalog.paths:
        return "*No onboarding paths yet: add one under `docs/paths/`.*"
    rows = ["| Path | Who it is for | Length |", "| --- | --- | --- |"]
    base = posixpath.dirname(page) or "."
    for path in catalog.paths:
        link = posixpath.relpath(path.source, base)
        summary = f"<br>{_cell(path.summary)}" if path.summary else ""
        length = f"{len(path.steps)} steps, about {format_minutes(catalog.total_minutes(path))}"
        rows.append(f"| [{_cell(path.title)}]({link}){summary} | {_cell(path.audience)} | {length} |")
    return "\n".join(rows)


def insert_path_list(markdown: str, catalog: Catalog, page: str) -> str:
    """Replace the `<!-- kb-paths -->` line of a page with the table of paths."""
    return PATH_LIST_MARKER.sub(lambda _: path_list_markdown(catalog, page), markdown)


def _step_html(catalog: Catalog, step: PathStep, url_of: UrlOf) -> str:
    minutes = catalog.step_minutes(step)
    time = f"{minutes} min read" if step.kind == "read" else f"{minutes} min"
    head = f'<span class="kb-path-kind">{step.label}</span> '
    if step.kind == "read" and step.article:
        head += f'<a href="{_attr(url_of(step.article))}">{_text(catalog.title_of(step.article))}</a> '
    head += f'<span class="kb-path-time">{time}</span>'
    body = [f'<p class="kb-path-head">{head}</p>']
    if step.focus:
        body.append(f'<p class="kb-path-focus">Focus: {_text(step.focus)}</p>')
    if step.kind == "explain":
        body.append(f'<p class="kb-path-question">{_text(step.question)}</p>')
        body.append('<details class="kb-path-answer"><summary>Show the model answer</summary>'
                    f"<p>{_text(step.answer)}</p></details>")
    if step.kind == "mock_call" and step.article:
        body.append(f'<p class="kb-path-scenario">{_text(step.scenario)}</p>')
        body.append(f'<p class="kb-path-use">Use: <a href="{_attr(url_of(step.article))}">'
                    f"{_text(catalog.title_of(step.article))}</a></p>")
    kind = step.kind.replace("_", "-")
    return (f'<li class="kb-path-step kb-path-{kind}" id="step-{step.number}" data-step="{_attr(step.key)}">'
            f'<span class="kb-path-number">{step.number}.</span>'
            f'<label class="kb-path-done"><input type="checkbox" class="kb-path-check"> Done</label>'
            f'<div class="kb-path-body">{"".join(body)}</div></li>')


def _step_url(step: PathStep, path: LearningPath, url_of: UrlOf) -> str:
    if step.kind == "read" and step.article:
        return url_of(step.article)
    return f"{url_of(path.source)}#step-{step.number}"


def _step_name(catalog: Catalog, step: PathStep) -> str:
    if step.kind == "read" and step.article:
        return catalog.title_of(step.article)
    return f"{step.label} (step {step.number})"


def _text(value: str) -> str:
    return html.escape(value, quote=False)


def _attr(value: str) -> str:
    return html.escape(value, quote=True)


def _cell(value: str) -> str:
    return value.replace("|", "\\|")


def page_additions(catalog: Catalog, page: str, url_of: UrlOf) -> str:
    """HTML to append to the page `page`: a path's steps, or an article's previous/next links."""
    path = next((p for p in catalog.paths if p.source == page), None)
    if path is not None:
        return path_page_html(catalog, path, url_of)
    return article_nav_html(catalog, page, url_of)
