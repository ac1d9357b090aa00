"""Policy answers from the knowledge base: the article's short answer plus a link."""

from __future__ import annotations

from dataclasses import dataclass

from bot.turn import Turn

# Questions about being reachable get the emergency line added when support is closed.
_OUT_OF_HOURS_NOTE = frozenset({"support_hours", "contact_channels", "outage_status",
                                "response_times"})


@dataclass(frozen=True)
class KbAnswer:
    """Answers one policy intent with the article whose first intent it is."""

    name: str

    async def run(self, turn: Turn) -> None:
        article = turn.services.knowledge.answer_for(self.name, turn.lang)
        if article is None:
            turn.say("clarify_none")
            return
        turn.say_article(article)
        if self.name in _OUT_OF_HOURS_NOTE and not turn.services.calendar.is_open(turn.now):
            turn.say("out_of_hours_note")
