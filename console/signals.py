"""What the agent's console tells the customer's chat while the agent works: that the
agent is typing a reply, and how far the agent has read. The console sends
`{"type": "typing", "ticket_id", "on"}` and `{"type": "seen", "ticket_id", "message_id"}`
over its WebSocket; for a ticket the agent holds, the core hears `AgentTyping` or
`MessagesSeen` and the customer's channel shows it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.events import AgentTyping, Events, MessagesSeen
from bot.storage.database import Database
from bot.storage.models import Conversation, Message, Ticket
from console.identity import AgentIdentity


async def agent_signal(database: Database, events: Events, agent: AgentIdentity,
                       event: dict[str, Any]) -> bool:
    """Publish a typing or seen signal of the agent; returns whether one was published.
    Anything malformed, or about a ticket the agent does not hold, is ignored: these are
    only hints."""
    kind, ticket_id = event.get("type"), _number(event.get("ticket_id"))
    if kind not in ("typing", "seen") or ticket_id is None:
        return False
    async with database.sessions() as session:
        held = await _held(session, ticket_id, agent)
        if held is None:
            return False
        channel, chat_id, mode, conversation_id = held
        if kind == "typing":
            on = event.get("on")
            if not isinstance(on, bool) or (on and mode != "human"):
                return False
            events.publish(AgentTyping(channel, chat_id, agent.display_name, on))
            return True
        message_id = _number(event.get("message_id"))
        seen = None if message_id is None else (await session.execute(
            select(Message.created_at).where(Message.id == message_id,
                                             Message.conversation_id == conversation_id,
                                             Message.direction == "in"))).scalar_one_or_none()
    if message_id is None or seen is None:
        return False
    events.publish(MessagesSeen(channel, chat_id, message_id, seen))
    return True


async def _held(session: AsyncSession, ticket_id: int,
                agent: AgentIdentity) -> tuple[str, str, str, int] | None:
    """(channel, chat id, mode, conversation id) of a ticket the agent has claimed."""
    row = (await session.execute(
        select(Conversation.channel, Conversation.external_chat_id, Conversation.mode,
               Conversation.id)
        .join(Ticket, Ticket.conversation_id == Conversation.id)
        .where(Ticket.id == ticket_id, Ticket.status == "claimed",
               Ticket.assigned_to == agent.username))).first()
    return None if row is None else (str(row[0]), str(row[1]), str(row[2]), int(row[3]))


def _number(value: object) -> int | None:
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) else None
