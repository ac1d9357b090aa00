"""The queue timeout: when no agent has taken a handoff in time (by default its
first-response due time, which counts working time only), the customer is offered to keep
waiting, a callback or an answer by e-mail, once per ticket."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalogue import Catalogue
from bot.conversation import Button, Reply
from bot.domain import ConversationMode
from bot.outbound import queue_reply
from bot.storage.database import Database
from bot.storage.models import Conversation, Ticket
from bot.tickets import audit

WAIT, EMAIL, CALLBACK = "=handoff:wait", "=handoff:email", "/request_callback"


def alternatives(catalogue: Catalogue, lang: str) -> tuple[Button, ...]:
    """The choices offered when nobody answers in time, or out of hours."""
    return (Button(catalogue.text(lang, "handoff_option_wait"), WAIT),
            Button(catalogue.text(lang, "handoff_option_callback"), CALLBACK),
            Button(catalogue.text(lang, "handoff_option_email"), EMAIL))


class HandoffTimeouts:
    """Finds handoffs nobody took in time and makes the offer; run it periodically."""

    def __init__(self, database: Database, catalogue: Catalogue,
                 timeout: timedelta | None = None) -> None:
        self.database = database
        self.catalogue = catalogue
        self.timeout = timeout

    async def run(self, now: datetime) -> int:
        """Make the offer on every overdue, unclaimed handoff; returns how many."""
        async with self.database.transaction() as session:
            tickets = (await session.execute(
                select(Ticket).where(Ticket.kind == "handoff", Ticket.status == "open",
                                     Ticket.assigned_to.is_(None),
                                     Ticket.timeout_offered_at.is_(None),
                                     Ticket.conversation_id.is_not(None))
                .with_for_update(skip_locked=True))).scalars().all()
            offered = 0
            for ticket in tickets:
                if now < self._due(ticket):
                    continue
                conversation = await session.get(Conversation, ticket.conversation_id)
                if conversation is None or conversation.mode != ConversationMode.HUMAN:
                    continue
                await self._offer(session, conversation, ticket, now)
                offered += 1
        return offered

    def _due(self, ticket: Ticket) -> datetime:
        if self.timeout is not None:
            return ticket.created_at + self.timeout
        return ticket.first_response_due or ticket.created_at

    async def _offer(self, session: AsyncSession, conversation: Conversation, ticket: Ticket,
                     now: datetime) -> None:
        lang = conversation.language or "en"
        buttons = alternatives(self.catalogue, lang)
        await queue_reply(session, conversation,
                          Reply(self.catalogue.text(lang, "handoff_timeout"), buttons), now)
        conversation.state = {**(conversation.state or {}),
                              "buttons": [b.payload for b in buttons]}
        ticket.timeout_offered_at = now
        await audit(session, now, "bot", "ticket", ticket.id, "queue_timeout",
                    after={"offered": [b.payload for b in buttons]})
