"""What the desk posts when an agent hands a call to a team (POST /api/handoff), parsed and validated
like feedback (kb_tools.measure.feedback): a small JSON object, refused with the field named.

  POST /api/handoff  {"article", "team", "step"?, "depth"?, "via"?, "session"?}
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kb_tools.measure.activity import VIAS
from kb_tools.measure.feedback import DEPTHS, MAX_STEP, PayloadError, _article, _choice, _object, _whole, session_id

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
    data = _object(body, required=("article", "team"), optional=("step", "depth", "via", "session"))
    team = data["team"]
    if not isinstance(team, str) or not _TEAM.fullmatch(team):
        raise PayloadError("team must be a team id of docs/teams.yml (lower-case letters, digits and dashes)")
    return HandoffInput(article=_article(data), team=team, step=_whole(data, "step", MAX_STEP),
                        depth=_choice(data, "depth", DEPTHS), via=_choice(data, "via", VIAS) or "article",
                        session=session_id(data.get("session")))
