"""The loop guard: the bot never sends the same prompt three times in a row.

Whatever makes the bot repeat itself (an answer a form keeps refusing, an unclear message
sent again, a clarification that does not help), the third identical turn offers a
person instead, with the same yes/no offer the policy makes after two fallbacks. The
guard looks at the replies of a turn before they are stored and keeps what it needs in
the conversation state.
"""

from __future__ import annotations

import hashlib
from typing import Any

from bot.turn import Turn

SAME_PROMPTS_BEFORE_PERSON = 3
HANDOFF = "human_handoff"
STATE_KEY = "repeats"
# A customer may say hello, thanks or bye as often as they like.
_REPEATABLE_INTENTS = frozenset({"greet", "thank", "goodbye"})


def _fingerprint(turn: Turn) -> str:
    texts = "\n".join(reply.text for reply in turn.replies)
    return hashlib.sha256(texts.encode()).hexdigest()[:16]


def break_loops(turn: Turn) -> bool:
    """Replace the turn's replies with the offer of a person when they would be the third
    identical prompt in a row; True when it did.

    An open form is put aside: the customer answers yes or no to the offer, and "yes"
    hands the conversation to a person."""
    state: dict[str, Any] = turn.state
    if not turn.replies or turn.conversation.mode == "human" \
            or turn.intent in _REPEATABLE_INTENTS:
        state.pop(STATE_KEY, None)
        return False
    fingerprint = _fingerprint(turn)
    seen = state.get(STATE_KEY) or {}
    count = int(seen.get("count", 0)) + 1 if seen.get("prompt") == fingerprint else 1
    if count < SAME_PROMPTS_BEFORE_PERSON:
        state[STATE_KEY] = {"prompt": fingerprint, "count": count}
        return False
    turn.replies.clear()
    state.pop("form", None)
    state["fallbacks"] = 0
    state["offer"] = HANDOFF
    turn.say("loop_offer_person", buttons=turn.yes_no())
    state[STATE_KEY] = {"prompt": _fingerprint(turn), "count": 1}
    return True
