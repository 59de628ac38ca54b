"""The teams an agent can hand a case to (`docs/teams.yml`), and an article's hand-off resolved to one.

teams.yml is configuration, read once with the products: a file that is not a list of teams, a
team without an `id` or `name`, a duplicate id or an unknown key stops the load with the file and
line (ConfigError). A team without `how` or `response` loads, and `kb check` reports it
(`team-incomplete`), so one unfinished entry never hides every article's hand-off.

`Handoff` is what the desk shows and records: the team, how to reach it, when it answers, what to
collect, what to tell the caller, and who calls back. `Handoff.to_dict` is the JSON the page carries
(`<div id="kb-handoff" data-kb-handoff>`): `what_happens_next`, `who` and `by_when` are the three
fields a customer's follow-up e-mail quotes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kb_tools.content.frontmatter import load_yaml_with_nodes, yaml_problem
from kb_tools.errors import ConfigError

TEAMS_FILE = "teams.yml"
AGENT = "agent"  # `callback: agent`: the agent on the call owns the call-back
_TEAM_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_KEYS = ("id", "name", "how", "hours", "response")


@dataclass(frozen=True)
class Team:
    """One team of teams.yml; `line` is where its entry starts (for messages)."""

    id: str
    name: str
    how: str = ""
    hours: str = ""
    response: str = ""
    line: int = 1

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "name": self.name, "how": self.how, "hours": self.hours, "response": self.response}


@dataclass(frozen=True)
class Escalation:
    """An article's `escalation:` front matter, as written (team ids not yet checked)."""

    team: str
    collect: tuple[str, ...] = ()
    tell_caller: str = ""
    callback: str = ""


@dataclass(frozen=True)
class Handoff:
    """A hand-off resolved to its team: what the card shows and the desk records."""

    team: Team
    collect: tuple[str, ...] = ()
    tell_caller: str = ""
    callback: Team | None = None  # None: the agent on the call owns the call-back
    owned_callback: bool = False  # an `escalation.callback` names who calls back

    @property
    def who(self) -> str:
        """Who gets back to the customer, in words a customer reads."""
        if self.callback is None:
            return "the agent you spoke to" if self.owned_callback else self.team.name
        return self.callback.name

    def to_dict(self) -> dict[str, Any]:
        return {"team": self.team.to_dict(), "collect": list(self.collect), "tell_caller": self.tell_caller,
                "callback": self.callback.id if self.callback else (AGENT if self.owned_callback else None),
                "what_happens_next": self.tell_caller, "who": self.who, "by_when": self.team.response}


@dataclass(frozen=True)
class Teams:
    """Every team of one knowledge base; empty when there is no teams.yml."""

    teams: tuple[Team, ...] = ()
    exists: bool = False
    _by_key: dict[str, Team] = field(default_factory=dict, compare=False, repr=False)

    def get(self, key: str) -> Team | None:
        """The team with this id, or this name (any case): `hand off to Network Support` reads as written."""
        if not self._by_key:
            for team in self.teams:
                self._by_key[team.id] = team
                self._by_key[team.name.casefold()] = team
        return self._by_key.get(key.strip()) or self._by_key.get(key.strip().casefold())

    def ids(self) -> str:
        return ", ".join(team.id for team in self.teams) or "none declared"

    def find_in(self, note: str) -> tuple[Team | None, str]:
        """The team a hand-off note opens with (`to network-support, with ...`), and the rest of the note."""
        rest = note.strip()
        if rest.lower().startswith("to "):
            rest = rest[3:].lstrip()
        lowered = rest.casefold()
        for team in sorted(self.teams, key=lambda t: -max(len(t.id), len(t.name))):
            for key in (team.id, team.name):
                key_lower = key.casefold()
                if lowered.startswith(key_lower) and (len(rest) == len(key) or not rest[len(key)].isalnum()):
                    return team, rest[len(key):].lstrip(" ,:;-")
        return None, note.strip()


