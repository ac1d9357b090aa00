"""Agent typing, told to the customer: the console sends `{"type": "typing", "ticket_id",
"on"}` over its WebSocket; when the agent holds that ticket, the core hears `AgentTyping`
and the customer's channel shows it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.events import AgentTyping, Events
from bot.storage.database import Database
from bot.storage.models import Conversation, Ticket
from console.identity import AgentIdentity


async def agent_typing(database: Database, events: Events, agent: AgentIdentity,
                       event: dict[str, Any]) -> bool:
    """Publish the agent's typing for a ticket they hold (in a conversation with people);
    returns whether it was published. Anything else is ignored: it is only a hint."""
    ticket_id, on = event.get("ticket_id"), event.get("on")
    if event.get("type") != "typing" or not isinstance(on, bool):
        return False
    if isinstance(ticket_id, str) and ticket_id.isdigit():
        ticket_id = int(ticket_id)
    if not isinstance(ticket_id, int):
        return False
    async with database.sessions() as session:
        row = (await session.execute(
            select(Conversation.channel, Conversation.external_chat_id, Conversation.mode)
            .join(Ticket, Ticket.conversation_id == Conversation.id)
            .where(Ticket.id == ticket_id, Ticket.status == "claimed",
                   Ticket.assigned_to == agent.username))).first()
    if row is None or (on and row[2] != "human"):
        return False
    events.publish(AgentTyping(row[0], row[1], agent.display_name, on))
    return True
