"""The queue as agents see it: open and claimed tickets in policy order, each with the
customer's name or channel handle, a preview of the last message and the due time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import CONVERSATIONAL_INTENTS, OPEN_TICKET_STATUSES
from bot.routing import KIND_INTENTS
from bot.storage.database import Database
from bot.storage.models import Callback, Conversation, Customer, Message, Ticket
from bot.tickets import reference_for

PREVIEW_LENGTH = 120


@dataclass(frozen=True)
class QueueItem:
    """One row of the queue as the console shows it."""

    id: int
    reference: str
    kind: str
    status: str
    priority: int
    urgency: int
    channel: str
    language: str | None
    customer: str
    intent: str | None
    created_at: datetime
    due_at: datetime | None
    assigned_to: str | None
    mode: str
    team: str | None
    preview: str = ""
    preview_sender: str = ""

    def as_json(self) -> dict[str, Any]:
        return {**self.__dict__, "created_at": self.created_at.isoformat(),
                "due_at": self.due_at.isoformat() if self.due_at else None}


async def open_queue(database: Database) -> list[QueueItem]:
    """Open and claimed tickets: contract priority, then urgency, then arrival."""
    async with database.sessions() as session:
        rows = (await session.execute(
            select(Ticket).where(Ticket.status.in_(OPEN_TICKET_STATUSES))
            .order_by(Ticket.priority.desc(), Ticket.urgency.desc(), Ticket.created_at,
                      Ticket.id))).scalars().all()
        return [await _item(session, ticket) for ticket in rows]


async def _item(session: AsyncSession, ticket: Ticket) -> QueueItem:
    conversation = (await session.get(Conversation, ticket.conversation_id)
                    if ticket.conversation_id else None)
    due = ticket.first_response_due if ticket.first_response_at is None else None
    if ticket.kind == "callback":  # the promise to the customer: the call itself
        due = (await session.execute(select(Callback.due_at).where(
            Callback.ticket_id == ticket.id, Callback.status == "scheduled"))
        ).scalar_one_or_none() or due
    customer = await session.get(Customer, ticket.customer_id)
    preview, sender = "", ""
    if conversation is not None:
        last = (await session.execute(
            select(Message.text, Message.sender).where(
                Message.conversation_id == conversation.id, Message.sender != "system")
            .order_by(Message.id.desc()).limit(1))).first()
        if last is not None:
            preview, sender = _shorten(last[0]), last[1]
    return QueueItem(
        id=ticket.id, reference=reference_for(ticket.id), kind=ticket.kind,
        status=ticket.status, priority=ticket.priority, urgency=ticket.urgency,
        channel=conversation.channel if conversation else "",
        language=conversation.language if conversation else None,
        customer=customer_label(customer) if customer else "",
        intent=creating_intent(ticket), created_at=ticket.created_at,
        due_at=due, assigned_to=ticket.assigned_to,
        mode=conversation.mode if conversation else "", team=ticket.team,
        preview=preview, preview_sender=sender)


def creating_intent(ticket: Ticket) -> str | None:
    """What the ticket was opened for: a handoff's topic (the latest intent before it
    that is not small talk, or the request for a person itself), else the intent the
    kind's form answers. Never the latest message's intent (a "thank you" after a
    warranty claim is not what the ticket is about)."""
    if ticket.kind == "handoff":
        intents = [str(intent) for intent in (ticket.details or {}).get("last_intents") or []]
        for intent in reversed(intents):
            if intent not in CONVERSATIONAL_INTENTS and intent != KIND_INTENTS["handoff"]:
                return intent
    return KIND_INTENTS.get(ticket.kind)


def _shorten(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= PREVIEW_LENGTH else flat[:PREVIEW_LENGTH - 1] + "…"


def customer_label(customer: Customer) -> str:
    """The customer's name, or a short, recognisable stand-in for an anonymous visitor."""
    if customer.name:
        return customer.name
    if customer.channel == "webchat":
        return f"Website visitor {customer.external_id[:6]}"
    return customer.external_id