def resolve_handoff(note: str, escalation: Escalation | None, teams: Teams) -> tuple[Team | None, str]:
    """The team a hand-off outcome goes to: the one its note names (`hand off to billing`), else the
    article's `escalation.team`; and the note without the team's name."""
    named, rest = teams.find_in(note)
    if named is not None:
        return named, rest
    default = teams.get(escalation.team) if escalation else None
    return default, note.strip()


def team_resolver(escalation: Escalation | None, teams: Teams) -> Callable[[str], tuple[str | None, str]]:
    """A hand-off note of an article -> the id of its team (None when teams.yml knows none), and the
    note without the team's name: what steps_data's `team_of` takes."""
    def team_of(note: str) -> tuple[str | None, str]:
        team, rest = resolve_handoff(note, escalation, teams)
        return (team.id if team else None), rest

    return team_of


def article_handoff(escalation: Escalation | None, teams: Teams, team: Team | None = None) -> Handoff | None:
    """The hand-off card of an article (or of one of its outcomes, to `team`), when its team is known."""
    team = team or (teams.get(escalation.team) if escalation else None)
    if team is None:
        return None
    own = escalation is not None and teams.get(escalation.team) is team
    callback = teams.get(escalation.callback) if escalation and escalation.callback else None
    return Handoff(team, escalation.collect if escalation and own else (),
                   escalation.tell_caller if escalation and own else "",
                   callback if own else None, owned_callback=bool(own and escalation and escalation.callback))


def load_teams(docs_dir: Path) -> Teams:
    """The teams of `docs_dir/teams.yml` (none when the file is absent); ConfigError naming file:line."""
    path = docs_dir / TEAMS_FILE
    if not path.is_file():
        return Teams()
    try:
        node, data = load_yaml_with_nodes(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ConfigError(f"{path}:{mark.line + 1 if mark else 1}: not valid YAML ({yaml_problem(exc)}).") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read ({exc}).") from None
    items = data.get("teams") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise ConfigError(f"{path}:1: expected a `teams:` list of {{id, name, how, hours, response}} entries.")
    nodes = _item_nodes(node)
    teams: list[Team] = []
    for number, item in enumerate(items, start=1):
        line = nodes[number - 1].start_mark.line + 1 if number <= len(nodes) else 1
        teams.append(_team(path, number, line, item))
    seen: dict[str, Team] = {}
    for team in teams:
        if team.id in seen:
            raise ConfigError(f"{path}:{team.line}: team id {team.id!r} is declared twice (first on line "
                              f"{seen[team.id].line}).")
        seen[team.id] = team
    return Teams(tuple(teams), exists=True)


def _team(path: Path, number: int, line: int, item: Any) -> Team:
    where = f"{path}:{line}: team {number}"
    if not isinstance(item, dict):
        raise ConfigError(f"{where} must be a mapping of {', '.join(_KEYS)}.")
    unknown = sorted(str(key) for key in item if key not in _KEYS)
    if unknown:
        raise ConfigError(f"{where} has an unknown key {unknown[0]!r}; the keys are: {', '.join(_KEYS)}.")
    team_id = item.get("id")
    if not isinstance(team_id, str) or not _TEAM_ID.match(team_id):
        raise ConfigError(f"{where} needs an `id` of lower-case letters, digits and dashes, e.g. `id: network-support`.")
    if team_id == AGENT:
        raise ConfigError(f"{where}: `agent` is reserved (`callback: agent` means the agent on the call); "
                          "pick another id.")
    for key in _KEYS[1:]:
        if key in item and not isinstance(item[key], str | int):
            raise ConfigError(f"{where} ({team_id}): `{key}` should be text.")
    name = str(item.get("name") or "").strip()
    if not name:
        raise ConfigError(f"{where} ({team_id}) needs a `name`, e.g. `name: Network Support`.")
    return Team(team_id, name, str(item.get("how") or "").strip(), str(item.get("hours") or "").strip(),
                str(item.get("response") or "").strip(), line)


def _item_nodes(node: yaml.Node | None) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == "teams" and isinstance(value, yaml.SequenceNode):
                return list(value.value)
    return []
