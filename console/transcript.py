"""What the conversation view shows: the ticket, the whole transcript (bot part included,
with each inbound message's intent and confidence), notes, the customer and earlier tickets."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from sqlalchemy import select

from bot.domain import OutboxStatus
from bot.message_kinds import DEFAULT_MAP_URL, describe, map_link
from bot.storage.database import Database
from bot.storage.models import Conversation, Customer, Message, OutboxItem, Ticket, TicketNote
from bot.tickets import reference_for
from console.queue import customer_label


@dataclass
class TicketView:
    ticket: Ticket
    reference: str
    customer: Customer | None
    conversation: Conversation | None
    messages: list[Message] = field(default_factory=list)
    notes: list[TicketNote] = field(default_factory=list)
    earlier: list[tuple[str, Ticket]] = field(default_factory=list)
    # Outbound messages whose delivery failed for good (a bounce, a refused send): reason.
    failed: dict[int, str] = field(default_factory=dict)


async def ticket_view(database: Database, ticket_id: int) -> TicketView | None:
    async with database.sessions() as session:
        ticket = await session.get(Ticket, ticket_id)
        if ticket is None:
            return None
        conversation = (await session.get(Conversation, ticket.conversation_id)
                        if ticket.conversation_id else None)
        customer = await session.get(Customer, ticket.customer_id)
        view = TicketView(ticket, reference_for(ticket.id), customer, conversation)
        if conversation is not None:
            view.messages = list((await session.execute(
                select(Message).where(Message.conversation_id == conversation.id)
                .order_by(Message.id))).scalars())
            view.failed = {message_id: str(error or "") for message_id, error in (
                await session.execute(select(OutboxItem.message_id, OutboxItem.last_error)
                                      .where(OutboxItem.conversation_id == conversation.id,
                                             OutboxItem.status == OutboxStatus.FAILED,
                                             OutboxItem.message_id.is_not(None)))).all()
                if message_id is not None}
        view.notes = list((await session.execute(
            select(TicketNote).where(TicketNote.ticket_id == ticket_id)
            .order_by(TicketNote.id))).scalars())
        earlier = (await session.execute(
            select(Ticket).where(Ticket.customer_id == ticket.customer_id,
                                 Ticket.id != ticket_id).order_by(Ticket.id.desc()).limit(20)
        )).scalars()
        view.earlier = [(reference_for(t.id), t) for t in earlier]
        return view


async def channel_of(database: Database, ticket_id: int) -> tuple[str, str] | None:
    """(channel, chat id) of the ticket's conversation."""
    async with database.sessions() as session:
        row = (await session.execute(
            select(Conversation.channel, Conversation.external_chat_id)
            .join(Ticket, Ticket.conversation_id == Conversation.id)
            .where(Ticket.id == ticket_id))).first()
    return (row[0], row[1]) if row else None


def _with_url(attachment: dict[str, Any]) -> dict[str, Any]:
    """An attachment with the console URL of its stored file, when it was fetched."""
    if not attachment.get("file"):
        return attachment
    name = quote(str(attachment.get("name") or ""))
    return {**attachment, "url": f"/console/api/files/{attachment['file']}?name={name}"}


def _summary(payload: dict[str, Any]) -> str:
    """What a message holds, for the transcript. A file with nothing more to say (a voice
    note, a video) has none: the console names its attachments itself. An edit is marked
    apart (`edited`), in the agent's language, so the line leaves it out."""
    if payload.get("attachments") and not payload.get("content"):
        return ""
    return describe({key: value for key, value in payload.items() if key != "edit_of"})


def as_json(view: TicketView, map_url: str = DEFAULT_MAP_URL) -> dict[str, Any]:
    """The ticket, its transcript with notes, the customer and their earlier tickets."""
    ticket, customer = view.ticket, view.customer
    return {
        "id": ticket.id, "reference": view.reference, "kind": ticket.kind,
        "status": ticket.status, "assigned_to": ticket.assigned_to, "team": ticket.team,
        "subject": ticket.subject, "resolution": ticket.resolution,
        "created_at": ticket.created_at.isoformat(),
        "closed_at": ticket.closed_at.isoformat() if ticket.closed_at else None,
        "mode": view.conversation.mode if view.conversation else None,
        "channel": view.conversation.channel if view.conversation else None,
        "language": view.conversation.language if view.conversation else None,
        "messages": [{"id": m.id, "sender": m.sender, "text": m.text, "intent": m.intent,
                      "confidence": m.confidence, "at": m.created_at.isoformat(),
                      "attachments": [_with_url(a) for a in [*m.payload.get("attachments", []),
                                                             *m.payload.get("files", [])]],
                      "kind": m.payload.get("kind", "text"), "summary": _summary(m.payload),
                      "map_url": map_link(m.payload, map_url),
                      "edited": bool(m.payload.get("edit_of")),
                      "failed": view.failed.get(m.id),
                      "original": (m.payload.get("email") or {}).get("original"),
                      "agent": m.payload.get("agent")} for m in view.messages],
        "notes": [{"id": n.id, "author": n.author, "text": n.text,
                   "at": n.created_at.isoformat()} for n in view.notes],
        "customer": None if customer is None else {
            "label": customer_label(customer), "name": customer.name,
            "channel": customer.channel,
            "handle": customer.external_id, "language": customer.language,
            "phone": customer.phone, "email": customer.email,
            "contract": customer.contract_level},
        "earlier": [{"id": t.id, "reference": reference, "kind": t.kind, "status": t.status,
                     "created_at": t.created_at.isoformat()}
                    for reference, t in view.earlier],
    }
