"""What the site shows of hand-offs and known issues: the hand-off card on an article, the hand-off
data the desk reads (`<div id="kb-handoff" data-kb-handoff>`), the open known issues the desk's
banner shows (desk.json), and the list on the known-issues page. Plain functions over cards."""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

from kb_tools.content.card import Card
from kb_tools.content.metadata import KNOWN_ISSUE
from kb_tools.content.steps_graph import TeamOf
from kb_tools.content.teams import Handoff, Teams, article_handoff, resolve_handoff
from kb_tools.site.pages import data_holder

KNOWN_ISSUES_MARKER = "<!-- kb-known-issues -->"
ISSUE_LABELS = {"investigating": "Investigating", "identified": "Identified", "fixed": "Fixed"}


def handoff_data(card: Card, teams: Teams, team_ids: Iterable[str] = ()) -> dict[str, Any] | None:
    """The article's hand-off as the desk reads it: the `escalation:` resolved to its team (the
    top-level fields, see Handoff.to_dict), and `other_teams`: each other team an outcome hands to."""
    own = article_handoff(card.meta.escalation, teams)
    others: dict[str, Any] = {}
    for team_id in dict.fromkeys(team_ids):
        team = teams.get(team_id)
        if team is not None and (own is None or team is not own.team):
            found = article_handoff(card.meta.escalation, teams, team)
            if found is not None:
                others[team.id] = found.to_dict()
    if own is None and not others:
        return None
    return {"article": card.path, **(own.to_dict() if own else {}), "other_teams": others}


def handoff_script(data: dict[str, Any] | None) -> str:
    """The hidden element call mode, the hand-off card and Copy for the customer read."""
    return data_holder("kb-handoff", "data-kb-handoff", data)


def handoff_card(handoff: Handoff | None) -> str:
    """The card under an article's steps: to whom, how, when they answer, what to collect and say."""
    if handoff is None:
        return ""
    team = handoff.team
    rows = [("How", team.how), ("Hours", team.hours), ("Response", team.response),
            ("Calls the customer back", handoff.who)]
    facts = "".join(f"<dt>{html.escape(label)}</dt><dd>{html.escape(value)}</dd>" for label, value in rows if value)
    collect = "".join(f"<li>{html.escape(item)}</li>" for item in handoff.collect)
    parts = [f'<p class="kb-handoff__title"><strong>If you hand off:</strong> {html.escape(team.name)}</p>',
             f'<dl class="kb-handoff__facts">{facts}</dl>']
    if collect:
        parts.append(f'<p class="kb-handoff__label">Collect first</p><ul class="kb-handoff__collect">{collect}</ul>')
    if handoff.tell_caller:
        parts.append('<p class="kb-handoff__label">Tell the caller</p>'
                     f'<blockquote class="kb-handoff__tell">{html.escape(handoff.tell_caller)}</blockquote>')
    return (f'<aside class="kb-handoff" data-team="{html.escape(team.id, quote=True)}" '
            f'aria-label="Hand-off to {html.escape(team.name, quote=True)}">{"".join(parts)}</aside>')


def insert_before_cause(page_html: str, fragment: str) -> str:
    """Put `fragment` after the Resolution: before the `Cause` heading, else at the end."""
    at = page_html.find('<h2 id="cause"')
    return page_html + fragment if at < 0 else page_html[:at] + fragment + page_html[at:]


def known_issues_list(cards: Iterable[Card], page_path: str) -> str:
    """Markdown for the known-issues page: open issues first, then fixed ones (archived: left out)."""
    issues = [c for c in cards if c.meta.type == KNOWN_ISSUE and c.meta.status == "validated" and c.meta.issue_status]
    folder = page_path.rpartition("/")[0]

    def line(card: Card) -> str:
        link = card.path[len(folder) + 1:] if folder and card.path.startswith(folder + "/") else card.path
        when = (f"fixed on {card.meta.fixed_on}" if card.meta.issue_status == "fixed"
                else f"{ISSUE_LABELS[card.meta.issue_status or 'investigating'].lower()}, since {card.meta.since}")
        title = html.escape(card.title).replace("[", "\\[").replace("]", "\\]")
        return f"- [{title}]({link}) ({when}): {html.escape(card.meta.summary)}"

    open_now = sorted((c for c in issues if c.meta.is_open_issue), key=lambda c: str(c.meta.since), reverse=True)
    fixed = sorted((c for c in issues if c.meta.issue_status == "fixed"), key=lambda c: str(c.meta.fixed_on),
                   reverse=True)
    parts = ["## Open now", "", *([line(c) for c in open_now] or ["No open issues."]), ""]
    if fixed:
        parts += ["## Recently fixed", "", *[line(c) for c in fixed], ""]
    return "\n".join(parts)
