"""Customer privacy: find a customer, export everything stored about them as JSON, and
erase their personal data while keeping the statistics columns. Both are audited."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import (
    Base,
    Callback,
    Conversation,
    Customer,
    Message,
    OutboxItem,
    Ticket,
    TicketNote,
)
from bot.tickets import audit

DELETED = "[deleted]"
SEARCH_LIMIT = 50


class CustomerNotFound(LookupError):
    """No customer has the given id."""


async def search_customers(session: AsyncSession, query: str) -> list[Customer]:
    """Customers whose name, e-mail, phone or channel id contains `query` (any case)."""
    text = query.strip()
    if not text:
        return []
    matches = [column.icontains(text, autoescape=True) for column in
               (Customer.name, Customer.email, Customer.phone, Customer.external_id)]
    rows = await session.scalars(select(Customer).where(or_(*matches))
                                 .order_by(Customer.id).limit(SEARCH_LIMIT))
    return list(rows)


async def _customer(session: AsyncSession, customer_id: int) -> Customer:
    customer = await session.get(Customer, customer_id)
    if customer is None:
        raise CustomerNotFound(customer_id)
    return customer


def _record(row: Base) -> dict[str, Any]:
    """A row's columns as JSON-ready values (datetimes in ISO 8601)."""
    record: dict[str, Any] = {}
    for column in row.__table__.columns:
        value = getattr(row, column.key)
        record[column.key] = value.isoformat() if isinstance(value, datetime) else value
    return record


async def _owned(session: AsyncSession, customer_id: int) -> tuple[
        list[Conversation], list[Message], list[Ticket], list[TicketNote], list[Callback]]:
    conversations = list(await session.scalars(
        select(Conversation).where(Conversation.customer_id == customer_id)
        .order_by(Conversation.id)))
    messages = list(await session.scalars(
        select(Message).where(Message.conversation_id.in_([c.id for c in conversations]))
        .order_by(Message.id)))
    tickets = list(await session.scalars(
        select(Ticket).where(Ticket.customer_id == customer_id).order_by(Ticket.id)))
    ticket_ids = [t.id for t in tickets]
    notes = list(await session.scalars(
        select(TicketNote).where(TicketNote.ticket_id.in_(ticket_ids)).order_by(TicketNote.id)))
    callbacks = list(await session.scalars(
        select(Callback).where(Callback.ticket_id.in_(ticket_ids)).order_by(Callback.id)))
    return conversations, messages, tickets, notes, callbacks


async def export_customer(session: AsyncSession, customer_id: int, actor: str,
                          now: datetime) -> dict[str, Any]:
    """Everything stored about a customer, nested by conversation and ticket; audited."""
    customer = await _customer(session, customer_id)
    conversations, messages, tickets, notes, callbacks = await _owned(session, customer_id)
    document = {
        "exported_at": now.isoformat(),
        "customer": _record(customer),
        "conversations": [
            {**_record(c), "messages": [_record(m) for m in messages
                                        if m.conversation_id == c.id]}
            for c in conversations],
        "tickets": [
            {**_record(t), "notes": [_record(n) for n in notes if n.ticket_id == t.id]}
            for t in tickets],
        "callbacks": [_record(c) for c in callbacks],
    }
    counts = {"conversations": len(conversations), "messages": len(messages),
              "tickets": len(tickets), "notes": len(notes), "callbacks": len(callbacks)}
    await audit(session, now, actor, "customer", customer_id, "privacy_export", after=counts)
    return document


@dataclass(frozen=True)
class Erasure:
    """How many rows of each kind had personal data erased."""

    conversations: int
    messages: int
    tickets: int
    notes: int
    callbacks: int


async def erase_customer(session: AsyncSession, customer_id: int, actor: str,
                         now: datetime) -> Erasure:
    """Erase a customer's personal data; intents, timestamps and scores stay for statistics."""
    customer = await _customer(session, customer_id)
    conversations, messages, tickets, notes, callbacks = await _owned(session, customer_id)
    customer.name = customer.email = customer.phone = None
    customer.external_id = f"deleted-{customer.id}"
    for conversation in conversations:
        conversation.external_chat_id = f"deleted-{conversation.id}"
        conversation.state = {}
    for message in messages:
        message.text, message.payload = DELETED, {}
    for ticket in tickets:
        ticket.subject, ticket.details = DELETED, {}
        ticket.resolution = DELETED if ticket.resolution else ticket.resolution
    for note in notes:
        note.text = DELETED
    for callback in callbacks:
        callback.phone_e164, callback.topic, callback.note = "deleted", "", ""
    await _erase_sent_replies(session, [c.id for c in conversations])
    erasure = Erasure(len(conversations), len(messages), len(tickets), len(notes), len(callbacks))
    await audit(session, now, actor, "customer", customer_id, "privacy_delete",
                after=asdict(erasure))
    return erasure


async def _erase_sent_replies(session: AsyncSession, conversation_ids: list[int]) -> None:
    """Replies already sent or given up keep no text or address; pending ones still go out."""
    await session.execute(
        update(OutboxItem)
        .where(OutboxItem.conversation_id.in_(conversation_ids),
               OutboxItem.status.in_(("sent", "failed")))
        .values(payload={}, recipient="deleted"))
