"""Where a handoff goes: the team of the conversation's latest intents, the agents of that
team with room to take it (capacity), automatic assignment for "auto" teams, and putting
the tickets of agents who went away back into the queue after a grace period."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.config import Settings
from bot.storage.database import Database
from bot.storage.models import Agent, Ticket
from bot.tickets import audit

SYSTEM = "system"
KIND_INTENTS = {"handoff": "human_handoff", "warranty": "warranty_claim",
                "complaint": "complaint", "callback": "request_callback"}
"""The intent each kind of ticket answers (the form or action the intent starts)."""


def team_for(last_intents: Sequence[str], settings: Settings) -> str:
    """The team of the latest intent some team takes; the fallback team otherwise."""
    for intent in reversed(last_intents):
        for name, team in settings.teams.items():
            if intent in team.intents:
                return name
    return settings.fallback_team


def team_for_kind(kind: str, settings: Settings) -> str:
    """The team of a ticket of this kind: the team taking the intent the kind answers
    (a warranty claim goes to hardware), else the fallback team. Handoffs are routed
    again by the conversation's latest intents when they are opened."""
    intent = KIND_INTENTS.get(kind)
    return team_for([intent] if intent else [], settings)


def is_auto(team: str | None, settings: Settings) -> bool:
    """Whether tickets of this team are given to agents automatically."""
    config = settings.teams.get(team or settings.fallback_team)
    return config is not None and config.assignment == "auto"


def serves(agent: Agent, team: str | None) -> bool:
    """An agent without teams serves every team."""
    return not agent.teams or team is None or team in agent.teams


def has_room(username: str, default_capacity: int | None) -> ColumnElement[bool]:
    """SQL condition: the agent holds fewer claimed tickets than their capacity.

    The capacity is the agent's own `max_concurrent`, else `default_capacity`; with neither
    (an actor who is not an agent row, and no default) there is no limit.
    """
    held = aliased(Ticket)
    load = (select(func.count()).select_from(held)
            .where(held.assigned_to == username, held.status == "claimed")
            .scalar_subquery())
    own = select(Agent.max_concurrent).where(Agent.username == username).scalar_subquery()
    capacity = func.coalesce(own, literal(default_capacity) if default_capacity is not None
                             else None)
    return or_(capacity.is_(None), load < capacity)


async def lock_agent(session: AsyncSession, username: str) -> None:
    """Serialise capacity checks of one agent on PostgreSQL (SQLite serialises writes)."""
    if session.get_bind().dialect.name != "sqlite":
        await session.execute(select(Agent.id).where(Agent.username == username)
                              .with_for_update())


async def loads(session: AsyncSession) -> dict[str, int]:
    """Claimed, not closed tickets per agent username."""
    rows = await session.execute(
        select(Ticket.assigned_to, func.count()).where(Ticket.status == "claimed",
                                                       Ticket.assigned_to.is_not(None))
        .group_by(Ticket.assigned_to))
    return {str(username): int(count) for username, count in rows.all()}


async def assign_to(session: AsyncSession, ticket: Ticket, username: str, settings: Settings,
                    now: datetime, *, available_only: bool = True) -> bool:
    """Give an open, unassigned ticket to one agent if they have room, atomically."""
    await lock_agent(session, username)
    conditions = [Ticket.id == ticket.id, Ticket.status == "open",
                  Ticket.assigned_to.is_(None),
                  has_room(username, settings.agent_max_concurrent)]
    if available_only:
        conditions.append(select(Agent.id).where(
            Agent.username == username, Agent.available.is_(True),
            Agent.active.is_(True)).exists())
    result = await session.execute(
        update(Ticket).where(and_(*conditions))
        .values(status="claimed", assigned_to=username, claimed_at=now)
        .execution_options(synchronize_session=False))
    if not result.rowcount:  # type: ignore[attr-defined]
        return False
    ticket.status, ticket.assigned_to, ticket.claimed_at = "claimed", username, now
    return True


async def candidates(session: AsyncSession, team: str | None, settings: Settings,
                     exclude: str | None = None) -> list[Agent]:
    """Available, active agents of the team with room, least loaded first; ties go to the
    one idle longest (earliest latest claim), then the lowest id."""
    agents = (await session.execute(select(Agent).where(
        Agent.active.is_(True), Agent.available.is_(True)))).scalars().all()
    held = await loads(session)
    last_claim = dict((await session.execute(
        select(Ticket.assigned_to, func.max(Ticket.claimed_at))
        .where(Ticket.assigned_to.is_not(None)).group_by(Ticket.assigned_to))).all())
    floor = datetime.min.replace(tzinfo=UTC)
    fitting = [agent for agent in agents if serves(agent, team) and agent.username != exclude
               and held.get(agent.username, 0) < capacity_of(agent, settings)]
    return sorted(fitting, key=lambda agent: (
        held.get(agent.username, 0), _aware(last_claim.get(agent.username)) or floor,
        agent.id))


def capacity_of(agent: Agent, settings: Settings) -> int:
    return agent.max_concurrent if agent.max_concurrent is not None \
        else settings.agent_max_concurrent


async def auto_assign(session: AsyncSession, ticket: Ticket, settings: Settings,
                      now: datetime, exclude: str | None = None) -> str | None:
    """Give the ticket to the least-loaded available agent of its team who has room;
    returns the username, or None when nobody is free (it stays in the queue)."""
    for agent in await candidates(session, ticket.team, settings, exclude):
        if await assign_to(session, ticket, agent.username, settings, now):
            await audit(session, now, SYSTEM, "ticket", ticket.id, "auto_assign",
                        before={"status": "open", "assigned_to": None},
                        after={"status": "claimed", "assigned_to": agent.username,
                               "team": ticket.team})
            return agent.username
    return None


async def requeue_away(database: Database, settings: Settings, now: datetime) -> int:
    """Put the claimed tickets of agents away longer than the grace period back into the
    queue (the conversation stays with people); returns how many went back."""
    cutoff = now - timedelta(minutes=settings.away_grace_minutes)
    requeued = 0
    async with database.transaction() as session:
        away = (await session.execute(select(Agent.username).where(
            or_(Agent.active.is_(False),
                and_(Agent.available.is_(False), Agent.away_since.is_not(None),
                     Agent.away_since <= cutoff))))).scalars().all()
        if not away:
            return 0
        tickets = (await session.execute(select(Ticket).where(
            Ticket.status == "claimed", Ticket.assigned_to.in_(away))
            .order_by(Ticket.id))).scalars().all()
        for ticket in tickets:
            holder = ticket.assigned_to
            result = await session.execute(
                update(Ticket).where(Ticket.id == ticket.id, Ticket.status == "claimed",
                                     Ticket.assigned_to == holder)
                .values(status="open", assigned_to=None, claimed_at=None)
                .execution_options(synchronize_session=False))
            if not result.rowcount:  # type: ignore[attr-defined]
                continue
            ticket.status, ticket.assigned_to, ticket.claimed_at = "open", None, None
            requeued += 1
            await audit(session, now, SYSTEM, "ticket", ticket.id, "requeue_away",
                        before={"status": "claimed", "assigned_to": holder},
                        after={"status": "open", "assigned_to": None})
            if is_auto(ticket.team, settings):
                await auto_assign(session, ticket, settings, now, exclude=holder)
    return requeued


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)
