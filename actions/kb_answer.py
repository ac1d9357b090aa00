"""Policy answers from the knowledge base: the section that best answers the question,
plus a link to its article, and, for questions about reaching us, a word on the clock."""

from __future__ import annotations

from dataclasses import dataclass

from bot.answers import say_answer
from bot.opening import clock_notice, urgent_notice
from bot.turn import Turn

# Questions whose answer depends on whether someone is reachable right now, and articles
# about outages and hours (e.g. "our mail server is down" asked as a mail question).
_TIME_DEPENDENT = frozenset({"support_hours", "contact_channels", "response_times"})
_ABOUT_OUTAGES_OR_HOURS = ("outage_status", "support_hours")
@dataclass(frozen=True)
class KbAnswer:
    """Answers one policy intent with the best-matching section of its articles."""

    name: str

    async def run(self, turn: Turn) -> None:
        answers = turn.services.knowledge.answers(self.name, turn.lang, turn.text)
        if not answers:
            turn.say("clarify_none")
            return
        notice = urgent_notice(turn)
        if notice:  # closed (or closing) while something is down: the way to a person first
            turn.say_text(notice)
            say_answer(turn, answers[0])
            return
        for answer in answers:
            say_answer(turn, answer)
        timely = self.name in _TIME_DEPENDENT or any(
            answer.article.answers(intent) for answer in answers
            for intent in _ABOUT_OUTAGES_OR_HOURS)
        notice = clock_notice(turn) if timely else None
        if notice:
            turn.say_text(notice)
