"""Supervisor metrics: conversation volume, intents, fallback and handoff rates, ticket
timings against the SLA targets, breaches and CSAT for a range of UTC days."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import Conversation, Customer, Message, Ticket
from bot.tickets import reference_for
from console.periods import ReportPeriod, within

FIRST_RESPONSE_TARGET_MINUTES = 5.0
NOT_UNDERSTOOD = ("nlu_fallback", "out_of_scope")
@dataclass(frozen=True)
class Rate:
    """`part` of `whole`, e.g. handed-off conversations of all conversations."""

    part: int
    whole: int

    @property
    def share(self) -> float | None:
        return self.part / self.whole if self.whole else None


@dataclass(frozen=True)
class ChannelVolume:
    """New conversations per channel per day; `counts[channel][i]` belongs to `days[i]`."""

    days: list[date]
    counts: dict[str, list[int]]

    @property
    def total(self) -> int:
        return sum(sum(per_day) for per_day in self.counts.values())


@dataclass(frozen=True)
class IntentCount:
    intent: str
    count: int


async def channel_volume(session: AsyncSession, period: ReportPeriod) -> ChannelVolume:
    """Count conversations started in the period by channel and UTC day."""
    rows = await session.execute(select(Conversation.channel, Conversation.created_at)
                                 .where(within(Conversation.created_at, period)))
    index = {day: i for i, day in enumerate(period.days)}
    counts: dict[str, list[int]] = {}
    for channel, created in rows:
        counts.setdefault(channel, [0] * len(index))[index[created.date()]] += 1
    return ChannelVolume(period.days, dict(sorted(counts.items())))


async def top_intents(session: AsyncSession, period: ReportPeriod,
                      limit: int = 10) -> list[IntentCount]:
    """The most frequent intents of inbound messages, most frequent first."""
    count = func.count(Message.id).label("n")
    rows = await session.execute(
        select(Message.intent, count)
        .where(Message.direction == "in", Message.intent.is_not(None),
               within(Message.created_at, period))
        .group_by(Message.intent).order_by(count.desc(), Message.intent).limit(limit))
    return [IntentCount(str(intent), int(n)) for intent, n in rows]


async def fallback_rate(session: AsyncSession, period: ReportPeriod,
                        threshold: float) -> Rate:
    """Inbound messages the bot did not understand, of all classified inbound messages."""
    missed = or_(Message.intent.in_(NOT_UNDERSTOOD), Message.confidence < threshold)
    row = (await session.execute(
        select(func.count(Message.id), func.sum(case((missed, 1), else_=0)))
        .where(Message.direction == "in", Message.intent.is_not(None),
               within(Message.created_at, period)))).one()
    return Rate(int(row[1] or 0), int(row[0]))


async def handoff_rate(session: AsyncSession, period: ReportPeriod) -> Rate:
    """Conversations started in the period that got a handoff ticket, of all started."""
    handed = exists().where(Ticket.conversation_id == Conversation.id, Ticket.kind == "handoff")
    row = (await session.execute(
        select(func.count(Conversation.id), func.sum(case((handed, 1), else_=0)))
        .where(within(Conversation.created_at, period)))).one()
    return Rate(int(row[1] or 0), int(row[0]))


@dataclass(frozen=True)
class TicketRow:
    """One ticket with its channel and whether its SLA targets were breached."""

    reference: str
    kind: str
    status: str
    channel: str
    language: str | None
    created_at: datetime
    first_response_at: datetime | None
    first_response_breached: bool
    closed_at: datetime | None
    resolution_due: datetime | None
    resolution_breached: bool
    assigned_to: str | None
    csat_score: int | None
    team: str | None
    timeout_offered_at: datetime | None
    reopened_count: int

    @property
    def first_response_minutes(self) -> float | None:
        return _minutes(self.created_at, self.first_response_at)

    @property
    def resolution_minutes(self) -> float | None:
        return _minutes(self.created_at, self.closed_at)

    @property
    def resolution_target_minutes(self) -> float | None:
        return _minutes(self.created_at, self.resolution_due)


def _minutes(start: datetime, end: datetime | None) -> float | None:
    return None if end is None else (end - start).total_seconds() / 60


def breached(done_at: datetime | None, due: datetime | None, now: datetime) -> bool:
    """Late when done after the due time, or not done and the due time has passed."""
    if due is None:
        return False
    return done_at > due if done_at is not None else now > due


async def ticket_rows(session: AsyncSession, period: ReportPeriod,
                      now: datetime) -> list[TicketRow]:
    """Tickets created in the period, oldest first, with breaches as of `now`."""
    rows = await session.execute(
        select(Ticket, Conversation.channel, Conversation.language,
               Customer.channel, Customer.language)
        .join(Customer, Ticket.customer_id == Customer.id)
        .outerjoin(Conversation, Ticket.conversation_id == Conversation.id)
        .where(within(Ticket.created_at, period)).order_by(Ticket.created_at, Ticket.id))
    return [_ticket_row(ticket, conv_channel or channel, conv_language or language, now)
            for ticket, conv_channel, conv_language, channel, language in rows]


def _ticket_row(ticket: Ticket, channel: str, language: str | None, now: datetime) -> TicketRow:
    return TicketRow(
        reference=reference_for(ticket.id), kind=ticket.kind, status=ticket.status,
        channel=channel, language=language, created_at=ticket.created_at,
        first_response_at=ticket.first_response_at,
        first_response_breached=breached(ticket.first_response_at, ticket.first_response_due,
                                         now),
        closed_at=ticket.closed_at, resolution_due=ticket.resolution_due,
        resolution_breached=breached(ticket.closed_at, ticket.resolution_due, now),
        assigned_to=ticket.assigned_to, csat_score=ticket.csat_score, team=ticket.team,
        timeout_offered_at=ticket.timeout_offered_at, reopened_count=ticket.reopened_count or 0)


@dataclass(frozen=True)
class ResponseTimes:
    """Elapsed minutes to first response and to resolution (with each ticket's allowance)."""

    first_response: list[float]
    resolution: list[tuple[float, float]]  # (target minutes, actual minutes)
    first_response_within: Rate
    resolution_within: Rate

    @property
    def median_first_response(self) -> float | None:
        return statistics.median(self.first_response) if self.first_response else None


def response_times(rows: list[TicketRow]) -> ResponseTimes:
    """Timings of answered and closed tickets; 'within' counts them against their due times."""
    answered = [row for row in rows if row.first_response_at is not None]
    closed = [row for row in rows if row.closed_at is not None]
    resolution = [(target, actual) for row in closed
                  if (target := row.resolution_target_minutes) is not None
                  and (actual := row.resolution_minutes) is not None]
    return ResponseTimes(
        first_response=[m for row in answered if (m := row.first_response_minutes) is not None],
        resolution=resolution,
        first_response_within=Rate(sum(not r.first_response_breached for r in answered),
                                   len(answered)),
        resolution_within=Rate(sum(not r.resolution_breached for r in closed), len(closed)))


@dataclass(frozen=True)
class BreachesPerDay:
    """SLA breaches of tickets by the UTC day they were created."""

    days: list[date]
    first_response: list[int]
    resolution: list[int]


def breaches_per_day(rows: list[TicketRow], period: ReportPeriod) -> BreachesPerDay:
    """Count first-response and resolution breaches per creation day."""
    index = {day: i for i, day in enumerate(period.days)}
    first, resolution = [0] * len(index), [0] * len(index)
    for row in rows:
        day = index[row.created_at.date()]
        first[day] += row.first_response_breached
        resolution[day] += row.resolution_breached
    return BreachesPerDay(period.days, first, resolution)


@dataclass(frozen=True)
class CsatSummary:
    """Satisfaction scores 1-5 of the period's tickets; `distribution[0]` counts score 1."""

    distribution: list[int]

    @property
    def count(self) -> int:
        return sum(self.distribution)

    @property
    def average(self) -> float | None:
        total = sum(score * n for score, n in enumerate(self.distribution, start=1))
        return total / self.count if self.count else None


def csat_summary(rows: list[TicketRow]) -> CsatSummary:
    """Distribution of the scores given (tickets without a score are left out)."""
    return CsatSummary([sum(row.csat_score == score for row in rows) for score in range(1, 6)])


@dataclass(frozen=True)
class DashboardFigures:
    """The headline numbers of the dashboard."""

    conversations: int
    tickets: int
    handoff: Rate
    fallback: Rate
    median_first_response: float | None
    first_response_within: Rate
    first_response_breaches: int
    resolution_breaches: int
    csat: CsatSummary


async def dashboard_figures(session: AsyncSession, period: ReportPeriod, now: datetime,
                            threshold: float) -> DashboardFigures:
    """Compute every headline number for the period."""
    rows = await ticket_rows(session, period, now)
    handoff = await handoff_rate(session, period)
    times = response_times(rows)
    return DashboardFigures(
        conversations=handoff.whole, tickets=len(rows), handoff=handoff,
        fallback=await fallback_rate(session, period, threshold),
        median_first_response=times.median_first_response,
        first_response_within=times.first_response_within,
        first_response_breaches=sum(row.first_response_breached for row in rows),
        resolution_breaches=sum(row.resolution_breached for row in rows),
        csat=csat_summary(rows))
