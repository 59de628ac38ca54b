"""What the desk posts when an agent hands a call to a team (POST /api/handoff), parsed and validated
like feedback (kb_tools.measure.payload's rules): a small JSON object, refused with the field named.

  POST /api/handoff  {"article", "team", "step"?, "depth"?, "via"?, "session"?}
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kb_tools.measure import payload
from kb_tools.measure.activity import VIAS
from kb_tools.measure.payload import PayloadError

_TEAM = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")


@dataclass(frozen=True)
class HandoffInput:
    """A validated hand-off: the article the call was on, the team it went to, where in the call."""

    article: str
    team: str
    step: int | None = None
    depth: str | None = None
    via: str = "article"
    session: str | None = None


def parse_handoff(body: bytes) -> HandoffInput:
    """The hand-off in a request body, or PayloadError."""
    data = payload.json_object(body, required=("article", "team"), optional=("step", "depth", "via", "session"))
    team = data["team"]
    if not isinstance(team, str) or not _TEAM.fullmatch(team):
        raise PayloadError("team must be a team id of docs/teams.yml (lower-case letters, digits and dashes)")
    return HandoffInput(article=payload.article_field(data), team=team,
                        step=payload.whole_field(data, "step", payload.MAX_STEP),
                        depth=payload.choice_field(data, "depth", payload.DEPTHS),
                        via=payload.choice_field(data, "via", VIAS) or "article",
                        session=payload.session_id(data.get("session")))
