"""Handoff metrics computed from seeded rows on SQLite and PostgreSQL: handoff rate by
intent, working minutes to the first agent response, abandonment, timeouts, reopens and
CSAT by team. The period runs from Friday 6 to Monday 9 March 2026 (opening hours
Mon-Fri 06:00-22:00 UTC), so a weekend lies between handoff and answer."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.calendar import BusinessCalendar
from bot.storage.database import Database
from bot.storage.models import Conversation, Customer, Message, Ticket
from console import handoff_metrics
from console.handoff_metrics import HandoffTicket, IntentHandoffRate, TeamCsat
from console.metrics import Rate
from console.periods import ReportPeriod

PERIOD = ReportPeriod(date(2026, 3, 6), date(2026, 3, 9))
CALENDAR = BusinessCalendar("NL")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def _handoff(customer: Customer, conversation: Conversation, created: datetime,
             **fields: object) -> Ticket:
    fields.setdefault("status", "closed")
    return Ticket(kind="handoff", customer_id=customer.id, conversation_id=conversation.id,
                  subject="help", details={}, created_at=created, **fields)


def _inbound(conversation: Conversation, intent: str | None, created: datetime,
             direction: str = "in") -> Message:
    return Message(conversation_id=conversation.id, channel="webchat", direction=direction,
                   sender="customer", text="hello", payload={}, intent=intent,
                   confidence=0.9, created_at=created)


async def seed(database: Database) -> None:
    """Seven handoffs in the period (one before it), one warranty ticket, and inbound
    messages in six conversations; see the expectations in the tests."""
    async with database.transaction() as session:
        customer = Customer(channel="webchat", external_id="visitor-7", created_at=at(1, 8))
        session.add(customer)
        await session.flush()
        conversations = [Conversation(customer_id=customer.id, channel="webchat",
                                      external_chat_id="visitor-7", state={},
                                      created_at=at(6, 9), last_message_at=at(6, 9))
                         for _ in range(11)]
        session.add_all(conversations)
        await session.flush()
        a, b, c, d, e, f, g, h, i, j, k = conversations
        session.add_all([
            _inbound(a, "support_costs", at(6, 21)), _inbound(a, "human_handoff", at(6, 21, 49)),
            _inbound(b, "mail_setup", at(6, 9)), _inbound(b, "human_handoff", at(6, 9, 59)),
            _inbound(c, "support_costs", at(7, 11)),
            _inbound(d, "support_costs", at(8, 10)), _inbound(d, "greet", at(8, 10)),
            _inbound(d, "human_handoff", at(5, 10)),  # before the period
            _inbound(d, "greet", at(8, 10, 1), direction="out"),
            _inbound(d, None, at(8, 10, 2)),
            _inbound(e, "mail_setup", at(9, 8)), _inbound(e, "mail_setup", at(9, 8, 1)),
            _inbound(f, "warranty_claim", at(9, 9)),
        ])
        session.add_all([
            # Friday 21:50 to Monday 06:20: 10 + 20 working minutes.
            _handoff(customer, a, at(6, 21, 50), first_response_at=at(9, 6, 20),
                     team="billing", csat_score=4),
            _handoff(customer, b, at(6, 10), first_response_at=at(6, 10, 4), team="mail",
                     csat_score=5, reopened_count=1),
            # Saturday: alternatives offered at once; answered Monday 06:10.
            _handoff(customer, c, at(7, 12), first_response_at=at(9, 6, 10), team="billing",
                     csat_score=2, timeout_offered_at=at(7, 12)),
            _handoff(customer, g, at(9, 9), status="cancelled",
                     resolution="cancelled by the customer", timeout_offered_at=at(9, 9, 5)),
            _handoff(customer, h, at(9, 10), status="cancelled",
                     resolution="customer chose a callback", timeout_offered_at=at(9, 10, 5)),
            # Cancelled after an agent had answered: not abandoned.
            _handoff(customer, i, at(9, 11), status="cancelled", first_response_at=at(9, 11, 2),
                     resolution="cancelled by the customer"),
            _handoff(customer, j, at(9, 12), status="claimed", first_response_at=at(9, 12, 1),
                     team="general", csat_score=4, reopened_count=2),
            _handoff(customer, k, at(5, 12), first_response_at=at(5, 12, 30), team="mail",
                     csat_score=1, reopened_count=1, timeout_offered_at=at(5, 12, 5)),
            Ticket(kind="warranty", status="open", customer_id=customer.id,
                   conversation_id=f.id, subject="broken", details={}, created_at=at(9, 9),
                   csat_score=1),
        ])


async def test_handoff_rate_by_intent_counts_each_conversation_once_without_small_talk(
        database: Database) -> None:
    await seed(database)
    async with database.transaction() as session:
        rates = await handoff_metrics.handoff_rate_by_intent(session, PERIOD)
    assert rates == [
        IntentHandoffRate("support_costs", Rate(2, 3)),
        IntentHandoffRate("human_handoff", Rate(2, 2)),
        IntentHandoffRate("mail_setup", Rate(1, 2)),
        IntentHandoffRate("warranty_claim", Rate(0, 1)),
    ]  # greet (like thank, affirm, deny, goodbye) says nothing about why


async def test_handoff_rate_by_intent_stops_at_the_limit(database: Database) -> None:
    await seed(database)
    async with database.transaction() as session:
        rates = await handoff_metrics.handoff_rate_by_intent(session, PERIOD, limit=2)
    assert [item.intent for item in rates] == ["support_costs", "human_handoff"]


async def test_response_minutes_count_working_time_only(database: Database) -> None:
    await seed(database)
    async with database.transaction() as session:
        figures = await handoff_metrics.period_handoff_figures(session, PERIOD, CALENDAR)
    assert figures.handoffs == 7
    assert figures.response_minutes == [4.0, 30.0, 10.0, 2.0, 1.0]
    assert figures.median_response == 4.0
    assert figures.p90_response == pytest.approx(22.0)  # 10 + 0.6 * (30 - 10)


async def test_abandonment_timeouts_and_reopens_are_shares_of_all_handoffs(
        database: Database) -> None:
    await seed(database)
    async with database.transaction() as session:
        figures = await handoff_metrics.period_handoff_figures(session, PERIOD, CALENDAR)
    assert figures.abandoned == Rate(2, 7)
    assert figures.timed_out == Rate(3, 7)
    assert figures.reopened == Rate(2, 7)


async def test_csat_by_team_averages_the_handoffs_scores(database: Database) -> None:
    await seed(database)
    async with database.transaction() as session:
        figures = await handoff_metrics.period_handoff_figures(session, PERIOD, CALENDAR)
    assert figures.csat == [TeamCsat("billing", 2, 3.0), TeamCsat("general", 1, 4.0),
                            TeamCsat("mail", 1, 5.0)]


async def test_an_empty_period_has_no_handoff_figures(database: Database) -> None:
    empty = ReportPeriod(date(2025, 1, 1), date(2025, 1, 1))
    async with database.transaction() as session:
        figures = await handoff_metrics.period_handoff_figures(session, empty, CALENDAR)
        rates = await handoff_metrics.handoff_rate_by_intent(session, empty)
    assert rates == [] and figures.handoffs == 0 and figures.csat == []
    assert figures.median_response is None and figures.p90_response is None
    assert figures.abandoned.share is None and figures.reopened.share is None


def test_working_minutes_skip_nights_weekends_and_holidays() -> None:
    assert handoff_metrics.working_minutes(CALENDAR, at(6, 21, 50), at(9, 6, 20)) == 30.0
    assert handoff_metrics.working_minutes(CALENDAR, at(7, 9), at(8, 18)) == 0.0
    assert handoff_metrics.working_minutes(CALENDAR, at(9, 12), at(9, 11)) == 0.0
    king = datetime(2026, 4, 27, 10, tzinfo=UTC)  # King's Day, a Monday
    assert handoff_metrics.working_minutes(CALENDAR, king, king.replace(day=28, hour=6,
                                                                        minute=15)) == 15.0


def test_percentile_interpolates_between_ranks() -> None:
    assert handoff_metrics.percentile([], 0.9) is None
    assert handoff_metrics.percentile([7.0], 0.9) == 7.0
    assert handoff_metrics.percentile([1.0, 2.0], 0.9) == pytest.approx(1.9)
    assert handoff_metrics.percentile([5.0, 1.0, 3.0], 1.0) == 5.0


def test_handoffs_without_a_team_are_grouped_together() -> None:
    def ticket(team: str | None, score: int | None) -> HandoffTicket:
        return HandoffTicket(at(9, 9), None, "closed", None, team, None, 0, score)

    tickets = [ticket(None, 3), ticket(None, 4), ticket("mail", None)]
    assert handoff_metrics.csat_by_team(tickets) == [TeamCsat("(no team)", 2, 3.5)]
