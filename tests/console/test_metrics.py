"""Supervisor metrics computed from seeded rows on SQLite and PostgreSQL: conversations per
channel per day, top intents, fallback and handoff rates, SLA breaches and CSAT."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.storage.database import Database
from bot.storage.models import Conversation, Customer, Message, Ticket
from bot.tickets import reference_for
from console import metrics
from console.metrics import Rate
from console.periods import ReportPeriod

PERIOD = ReportPeriod(date(2026, 3, 2), date(2026, 3, 4))
NOW = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)
THRESHOLD = 0.55


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, second, tzinfo=UTC)


@dataclass
class Seeded:
    ticket_ids: list[int]


def _conversation(customer: Customer, created: datetime) -> Conversation:
    return Conversation(customer_id=customer.id, channel=customer.channel,
                        external_chat_id=customer.external_id, state={}, created_at=created,
                        last_message_at=created)


def _inbound(conversation: Conversation, intent: str | None, confidence: float | None,
             created: datetime) -> Message:
    return Message(conversation_id=conversation.id, channel=conversation.channel,
                   direction="in", sender="customer", text="hello", payload={},
                   intent=intent, confidence=confidence, created_at=created)


def _ticket(kind: str, customer: Customer, conversation: Conversation | None,
            created: datetime, **fields: object) -> Ticket:
    fields.setdefault("status", "open")
    return Ticket(kind=kind, customer_id=customer.id,
                  conversation_id=conversation.id if conversation else None,
                  subject="help", details={}, created_at=created, **fields)


async def seed(database: Database) -> Seeded:
    """Four conversations in the period (two outside), ten classified inbound messages and
    five tickets with known timings; see the expectations in the tests."""
    async with database.transaction() as session:
        anna = Customer(channel="telegram", external_id="1001", created_at=at(1, 8))
        bart = Customer(channel="whatsapp", external_id="+31201234567", created_at=at(1, 8))
        cleo = Customer(channel="webchat", external_id="visitor-1", created_at=at(1, 8))
        session.add_all([anna, bart, cleo])
        await session.flush()
        conversations = [
            _conversation(anna, at(2, 9)), _conversation(anna, at(2, 23, 59, 59)),
            _conversation(bart, at(3, 0)), _conversation(cleo, at(4, 10)),
            _conversation(anna, at(1, 23, 59, 59)), _conversation(bart, at(5, 0)),
        ]
        session.add_all(conversations)
        await session.flush()
        first, _, third, fourth, before, _ = conversations
        messages = [
            *[_inbound(first, "support_hours", 0.9, at(2, 9, n)) for n in range(3)],
            *[_inbound(third, "warranty_claim", 0.8, at(3, 1, n)) for n in range(2)],
            *[_inbound(fourth, "greet", 0.95, at(4, 10, n)) for n in range(2)],
            _inbound(first, "nlu_fallback", 0.3, at(2, 9, 5)),
            _inbound(third, "out_of_scope", 0.9, at(3, 2)),
            _inbound(fourth, "complaint", 0.4, at(4, 11)),
            _inbound(fourth, None, None, at(4, 11, 1)),
            _inbound(first, "support_hours", 0.9, at(5, 0)),
            Message(conversation_id=first.id, channel="telegram", direction="out",
                    sender="bot", text="hi", payload={}, intent="greet", confidence=0.99,
                    created_at=at(2, 9, 1)),
        ]
        session.add_all(messages)
        tickets = [
            _ticket("handoff", anna, first, at(2, 9), first_response_due=at(2, 9, 5),
                    first_response_at=at(2, 9, 3), resolution_due=at(2, 14),
                    closed_at=at(2, 13), status="closed", csat_score=5, assigned_to="anna"),
            _ticket("handoff", anna, first, at(2, 10), first_response_due=at(2, 10, 5),
                    first_response_at=at(2, 10, 12), resolution_due=at(2, 15),
                    closed_at=at(2, 16), status="closed", csat_score=2),
            _ticket("handoff", bart, third, at(3, 8), first_response_due=at(3, 8, 5),
                    resolution_due=at(3, 13)),
            _ticket("warranty", cleo, fourth, at(4, 10), first_response_due=at(4, 10, 5),
                    first_response_at=at(4, 10, 5), resolution_due=at(6, 10), csat_score=4),
            _ticket("callback", bart, None, at(4, 11)),
            _ticket("handoff", anna, before, at(1, 23, 59, 59), csat_score=1),
        ]
        session.add_all(tickets)
        await session.flush()
        return Seeded([ticket.id for ticket in tickets])


async def test_conversations_are_counted_per_channel_per_utc_day(database: Database) -> None:
    await seed(database)
    async with database.transaction() as session:
        volume = await metrics.channel_volume(session, PERIOD)
    assert volume.days == [date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4)]
    assert volume.counts == {"telegram": [2, 0, 0], "webchat": [0, 0, 1],
                             "whatsapp": [0, 1, 0]}
    assert volume.total == 4


async def test_top_intents_count_inbound_messages_most_frequent_first(
        database: Database) -> None:
    await seed(database)
    async with database.transaction() as session:
        intents = await metrics.top_intents(session, PERIOD)
    assert [(item.intent, item.count) for item in intents] == [
        ("support_hours", 3), ("greet", 2), ("warranty_claim", 2), ("complaint", 1),
        ("nlu_fallback", 1), ("out_of_scope", 1)]


async def test_top_intents_stop_at_the_limit(database: Database) -> None:
    await seed(database)
    async with database.transaction() as session:
        intents = await metrics.top_intents(session, PERIOD, limit=2)
    assert [item.intent for item in intents] == ["support_hours", "greet"]


async def test_fallback_counts_fallback_out_of_scope_and_low_confidence(
        database: Database) -> None:
    await seed(database)
    async with database.transaction() as session:
        rate = await metrics.fallback_rate(session, PERIOD, THRESHOLD)
    assert rate == Rate(3, 10)
    assert rate.share == pytest.approx(0.3)


async def test_handoff_rate_counts_conversations_with_a_handoff_once(
        database: Database) -> None:
    await seed(database)
    async with database.transaction() as session:
        assert await metrics.handoff_rate(session, PERIOD) == Rate(2, 4)


async def test_ticket_rows_carry_channel_and_breaches(database: Database) -> None:
    seeded = await seed(database)
    async with database.transaction() as session:
        rows = await metrics.ticket_rows(session, PERIOD, NOW)
    assert [row.reference for row in rows] == [reference_for(i) for i in seeded.ticket_ids[:5]]
    assert [row.channel for row in rows] == [
        "telegram", "telegram", "whatsapp", "webchat", "whatsapp"]
    assert [row.first_response_breached for row in rows] == [False, True, True, False, False]
    assert [row.resolution_breached for row in rows] == [False, True, True, False, False]


async def test_response_times_against_the_due_times(database: Database) -> None:
    await seed(database)
    async with database.transaction() as session:
        times = metrics.response_times(await metrics.ticket_rows(session, PERIOD, NOW))
    assert times.first_response == [3.0, 12.0, 5.0]
    assert times.median_first_response == 5.0
    assert times.first_response_within == Rate(2, 3)
    assert times.resolution == [(300.0, 240.0), (300.0, 360.0)]
    assert times.resolution_within == Rate(1, 2)


async def test_breaches_are_counted_per_day_of_ticket_creation(database: Database) -> None:
    await seed(database)
    async with database.transaction() as session:
        rows = await metrics.ticket_rows(session, PERIOD, NOW)
    breaches = metrics.breaches_per_day(rows, PERIOD)
    assert breaches.first_response == [1, 1, 0]
    assert breaches.resolution == [1, 1, 0]


async def test_csat_average_and_distribution_leave_unanswered_out(database: Database) -> None:
    await seed(database)
    async with database.transaction() as session:
        csat = metrics.csat_summary(await metrics.ticket_rows(session, PERIOD, NOW))
    assert csat.distribution == [0, 1, 0, 1, 1]
    assert csat.count == 3
    assert csat.average == pytest.approx(11 / 3)


async def test_dashboard_figures_sum_up_the_period(database: Database) -> None:
    await seed(database)
    async with database.transaction() as session:
        figures = await metrics.dashboard_figures(session, PERIOD, NOW, THRESHOLD)
    assert (figures.conversations, figures.tickets) == (4, 5)
    assert (figures.handoff, figures.fallback) == (Rate(2, 4), Rate(3, 10))
    assert figures.median_first_response == 5.0
    assert (figures.first_response_breaches, figures.resolution_breaches) == (2, 2)
    assert figures.csat.average == pytest.approx(11 / 3)


async def test_an_empty_period_has_no_rates(database: Database) -> None:
    empty = ReportPeriod(date(2025, 1, 1), date(2025, 1, 1))
    async with database.transaction() as session:
        figures = await metrics.dashboard_figures(session, empty, NOW, THRESHOLD)
    assert figures.handoff.share is None and figures.fallback.share is None
    assert figures.median_first_response is None and figures.csat.average is None


def test_breach_is_late_work_or_missing_work_past_due() -> None:
    due = at(2, 9, 5)
    assert not metrics.breached(due, due, NOW)
    assert metrics.breached(due + timedelta(seconds=1), due, NOW)
    assert metrics.breached(None, due, due + timedelta(seconds=1))
    assert not metrics.breached(None, due, due)
    assert not metrics.breached(None, None, NOW)
