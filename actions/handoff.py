"""`human_handoff`: a handoff ticket with the transcript; the conversation goes to people.

The ticket goes to the team of the conversation's latest intents, and straight to an agent
when that team assigns automatically. A customer whose last handoff was closed within
`conversation_idle_hours` gets that ticket reopened, back with the agent who closed it when
they are available and have room, else in the team's queue."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from bot import routing
from bot.config import Settings
from bot.domain import ConversationMode
from bot.opening import closed_reason, closing_soon_notice
from bot.storage.models import Message, Ticket
from bot.tickets import EMAIL_CHANNEL, asks_for_a_quote, audit
from bot.turn import Turn

TRANSCRIPT_LIMIT = 50


class HumanHandoff:
    name = "human_handoff"

    def __init__(self, settings: Settings | None = None) -> None:
        # Without settings (an engine built without them): the default teams, all manual.
        self.settings = settings or Settings.model_construct()

    async def run(self, turn: Turn) -> None:
        desk = turn.services.desk
        existing = await desk.open_handoff(turn.session, turn.conversation)
        if existing is not None:
            turn.say("handoff_already", reference=existing.reference)
            return
        last_intents = list(turn.state.get("last_intents", []))
        form = _form_so_far(turn)
        ticket = await self._reopen(turn)
        if ticket is None:
            ticket = await desk.open_ticket(
                turn.session, kind="handoff", customer=turn.customer,
                conversation=turn.conversation, subject=f"Handoff: {turn.text[:150]}",
                details={"transcript": await self._transcript(turn),
                         "last_intents": last_intents, **form},
                now=turn.now, sales=asks_for_a_quote(turn.text),
            )
            ticket.team = routing.team_for(last_intents, self.settings)
            await turn.session.flush()
            if routing.is_auto(ticket.team, self.settings):
                await routing.auto_assign(turn.session, ticket, self.settings, turn.now)
        elif form:
            ticket.details = {**(ticket.details or {}), **form}
        turn.ticket = ticket.reference
        turn.state.pop("form", None)
        before = turn.conversation.mode
        turn.conversation.mode = ConversationMode.HUMAN
        await audit(turn.session, turn.now, "bot", "conversation", turn.conversation.id,
                    "handoff", before={"mode": before}, after={"mode": "human",
                                                               "ticket": ticket.reference})
        calendar = turn.services.calendar
        by_mail = "_email" if turn.conversation.channel == EMAIL_CHANNEL else ""
        if calendar.is_open(turn.now):
            turn.say(f"handoff_open{by_mail}", reference=ticket.reference)
            notice = closing_soon_notice(turn) if not by_mail else None
            if notice:
                turn.say_text(notice)
        else:
            turn.say(f"handoff_closed{by_mail}", reference=ticket.reference,
                     reason=closed_reason(turn),
                     opening=turn.when(calendar.next_opening(turn.now)))

    async def _reopen(self, turn: Turn) -> Ticket | None:
        """The customer's last handoff if it was closed within the idle window, reopened:
        to the agent who closed it when available with room, else to the team queue."""
        last = (await turn.session.execute(
            select(Ticket).where(Ticket.customer_id == turn.customer.id,
                                 Ticket.kind == "handoff")
            .order_by(Ticket.id.desc()).limit(1))).scalar_one_or_none()
        window = timedelta(hours=self.settings.conversation_idle_hours)
        if last is None or not _closed_within(last, turn.now, window):
            return None
        before = {"status": last.status, "closed_by": last.closed_by}
        last.status, last.assigned_to, last.claimed_at, last.closed_at = \
            "open", None, None, None
        last.reopened_count = (last.reopened_count or 0) + 1
        last.conversation_id = turn.conversation.id
        last.team = last.team or routing.team_for(turn.state.get("last_intents", []),
                                                  self.settings)
        await turn.session.flush()
        await audit(turn.session, turn.now, "bot", "ticket", last.id, "reopened",
                    before=before, after={"status": "open",
                                          "reopened_count": last.reopened_count})
        closer = last.closed_by
        if closer and await routing.assign_to(turn.session, last, closer, self.settings,
                                              turn.now):
            await audit(turn.session, turn.now, "bot", "ticket", last.id, "assign",
                        after={"status": "claimed", "assigned_to": closer})
        elif routing.is_auto(last.team, self.settings):
            await routing.auto_assign(turn.session, last, self.settings, turn.now)
        return last

    @staticmethod
    async def _transcript(turn: Turn) -> list[dict[str, str]]:
        result = await turn.session.execute(
            select(Message).where(Message.conversation_id == turn.conversation.id)
            .order_by(Message.id.desc()).limit(TRANSCRIPT_LIMIT)
        )
        return [{"sender": m.sender, "text": m.text, "at": m.created_at.isoformat()}
                for m in reversed(result.scalars().all())]


def _form_so_far(turn: Turn) -> dict[str, object]:
    """The form the customer was filling in when asking for a person, with what it
    collected, so the colleague does not ask again ({} outside a form)."""
    form = turn.state.get("form")
    if not form:
        return {}
    return {"form": {"name": form.get("name"), "values": dict(form.get("values", {}))}}


def _closed_within(ticket: Ticket, now: datetime, window: timedelta) -> bool:
    return (ticket.status == "closed" and ticket.closed_at is not None
            and now - ticket.closed_at < window)
