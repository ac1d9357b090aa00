"""The satisfaction survey after an agent closed a ticket: a score of 1-5 (a button, or
the digit on text-only channels) is stored on the ticket once; anything else means the
customer moved on, and the bot answers that message as usual."""

from __future__ import annotations

from sqlalchemy import select, update

from bot.conversation import SURVEY_PREFIX
from bot.storage.models import Ticket
from bot.tickets import audit
from bot.turn import Turn


class CsatSurvey:
    """Records the answer to the question the desk sent when closing a ticket."""

    name = "csat"

    async def answer(self, turn: Turn) -> bool:
        """True when this turn answered the survey (and was thanked)."""
        ticket_id = turn.state.pop("csat_ticket", None)
        score = _score(turn.choice)
        if ticket_id is None or score is None:
            return False
        asked = (await turn.session.execute(select(Ticket.csat_asked_at).where(
            Ticket.id == int(ticket_id)))).scalar_one_or_none()
        if asked is None or turn.now - asked > turn.services.lifecycle.csat_expiry:
            return False  # the survey has expired: treat it as an ordinary message
        result = await turn.session.execute(
            update(Ticket).where(Ticket.id == int(ticket_id), Ticket.csat_score.is_(None))
            .values(csat_score=score, csat_answered_at=turn.now))
        if result.rowcount:  # type: ignore[attr-defined]
            await audit(turn.session, turn.now, "customer", "ticket", int(ticket_id), "csat",
                        after={"score": score})
        turn.say("csat_thanks")
        return True


def _score(choice: str | None) -> int | None:
    if not choice or not choice.startswith(SURVEY_PREFIX):
        return None
    value = choice.removeprefix(SURVEY_PREFIX)
    return int(value) if value in {"1", "2", "3", "4", "5"} else None
