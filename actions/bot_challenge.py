"""`bot_challenge`: say honestly that this is a bot, and offer a person."""

from __future__ import annotations

from bot.turn import Turn


class BotChallenge:
    name = "bot_challenge"

    async def run(self, turn: Turn) -> None:
        turn.say("bot_challenge", buttons=turn.yes_no())
        turn.state["offer"] = "human_handoff"
