"""Policy answers from the knowledge base: the section that best answers the question,
plus a link to its article, and, for questions about reaching us, a word on the clock."""

from __future__ import annotations

from dataclasses import dataclass

from bot.kb_sections import chat_text
from bot.opening import clock_notice
from bot.turn import Turn

# Questions whose answer depends on whether someone is reachable right now.
_TIME_DEPENDENT = frozenset({"support_hours", "contact_channels", "response_times"})


@dataclass(frozen=True)
class KbAnswer:
    """Answers one policy intent with the best-matching section of its articles."""

    name: str

    async def run(self, turn: Turn) -> None:
        knowledge = turn.services.knowledge
        answer = knowledge.answer(self.name, turn.lang, turn.text)
        if answer is None:
            turn.say("clarify_none")
            return
        link = turn.t("read_more", url=knowledge.link(answer.article))
        turn.say_text(f"{chat_text(answer.section)}\n{link}")
        notice = clock_notice(turn) if self.name in _TIME_DEPENDENT else None
        if notice:
            turn.say_text(notice)
