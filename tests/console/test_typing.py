"""Agent typing reaches the core only from the agent who holds the ticket, while the
conversation is with people; anything else the console sends is ignored."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.events import AgentTyping, Events
from bot.storage.database import Database
from console.identity import AgentIdentity
from console.typing import agent_typing
from tests.console.helpers import add_ticket

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
ANN = AgentIdentity(id=1, username="ann", display_name="Ann de Vries", role="agent",
                    csrf_token="x")
BEN = AgentIdentity(id=2, username="ben", display_name="Ben", role="agent", csrf_token="y")


def heard(events: Events) -> list[AgentTyping]:
    seen: list[AgentTyping] = []
    events.subscribe(AgentTyping, seen.append)
    return seen


async def test_the_agent_holding_the_ticket_is_shown_typing_by_name(
    database: Database,
) -> None:
    events = Events()
    seen = heard(events)
    ticket_id = await add_ticket(database, NOW, status="claimed", assigned_to="ann")
    assert await agent_typing(database, events, ANN,
                              {"type": "typing", "ticket_id": ticket_id, "on": True})
    assert await agent_typing(database, events, ANN,
                              {"type": "typing", "ticket_id": str(ticket_id), "on": False})
    assert [(event.channel, event.name, event.on) for event in seen] == \
        [("webchat", "Ann de Vries", True), ("webchat", "Ann de Vries", False)]
    assert seen[0].chat_id.startswith("cust-")


async def test_typing_from_anyone_else_or_about_an_open_ticket_is_ignored(
    database: Database,
) -> None:
    events = Events()
    seen = heard(events)
    claimed = await add_ticket(database, NOW, status="claimed", assigned_to="ann")
    waiting = await add_ticket(database, NOW)
    for agent, event in [
        (BEN, {"type": "typing", "ticket_id": claimed, "on": True}),
        (ANN, {"type": "typing", "ticket_id": waiting, "on": True}),
        (ANN, {"type": "typing", "ticket_id": claimed, "on": "yes"}),
        (ANN, {"type": "typing", "ticket_id": None, "on": True}),
        (ANN, {"type": "dance", "ticket_id": claimed, "on": True}),
    ]:
        assert not await agent_typing(database, events, agent, event)
    assert seen == []
