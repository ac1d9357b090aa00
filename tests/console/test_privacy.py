"""Customer privacy on SQLite and PostgreSQL: search, a complete JSON export and an
erasure that removes personal data but keeps statistics; both audited."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.storage.database import Database
from bot.storage.models import (
    AuditEntry,
    Callback,
    Conversation,
    Customer,
    Message,
    OutboxItem,
    Ticket,
    TicketNote,
)
from console import privacy

NOW = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)
EARLIER = NOW - timedelta(days=1)


async def add_customer(database: Database, *, name: str, external_id: str,
                       email: str | None = None, phone: str | None = None) -> int:
    """A WhatsApp customer with one conversation, two messages, a ticket with a note and a
    callback, and a sent reply in the outbox."""
    async with database.transaction() as session:
        customer = Customer(channel="whatsapp", external_id=external_id, name=name,
                            email=email, phone=phone, created_at=EARLIER)
        session.add(customer)
        await session.flush()
        conversation = Conversation(customer_id=customer.id, channel="whatsapp",
                                    external_chat_id=external_id, state={"phone": phone},
                                    created_at=EARLIER, last_message_at=EARLIER)
        session.add(conversation)
        await session.flush()
        question = Message(conversation_id=conversation.id, channel="whatsapp",
                           direction="in", sender="customer", text=f"I am {name}",
                           payload={"from": external_id}, intent="warranty_claim",
                           confidence=0.9, created_at=EARLIER)
        answer = Message(conversation_id=conversation.id, channel="whatsapp", direction="out",
                         sender="bot", text=f"Hello {name}", payload={}, created_at=EARLIER)
        ticket = Ticket(kind="callback", customer_id=customer.id,
                        conversation_id=conversation.id, subject=f"Call {name}",
                        details={"serial": "SN-1"}, created_at=EARLIER, csat_score=4)
        session.add_all([question, answer, ticket])
        await session.flush()
        session.add_all([
            TicketNote(ticket_id=ticket.id, author="anna", text=f"{name} is nice",
                       created_at=EARLIER),
            Callback(ticket_id=ticket.id, phone_e164=phone or "", topic="router",
                     due_at=NOW, created_at=EARLIER, note="left voicemail"),
            OutboxItem(conversation_id=conversation.id, message_id=answer.id,
                       channel="whatsapp", recipient=external_id,
                       payload={"text": f"Hello {name}"}, status="sent",
                       next_attempt_at=EARLIER, created_at=EARLIER),
        ])
        return customer.id


@pytest.fixture
async def lotte(database: Database) -> int:
    return await add_customer(database, name="Lotte Jansen", external_id="+31201234567",
                              email="lotte@example.com", phone="+31201234567")


@pytest.fixture
async def other(database: Database) -> int:
    return await add_customer(database, name="Peter 100% Smit", external_id="+442079460001")


async def search(database: Database, query: str) -> list[int]:
    async with database.transaction() as session:
        return [customer.id for customer in await privacy.search_customers(session, query)]


async def test_customers_are_found_by_name_email_phone_or_channel_id(
        database: Database, lotte: int, other: int) -> None:
    assert await search(database, "jansen") == [lotte]
    assert await search(database, "LOTTE@EXAMPLE") == [lotte]
    assert await search(database, "+4420794") == [other]
    assert await search(database, "100%") == [other]
    assert await search(database, "1%0") == []
    assert await search(database, "  ") == []


async def test_export_holds_everything_about_the_customer_and_is_audited(
        database: Database, lotte: int, other: int) -> None:
    async with database.transaction() as session:
        document = await privacy.export_customer(session, lotte, "sam", NOW)
    exported = json.loads(json.dumps(document))
    assert exported["customer"]["email"] == "lotte@example.com"
    [conversation] = exported["conversations"]
    assert [m["text"] for m in conversation["messages"]] == ["I am Lotte Jansen",
                                                              "Hello Lotte Jansen"]
    [ticket] = exported["tickets"]
    assert ticket["notes"][0]["text"] == "Lotte Jansen is nice"
    assert exported["callbacks"][0]["phone_e164"] == "+31201234567"
    assert "Peter" not in json.dumps(exported)
    entry = await last_audit(database)
    assert (entry.actor, entry.entity, entry.entity_id, entry.action) == (
        "sam", "customer", lotte, "privacy_export")
    assert entry.after["messages"] == 2


async def test_an_unknown_customer_cannot_be_exported(database: Database) -> None:
    async with database.transaction() as session:
        with pytest.raises(privacy.CustomerNotFound):
            await privacy.export_customer(session, 999, "sam", NOW)


async def last_audit(database: Database) -> AuditEntry:
    async with database.transaction() as session:
        entry = await session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()))
    assert entry is not None
    return entry


async def test_erasure_removes_personal_data_and_keeps_statistics(
        database: Database, lotte: int, other: int) -> None:
    async with database.transaction() as session:
        erasure = await privacy.erase_customer(session, lotte, "sam", NOW)
    assert erasure == privacy.Erasure(conversations=1, messages=2, tickets=1, notes=1,
                                      callbacks=1)
    async with database.transaction() as session:
        customer = await session.get(Customer, lotte)
        assert customer is not None
        assert (customer.name, customer.email, customer.phone) == (None, None, None)
        assert customer.external_id == f"deleted-{lotte}"
        messages = list(await session.scalars(
            select(Message).join(Conversation).where(Conversation.customer_id == lotte)))
        assert {(m.text, str(m.payload)) for m in messages} == {("[deleted]", "{}")}
        assert [m.intent for m in messages if m.direction == "in"] == ["warranty_claim"]
        ticket = await session.scalar(select(Ticket).where(Ticket.customer_id == lotte))
        assert ticket is not None
        assert (ticket.subject, ticket.details, ticket.csat_score) == ("[deleted]", {}, 4)
        assert await session.scalar(select(TicketNote.text)
                                    .where(TicketNote.ticket_id == ticket.id)) == "[deleted]"
        callback = await session.scalar(select(Callback).where(Callback.ticket_id == ticket.id))
        assert callback is not None
        assert (callback.phone_e164, callback.topic, callback.note) == ("deleted", "", "")
        outbox = await session.scalar(select(OutboxItem).join(Conversation)
                                      .where(Conversation.customer_id == lotte))
        assert outbox is not None and (outbox.payload, outbox.recipient) == ({}, "deleted")
    await assert_untouched(database, other)


async def assert_untouched(database: Database, customer_id: int) -> None:
    async with database.transaction() as session:
        customer = await session.get(Customer, customer_id)
        assert customer is not None and customer.name == "Peter 100% Smit"
        texts = await session.scalars(
            select(Message.text).join(Conversation).where(Conversation.customer_id
                                                          == customer_id))
        assert "[deleted]" not in list(texts)


async def test_erasure_is_audited_without_personal_data(database: Database, lotte: int) -> None:
    async with database.transaction() as session:
        await privacy.erase_customer(session, lotte, "sam", NOW)
    entry = await last_audit(database)
    assert (entry.actor, entry.entity_id, entry.action) == ("sam", lotte, "privacy_delete")
    recorded = json.dumps([entry.before, entry.after])
    assert "Lotte" not in recorded and "+3120" not in recorded and "example" not in recorded
