"""Console agents and their login sessions in the database: create, list, deactivate,
set a password, authenticate, and open, find and close sessions."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.database import Database
from bot.storage.models import Agent, AgentSession
from bot.tickets import audit
from console.passwords import hash_password_async, verify_password_async

ROLES = ("agent", "supervisor")
_USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,79}")


class AgentError(Exception):
    """A request about agents that cannot be carried out, said in one sentence."""


class DuplicateAgent(AgentError):
    """An agent with that username exists already."""


class UnknownAgent(AgentError):
    """No agent has that username."""


def _now(at: datetime | None) -> datetime:
    return at or datetime.now(UTC)


def token_hash(token: str) -> str:
    """The form a session token is stored in: its SHA-256, hex."""
    return hashlib.sha256(token.encode()).hexdigest()


async def create_agent(database: Database, username: str, password: str, *,
                       role: str = "agent", display_name: str | None = None,
                       teams: list[str] | None = None, max_concurrent: int | None = None,
                       actor: str = "cli", at: datetime | None = None) -> Agent:
    """Add an active agent with an argon2id password hash, and audit it. `teams` are the
    teams whose handoffs they take (none: every team); `max_concurrent` overrides the
    configured capacity."""
    if not _USERNAME.fullmatch(username):
        raise AgentError("a username is 1-80 letters, digits or . _ @ - "
                         "and starts with a letter or digit")
    if role not in ROLES:
        raise AgentError(f"the role must be one of {', '.join(ROLES)}")
    if max_concurrent is not None and max_concurrent < 1:
        raise AgentError("the maximum of concurrent conversations must be at least 1")
    password_hash = await hash_password_async(password)
    now = _now(at)
    agent = Agent(username=username, display_name=display_name or username,
                  password_hash=password_hash, role=role, active=True, created_at=now,
                  teams=list(teams or []), max_concurrent=max_concurrent)
    try:
        async with database.transaction() as session:
            if await _by_username(session, username) is not None:
                raise DuplicateAgent(f"an agent named {username!r} exists already")
            session.add(agent)
            await session.flush()
            await audit(session, now, actor, "agent", agent.id, "created",
                        after={"username": username, "role": role,
                               "teams": agent.teams, "max_concurrent": max_concurrent})
    except IntegrityError as error:  # a concurrent create won the race
        raise DuplicateAgent(f"an agent named {username!r} exists already") from error
    return agent


async def list_agents(database: Database) -> list[Agent]:
    """Every agent, active or not, by username."""
    async with database.sessions() as session:
        result = await session.execute(select(Agent).order_by(Agent.username))
        return list(result.scalars())


async def set_password(database: Database, username: str, password: str, *,
                       actor: str = "cli", at: datetime | None = None) -> None:
    """Replace an agent's password and end their sessions."""
    password_hash = await hash_password_async(password)
    now = _now(at)
    async with database.transaction() as session:
        agent = await _existing(session, username)
        agent.password_hash = password_hash
        await session.execute(delete(AgentSession).where(AgentSession.agent_id == agent.id))
        await audit(session, now, actor, "agent", agent.id, "password set")


async def set_teams(database: Database, username: str, teams: list[str], *,
                    actor: str = "cli", at: datetime | None = None) -> None:
    """Replace the teams an agent works for (an empty list: every team)."""
    now = _now(at)
    async with database.transaction() as session:
        agent = await _existing(session, username)
        before = list(agent.teams or [])
        agent.teams = list(dict.fromkeys(teams))
        await audit(session, now, actor, "agent", agent.id, "teams set",
                    before={"teams": before}, after={"teams": agent.teams})


async def set_availability(database: Database, username: str, available: bool, *,
                           at: datetime | None = None) -> Agent:
    """Mark an agent available or away; going away starts the grace period after which
    their open conversations go back to the queue."""
    now = _now(at)
    async with database.transaction() as session:
        agent = await _existing(session, username)
        before = {"available": agent.available}
        if agent.available != available:
            agent.available = available
            agent.away_since = None if available else now
            await audit(session, now, username, "agent", agent.id,
                        "available" if available else "away", before=before,
                        after={"available": available})
        return agent


async def find_agent(database: Database, username: str) -> Agent:
    """The agent with that username; UnknownAgent if there is none."""
    async with database.sessions() as session:
        return await _existing(session, username)


async def deactivate(database: Database, username: str, *, actor: str = "cli",
                     at: datetime | None = None) -> None:
    """Stop an agent from logging in and end their sessions."""
    now = _now(at)
    async with database.transaction() as session:
        agent = await _existing(session, username)
        agent.active = False
        await session.execute(delete(AgentSession).where(AgentSession.agent_id == agent.id))
        await audit(session, now, actor, "agent", agent.id, "deactivated",
                    before={"active": True}, after={"active": False})


async def authenticate(database: Database, username: str, password: str) -> Agent | None:
    """The active agent with that username and password, else `None`.

    Unknown names are checked against a dummy hash so they take as long as a wrong password;
    a hash made with outdated parameters is replaced by a fresh one.
    """
    async with database.sessions() as session:
        agent = await _by_username(session, username)
    verdict = await verify_password_async(agent.password_hash if agent else None, password)
    if agent is None or not verdict.valid or not agent.active:
        return None
    if verdict.rehash is not None:
        async with database.transaction() as session:
            stored = await session.get(Agent, agent.id)
            if stored is not None:
                stored.password_hash = verdict.rehash
    return agent


async def open_session(database: Database, agent: Agent, at: datetime,
                       hours: float) -> tuple[str, AgentSession]:
    """Start a session for a logged-in agent; returns the cookie token (only its hash is
    stored) and the row. Expired sessions of every agent are cleared on the way."""
    token = secrets.token_urlsafe(32)
    row = AgentSession(token_hash=token_hash(token), agent_id=agent.id,
                       csrf_token=secrets.token_urlsafe(24), created_at=at,
                       expires_at=at + timedelta(hours=hours))
    async with database.transaction() as session:
        await session.execute(delete(AgentSession).where(AgentSession.expires_at <= at))
        session.add(row)
        await audit(session, at, agent.username, "agent", agent.id, "agent login")
    return token, row


async def find_session(database: Database, token: str,
                       at: datetime) -> tuple[AgentSession, Agent] | None:
    """The live session of a cookie token and its active agent, or `None`."""
    async with database.sessions() as session:
        result = await session.execute(
            select(AgentSession, Agent).join(Agent, Agent.id == AgentSession.agent_id)
            .where(AgentSession.token_hash == token_hash(token),
                   AgentSession.expires_at > at, Agent.active.is_(True)))
        found = result.first()
    return None if found is None else (found[0], found[1])


async def close_session(database: Database, token: str, actor: str, at: datetime) -> None:
    """End the session of a cookie token (logout), and audit it."""
    async with database.transaction() as session:
        row = (await session.execute(select(AgentSession).where(
            AgentSession.token_hash == token_hash(token)))).scalar_one_or_none()
        if row is not None:
            await session.delete(row)
            await audit(session, at, actor, "agent", row.agent_id, "agent logout")


async def _by_username(session: AsyncSession, username: str) -> Agent | None:
    result = await session.execute(select(Agent).where(Agent.username == username))
    return result.scalar_one_or_none()


async def _existing(session: AsyncSession, username: str) -> Agent:
    agent = await _by_username(session, username)
    if agent is None:
        raise UnknownAgent(f"no agent named {username!r}")
    return agent
