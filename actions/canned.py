"""Actions that answer with one catalogue text: greeting, farewell, thanks, out of scope."""

from __future__ import annotations

from dataclasses import dataclass

from bot.turn import Turn


@dataclass(frozen=True)
class CannedReply:
    """Says the catalogue text `key` (the intent's name unless given)."""

    name: str
    key: str = ""

    async def run(self, turn: Turn) -> None:
        turn.say(self.key or self.name)
