"""Agent actions on the database: queue order, atomic claim under contention, replies
through the outbox, notes, hand back and close with a CSAT question, all audited."""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.catalogue import Catalogue
from bot.config import CompanySettings
from bot.storage.database import Database
from bot.storage.models import (
    AuditEntry,
    Conversation,
    Customer,
    Message,
    OutboxItem,
    Ticket,
    TicketNote,
)
from console.actors import Actor, DeskError
from console.desk import Desk

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
_visitors = itertools.count(1)
ANNA = Actor("anna", "Anna de Vries")
BEN = Actor("ben", "Ben Keller")


@pytest.fixture
def desk(database: Database) -> Desk:
    return Desk(database, Catalogue.load(CompanySettings().placeholders()))


async def open_handoff(database: Database, *, contract: str = "none", urgency: int = 0,
                       minutes_ago: int = 0, language: str = "nl") -> int:
    at = NOW - timedelta(minutes=minutes_ago)
    async with database.transaction() as session:
        customer = Customer(channel="webchat", external_id=f"visitor-{next(_visitors)}",
                            name="Sanne", contract_level=contract, created_at=at)
        session.add(customer)
        await session.flush()
        conversation = Conversation(customer_id=customer.id, channel="webchat",
                                    external_chat_id=customer.external_id, language=language,
                                    mode="human", state={}, created_at=at, last_message_at=at)
        session.add(conversation)
        await session.flush()
        ticket = Ticket(kind="handoff", status="open", customer_id=customer.id,
                        conversation_id=conversation.id, subject="Handoff",
                        priority={"premium": 2, "standard": 1}.get(contract, 0),
                        urgency=urgency, created_at=at,
                        first_response_due=at + timedelta(minutes=5))
        session.add(ticket)
        await session.flush()
        return ticket.id


async def test_queue_is_ordered_by_contract_then_urgency_then_arrival(
    desk: Desk, database: Database,
) -> None:
    late_plain = await open_handoff(database, minutes_ago=1)
    early_plain = await open_handoff(database, minutes_ago=9)
    urgent_plain = await open_handoff(database, urgency=1, minutes_ago=2)
    premium = await open_handoff(database, contract="premium", minutes_ago=0)
    assert [item.id for item in await desk.queue()] == \
        [premium, urgent_plain, early_plain, late_plain]


async def test_two_agents_claiming_at_once_give_exactly_one_winner_every_time(
    desk: Desk, database: Database,
) -> None:
    for _ in range(100):
        ticket_id = await open_handoff(database)
        results = await asyncio.gather(desk.claim(ticket_id, ANNA, NOW),
                                       desk.claim(ticket_id, BEN, NOW),
                                       return_exceptions=True)
        winners = [r for r in results if isinstance(r, str)]
        losers = [r for r in results if isinstance(r, DeskError)]
        assert len(winners) == 1 and len(losers) == 1, results
        assert f"{winners[0]} already has this ticket" == str(losers[0])
        async with database.sessions() as session:
            ticket = await session.get(Ticket, ticket_id)
            assert ticket is not None and ticket.assigned_to == winners[0]


async def test_reply_goes_to_the_outbox_as_the_agent_and_sets_first_response(
    desk: Desk, database: Database,
) -> None:
    ticket_id = await open_handoff(database)
    with pytest.raises(DeskError, match="claim the ticket first"):
        await desk.reply(ticket_id, ANNA, "Hallo!", NOW)
    await desk.claim(ticket_id, ANNA, NOW)
    with pytest.raises(DeskError, match="claim the ticket first"):
        await desk.reply(ticket_id, BEN, "Ik neem het over", NOW)
    await desk.reply(ticket_id, ANNA, "Hallo Sanne, ik kijk even mee.", NOW + timedelta(minutes=2))
    async with database.sessions() as session:
        ticket = await session.get(Ticket, ticket_id)
        sent = (await session.execute(select(Message.sender, Message.text).where(
            Message.direction == "out").order_by(Message.id))).all()
        queued = (await session.execute(select(func.count()).select_from(OutboxItem))).scalar()
    assert ticket is not None and ticket.first_response_at == NOW + timedelta(minutes=2)
    assert sent[0][0] == "system" and "Anna de Vries" in sent[0][1]  # joined, in Dutch
    assert "neemt deel" in sent[0][1]
    assert sent[1] == ("agent", "Hallo Sanne, ik kijk even mee.") and queued == 2


