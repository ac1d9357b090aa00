"""Typing and seen signals reach the core only from the agent who holds the ticket (typing
only while the conversation is with people); anything else the console sends is ignored."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from bot.events import AgentTyping, Events, MessagesSeen
from bot.storage.database import Database
from bot.storage.models import Message, Ticket
from console.identity import AgentIdentity
from console.signals import agent_signal
from tests.console.helpers import add_ticket

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
ANN = AgentIdentity(id=1, username="ann", display_name="Ann de Vries", role="agent",
                    csrf_token="x")
BEN = AgentIdentity(id=2, username="ben", display_name="Ben", role="agent", csrf_token="y")


def heard(events: Events) -> list[Any]:
    seen: list[Any] = []
    events.subscribe(AgentTyping, seen.append)
    events.subscribe(MessagesSeen, seen.append)
    return seen


async def customer_message(database: Database, ticket_id: int) -> int:
    async with database.transaction() as session:
        ticket = (await session.execute(select(Ticket).where(Ticket.id == ticket_id))
                  ).scalar_one()
        message = Message(conversation_id=ticket.conversation_id, channel="webchat",
                          direction="in", sender="customer", text="hello?", payload={},
                          created_at=NOW)
        session.add(message)
        await session.flush()
        return message.id


async def test_the_agent_holding_the_ticket_is_shown_typing_by_name(
    database: Database,
) -> None:
    events = Events()
    seen = heard(events)
    ticket_id = await add_ticket(database, NOW, status="claimed", assigned_to="ann")
    assert await agent_signal(database, events, ANN,
                              {"type": "typing", "ticket_id": ticket_id, "on": True})
    assert await agent_signal(database, events, ANN,
                              {"type": "typing", "ticket_id": str(ticket_id), "on": False})
    assert [(event.channel, event.name, event.on) for event in seen] == \
        [("webchat", "Ann de Vries", True), ("webchat", "Ann de Vries", False)]
    assert seen[0].chat_id.startswith("cust-")


async def test_the_holder_marks_the_customers_messages_seen(database: Database) -> None:
    events = Events()
    seen = heard(events)
    ticket_id = await add_ticket(database, NOW, status="claimed", assigned_to="ann")
    message_id = await customer_message(database, ticket_id)
    assert await agent_signal(database, events, ANN, {
        "type": "seen", "ticket_id": ticket_id, "message_id": message_id})
    assert len(seen) == 1 and isinstance(seen[0], MessagesSeen)
    assert (seen[0].message_id, seen[0].at.replace(tzinfo=UTC)) == (message_id, NOW)


async def test_signals_from_anyone_else_or_about_other_things_are_ignored(
    database: Database,
) -> None:
    events = Events()
    seen = heard(events)
    claimed = await add_ticket(database, NOW, status="claimed", assigned_to="ann")
    waiting = await add_ticket(database, NOW)
    elsewhere = await customer_message(database, waiting)
    for agent, event in [
        (BEN, {"type": "typing", "ticket_id": claimed, "on": True}),
        (ANN, {"type": "typing", "ticket_id": waiting, "on": True}),
        (ANN, {"type": "typing", "ticket_id": claimed, "on": "yes"}),
        (ANN, {"type": "typing", "ticket_id": None, "on": True}),
        (ANN, {"type": "typing", "ticket_id": True, "on": True}),
        (ANN, {"type": "dance", "ticket_id": claimed, "on": True}),
        (ANN, {"type": "seen", "ticket_id": claimed, "message_id": elsewhere}),
        (BEN, {"type": "seen", "ticket_id": waiting, "message_id": elsewhere}),
    ]:
        assert not await agent_signal(database, events, agent, event)
    assert seen == []
