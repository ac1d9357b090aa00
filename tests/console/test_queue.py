"""The queue as agents see it: who the customer is, what they said last and what the
ticket was opened for."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.storage.database import Database
from bot.storage.models import Message, Ticket
from console.queue import open_queue
from tests.console.helpers import add_ticket

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


async def say(database: Database, ticket_id: int, sender: str, text: str, at: datetime,
              intent: str | None = None) -> None:
    async with database.transaction() as session:
        ticket = await session.get(Ticket, ticket_id)
        assert ticket is not None and ticket.conversation_id is not None
        session.add(Message(conversation_id=ticket.conversation_id, channel="webchat",
                            direction="in" if sender == "customer" else "out",
                            sender=sender, text=text, intent=intent, payload={},
                            created_at=at))


async def test_the_queue_shows_the_customer_and_a_preview_of_the_last_message(
    database: Database,
) -> None:
    ticket_id = await add_ticket(database, NOW)
    await say(database, ticket_id, "customer", "My  printer\nprints only blank pages " * 10,
              NOW + timedelta(minutes=1), intent="report_fault")
    await say(database, ticket_id, "system", "Anna joined", NOW + timedelta(minutes=2))
    [item] = await open_queue(database)
    assert item.customer == "Sanne"
    assert item.preview.startswith("My printer prints only blank pages")
    assert len(item.preview) == 120 and item.preview.endswith("…")
    assert item.preview_sender == "customer"


async def test_a_warranty_ticket_shows_the_intent_that_opened_it_not_the_latest(
    database: Database,
) -> None:
    ticket_id = await add_ticket(database, NOW, kind="warranty", team="hardware")
    await say(database, ticket_id, "customer", "thanks!", NOW + timedelta(minutes=1),
              intent="thank")
    [item] = await open_queue(database)
    assert item.intent == "warranty_claim"


async def test_a_handoff_shows_the_topic_before_the_request_for_a_person(
    database: Database,
) -> None:
    await add_ticket(database, NOW, details={
        "last_intents": ["greet", "mail_setup", "thank", "human_handoff"]})
    await add_ticket(database, NOW, details={"last_intents": ["greet", "human_handoff"]})
    assert [item.intent for item in await open_queue(database)] == \
        ["mail_setup", "human_handoff"]
