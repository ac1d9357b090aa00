"""Shared steps of console tests: create an agent, log in through the real login form."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp.test_utils import TestClient

from bot.storage.database import Database
from bot.storage.models import Agent, Conversation, Customer, Ticket
from console.agents import create_agent

PASSWORD = "correct horse battery"
_LOGIN_TOKEN = re.compile(r'name="login_token" value="([^"]+)"')


async def make_agent(database: Database, username: str, role: str = "agent",
                     password: str = PASSWORD) -> None:
    """Create an active agent (or supervisor) with that password."""
    await create_agent(database, username, password, role=role,
                       display_name=username.title(), actor="test")


async def login_form_token(client: TestClient[Any, Any]) -> str:
    """Open the login page (which sets the `sb_login` cookie) and return its form token."""
    page = await client.get("/console/login")
    found = _LOGIN_TOKEN.search(await page.text())
    assert found is not None, "the login page has no login_token field"
    return found.group(1)


async def post_login(client: TestClient[Any, Any], username: str, password: str = PASSWORD,
                     next_path: str = "") -> Any:
    """Fill in and post the login form; returns the response without following redirects."""
    token = await login_form_token(client)
    return await client.post("/console/login", allow_redirects=False, data={
        "username": username, "password": password, "login_token": token, "next": next_path})


async def login(client: TestClient[Any, Any], username: str,
                password: str = PASSWORD) -> str:
    """Log in (the client keeps the session cookie) and return the session's CSRF token."""
    response = await post_login(client, username, password)
    assert response.status == 302, await response.text()
    me = await client.get("/console/api/me")
    assert me.status == 200
    token: str = (await me.json())["csrf_token"]
    return token


_customers = itertools.count(1)


async def add_agent_row(database: Database, username: str, *, teams: list[str] | None = None,
                        available: bool = True, max_concurrent: int | None = None,
                        active: bool = True) -> None:
    """An agent row without a usable password (fast: no argon2), for domain tests."""
    async with database.transaction() as session:
        session.add(Agent(username=username, display_name=username.title(),
                          password_hash="!", role="agent", active=active,
                          created_at=datetime(2026, 1, 1, tzinfo=UTC), teams=teams or [],
                          available=available, max_concurrent=max_concurrent))


async def add_ticket(database: Database, at: datetime, *, team: str | None = "general",
                     status: str = "open", assigned_to: str | None = None,
                     language: str = "en", channel: str = "webchat", kind: str = "handoff",
                     details: dict[str, Any] | None = None) -> int:
    """A ticket (a handoff unless told) with its customer and conversation (in human
    mode)."""
    async with database.transaction() as session:
        customer = Customer(channel=channel, external_id=f"cust-{next(_customers)}",
                            name="Sanne", created_at=at)
        session.add(customer)
        await session.flush()
        conversation = Conversation(customer_id=customer.id, channel=channel,
                                    external_chat_id=customer.external_id, language=language,
                                    mode="human", state={}, created_at=at, last_message_at=at)
        session.add(conversation)
        await session.flush()
        ticket = Ticket(kind=kind, status=status, details=details or {}, customer_id=customer.id,
                        conversation_id=conversation.id, subject="Handoff", team=team,
                        assigned_to=assigned_to, created_at=at,
                        claimed_at=at if assigned_to else None,
                        first_response_due=at + timedelta(minutes=5))
        session.add(ticket)
        await session.flush()
        ticket.reference = f"T-{10000 + ticket.id}"
        return ticket.id
