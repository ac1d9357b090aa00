"""Transfers: a ticket passed to another agent or back to a team's queue."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot import routing
from bot.config import Settings
from bot.storage.models import Agent, Ticket
from console.actors import Actor, DeskError


async def to_agent(session: AsyncSession, ticket: Ticket, username: str, now: datetime,
                   capacity: int | None) -> Agent:
    """Give the ticket to an active, available agent with room (under `capacity`)."""
    target = (await session.execute(select(Agent).where(
        Agent.username == username))).scalar_one_or_none()
    if target is None or not target.active:
        raise DeskError("no active agent named '{name}'", status=400, name=username)
    if not target.available:
        raise DeskError("{name} is away; transfer to an available agent or a team",
                        name=username)
    await routing.lock_agent(session, username)
    result = await session.execute(
        update(Ticket).where(Ticket.id == ticket.id, Ticket.status == ticket.status,
                             same(Ticket.assigned_to, ticket.assigned_to),
                             routing.has_room(username, capacity))
        .values(status="claimed", assigned_to=username, claimed_at=now)
        .execution_options(synchronize_session=False))
    if not result.rowcount:  # type: ignore[attr-defined]
        raise DeskError("{name} is at capacity; transfer to someone else or a team",
                        name=username)
    ticket.status, ticket.assigned_to, ticket.claimed_at = "claimed", username, now
    return target


async def to_team(session: AsyncSession, ticket: Ticket, team: str, actor: Actor,
                  now: datetime, settings: Settings | None) -> str:
    """Put the ticket back in a team's queue (auto-assigned where the team wants that)."""
    if settings is not None and team not in settings.teams:
        raise DeskError("no team named '{team}'", status=400, team=team)
    ticket.status, ticket.assigned_to, ticket.claimed_at = "open", None, None
    ticket.team = team
    await session.flush()
    if settings is not None and routing.is_auto(team, settings):
        await routing.auto_assign(session, ticket, settings, now, exclude=actor.username)
    return team


def same(column: Any, value: str | None) -> Any:
    """`column` equals `value`, NULL included."""
    return column.is_(None) if value is None else column == value