async def test_close_asks_for_a_rating_in_the_customers_language_once(
    desk: Desk, database: Database,
) -> None:
    ticket_id = await open_handoff(database, language="de")
    await desk.claim(ticket_id, BEN, NOW)
    await desk.note(ticket_id, BEN, "Kunde hat neues Netzteil bekommen", NOW)
    with pytest.raises(DeskError, match="resolution"):
        await desk.close(ticket_id, BEN, "  ", NOW)
    await desk.close(ticket_id, BEN, "Netzteil ersetzt", NOW)
    with pytest.raises(DeskError):
        await desk.close(ticket_id, BEN, "again", NOW)
    async with database.sessions() as session:
        ticket = await session.get(Ticket, ticket_id)
        conversation = (await session.execute(select(Conversation))).scalar_one()
        last = (await session.execute(
            select(Message).order_by(Message.id.desc()))).scalars().first()
        notes = (await session.execute(select(TicketNote.text))).scalars().all()
        actions = (await session.execute(select(AuditEntry.action).where(
            AuditEntry.entity == "ticket"))).scalars().all()
    assert ticket is not None and ticket.status == "closed" and ticket.csat_asked_at == NOW
    assert conversation.mode == "bot" and conversation.state["csat_ticket"] == ticket_id
    assert last is not None and "Wie zufrieden" in last.text
    assert [b["payload"] for b in last.payload["buttons"]] == [f"=csat:{n}" for n in range(1, 6)]
    assert notes == ["Kunde hat neues Netzteil bekommen"]
    assert actions == ["claim", "note", "close"]


async def test_hand_back_returns_the_conversation_to_the_bot(
    desk: Desk, database: Database,
) -> None:
    ticket_id = await open_handoff(database, language="en")
    await desk.claim(ticket_id, ANNA, NOW)
    await desk.hand_back(ticket_id, ANNA, NOW)
    async with database.sessions() as session:
        conversation = (await session.execute(select(Conversation))).scalar_one()
        last = (await session.execute(
            select(Message).order_by(Message.id.desc()))).scalars().first()
    assert conversation.mode == "bot"
    assert last is not None and "assistant again" in last.text


async def test_close_keeps_the_resolution_internal_and_sends_the_closing_message(
    desk: Desk, database: Database,
) -> None:
    ticket_id = await open_handoff(database, language="en")
    await desk.claim(ticket_id, ANNA, NOW)
    await desk.close(ticket_id, ANNA, "Customer confused two serial numbers", NOW,
                     closing_message="Glad we sorted it out. Have a nice day!")
    async with database.sessions() as session:
        sent = (await session.execute(select(Message.sender, Message.text).where(
            Message.direction == "out").order_by(Message.id))).all()
        ticket = await session.get(Ticket, ticket_id)
    assert ticket is not None and ticket.resolution == "Customer confused two serial numbers"
    assert all("serial numbers" not in text for _, text in sent)
    assert ("agent", "Glad we sorted it out. Have a nice day!") in sent
    assert any(sender == "system" and "has closed this conversation" in text
               for sender, text in sent)


async def test_close_without_a_closing_message_sends_no_agent_message(
    desk: Desk, database: Database,
) -> None:
    ticket_id = await open_handoff(database)
    await desk.claim(ticket_id, ANNA, NOW)
    await desk.close(ticket_id, ANNA, "Duplicate of an earlier ticket", NOW)
    async with database.sessions() as session:
        senders = (await session.execute(select(Message.sender).where(
            Message.direction == "out"))).scalars().all()
    assert "agent" not in senders


async def test_a_closed_ticket_takes_no_more_notes(desk: Desk, database: Database) -> None:
    ticket_id = await open_handoff(database)
    await desk.claim(ticket_id, ANNA, NOW)
    await desk.close(ticket_id, ANNA, "Done", NOW)
    with pytest.raises(DeskError, match="closed"):
        await desk.note(ticket_id, ANNA, "one more thing", NOW)
