"""`human_handoff`: a handoff ticket with the transcript; the conversation goes to people."""

from __future__ import annotations

from sqlalchemy import select

from bot.storage.models import Message
from bot.tickets import audit
from bot.turn import Turn

TRANSCRIPT_LIMIT = 50


class HumanHandoff:
    name = "human_handoff"

    async def run(self, turn: Turn) -> None:
        desk = turn.services.desk
        existing = await desk.open_handoff(turn.session, turn.conversation)
        if existing is not None:
            turn.say("handoff_already", reference=existing.reference)
            return
        ticket = await desk.open_ticket(
            turn.session, kind="handoff", customer=turn.customer,
            conversation=turn.conversation, subject=f"Handoff: {turn.text[:150]}",
            details={"transcript": await self._transcript(turn),
                     "last_intents": turn.state.get("last_intents", [])},
            now=turn.now,
        )
        turn.ticket = ticket.reference
        turn.state.pop("form", None)
        before = turn.conversation.mode
        turn.conversation.mode = "human"
        await audit(turn.session, turn.now, "bot", "conversation", turn.conversation.id,
                    "handoff", before={"mode": before}, after={"mode": "human",
                                                               "ticket": ticket.reference})
        calendar = turn.services.calendar
        if calendar.is_open(turn.now):
            turn.say("handoff_open", reference=ticket.reference)
        else:
            turn.say("handoff_closed", reference=ticket.reference,
                     opening=turn.when(calendar.next_opening(turn.now)))

    @staticmethod
    async def _transcript(turn: Turn) -> list[dict[str, str]]:
        result = await turn.session.execute(
            select(Message).where(Message.conversation_id == turn.conversation.id)
            .order_by(Message.id.desc()).limit(TRANSCRIPT_LIMIT)
        )
        return [{"sender": m.sender, "text": m.text, "at": m.created_at.isoformat()}
                for m in reversed(result.scalars().all())]
