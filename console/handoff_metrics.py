"""Handoff metrics for the supervisor dashboard: handoff rate by intent, time to the first
agent response in working time, queue abandonment, timeouts, reopens and CSAT by team.

"All handoffs" are the handoff tickets created in the report period; a reopened ticket
keeps its creation time, so it counts once, in the period it was first created."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.calendar import BusinessCalendar
from bot.domain import CONVERSATIONAL_INTENTS
from bot.storage.models import Message, Ticket
from console.metrics import Rate
from console.periods import ReportPeriod

# The resolutions actions/waiting.py writes when the customer leaves the queue.
CUSTOMER_CANCELLED = ("cancelled by the customer", "customer chose a callback")
NO_TEAM = "(no team)"


@dataclass(frozen=True)
class IntentHandoffRate:
    """Conversations with `intent` that got a handoff ticket, of all with that intent."""

    intent: str
    rate: Rate


async def handoff_rate_by_intent(session: AsyncSession, period: ReportPeriod,
                                 limit: int = 10) -> list[IntentHandoffRate]:
    """Per intent of the period's inbound messages, the conversations handed off; the intents
    that led to the most handoffs first (then the most conversations, then by name).
    Conversational intents (greet, thank, ...) say nothing about why people ask for a
    person, so they are left out."""
    pairs = (select(Message.intent.label("intent"),
                    Message.conversation_id.label("conversation_id"))
             .where(Message.direction == "in", Message.intent.is_not(None),
                    Message.intent.not_in(CONVERSATIONAL_INTENTS),
                    Message.created_at >= period.start, Message.created_at < period.end)
             .distinct().subquery())
    handed = exists().where(Ticket.conversation_id == pairs.c.conversation_id,
                            Ticket.kind == "handoff")
    conversations = func.count().label("conversations")
    handed_off = func.sum(case((handed, 1), else_=0)).label("handed_off")
    rows = await session.execute(
        select(pairs.c.intent, conversations, handed_off).group_by(pairs.c.intent)
        .order_by(handed_off.desc(), conversations.desc(), pairs.c.intent).limit(limit))
    return [IntentHandoffRate(str(intent), Rate(int(part or 0), int(whole)))
            for intent, whole, part in rows]


@dataclass(frozen=True)
class HandoffTicket:
    """The fields of a handoff ticket the metrics need."""

    created_at: datetime
    first_response_at: datetime | None
    status: str
    resolution: str | None
    team: str | None
    timeout_offered_at: datetime | None
    reopened_count: int
    csat_score: int | None

    @property
    def abandoned(self) -> bool:
        """The customer left the queue (cancelled, or chose a callback) before any reply."""
        return (self.status == "cancelled" and self.resolution in CUSTOMER_CANCELLED
                and self.first_response_at is None)


async def handoff_tickets(session: AsyncSession, period: ReportPeriod) -> list[HandoffTicket]:
    """The handoff tickets created in the period, oldest first."""
    rows = await session.scalars(
        select(Ticket).where(Ticket.kind == "handoff", Ticket.created_at >= period.start,
                             Ticket.created_at < period.end)
        .order_by(Ticket.created_at, Ticket.id))
    return [HandoffTicket(ticket.created_at, ticket.first_response_at, ticket.status,
                          ticket.resolution, ticket.team, ticket.timeout_offered_at,
                          ticket.reopened_count or 0, ticket.csat_score) for ticket in rows]


def working_minutes(calendar: BusinessCalendar, start: datetime, end: datetime) -> float:
    """Minutes of opening hours between two instants (zero when `end` is not after `start`)."""
    return calendar.working_time_between(start, end).total_seconds() / 60


def percentile(values: list[float], share: float) -> float | None:
    """The `share` quantile (0-1) by linear interpolation between the closest ranks."""
    if len(values) < 2:
        return values[0] if values else None
    ordered = sorted(values)
    position = (len(ordered) - 1) * share
    below = int(position)
    if below + 1 == len(ordered):
        return ordered[below]
    return ordered[below] + (ordered[below + 1] - ordered[below]) * (position - below)


@dataclass(frozen=True)
class TeamCsat:
    """Satisfaction scores given on one team's handoffs."""

    team: str
    count: int
    average: float


def csat_by_team(tickets: Iterable[HandoffTicket]) -> list[TeamCsat]:
    """Average score and number of answers per team, by team name; unanswered left out."""
    scores: dict[str, list[int]] = {}
    for ticket in tickets:
        if ticket.csat_score is not None:
            scores.setdefault(ticket.team or NO_TEAM, []).append(ticket.csat_score)
    return [TeamCsat(team, len(given), statistics.fmean(given))
            for team, given in sorted(scores.items())]


@dataclass(frozen=True)
class HandoffFigures:
    """What happened to the period's handoffs; `response_minutes` count working time only."""

    handoffs: int
    response_minutes: list[float]
    abandoned: Rate
    timed_out: Rate
    reopened: Rate
    csat: list[TeamCsat]

    @property
    def median_response(self) -> float | None:
        return statistics.median(self.response_minutes) if self.response_minutes else None

    @property
    def p90_response(self) -> float | None:
        return percentile(self.response_minutes, 0.9)


def handoff_figures(tickets: list[HandoffTicket], calendar: BusinessCalendar) -> HandoffFigures:
    """Sum up the handoffs: answered ones give working minutes to their first response."""
    total = len(tickets)
    return HandoffFigures(
        handoffs=total,
        response_minutes=[working_minutes(calendar, ticket.created_at, ticket.first_response_at)
                          for ticket in tickets if ticket.first_response_at is not None],
        abandoned=Rate(sum(ticket.abandoned for ticket in tickets), total),
        timed_out=Rate(sum(ticket.timeout_offered_at is not None for ticket in tickets), total),
        reopened=Rate(sum(ticket.reopened_count > 0 for ticket in tickets), total),
        csat=csat_by_team(tickets))


async def period_handoff_figures(session: AsyncSession, period: ReportPeriod,
                                 calendar: BusinessCalendar) -> HandoffFigures:
    """Load the period's handoffs and sum them up."""
    return handoff_figures(await handoff_tickets(session, period), calendar)
