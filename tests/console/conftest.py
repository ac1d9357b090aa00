"""Fixtures shared by the console's HTTP tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.clock import FrozenClock
from bot.config import Settings
from bot.storage.database import Database
from bot.storage.migrate import upgrade
from bot.storage.models import Message, Ticket, TicketNote
from console.agents import create_agent
from tests.conftest import free_port
from tests.console.helpers import PASSWORD, add_ticket, make_agent
from wiring.app import init_app


@pytest.fixture
async def console_db(tmp_path: Path) -> AsyncIterator[Database]:
    """A migrated SQLite file holding agent `ann` and supervisor `sue`."""
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'console.db'}")
    await upgrade(database)
    await make_agent(database, "ann")
    await make_agent(database, "sue", role="supervisor")
    yield database
    await database.close()


@pytest.fixture
def console_now() -> datetime:
    """The console's frozen time; a test module overrides it with its own."""
    return datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


@pytest.fixture
async def client(console_db: Database,
                 console_now: datetime) -> AsyncIterator[TestClient[Any, Any]]:
    """The app on `console_db` with a frozen clock; no NLU service is needed."""
    settings = Settings(database_url=console_db.url, nlu_url="http://127.0.0.1:9")
    test_client: TestClient[Any, Any] = TestClient(
        TestServer(init_app(settings, FrozenClock(console_now))))
    await test_client.start_server()
    yield test_client
    await test_client.close()


async def add_conversation(database: Database, status: str, messages: int = 3) -> int:
    """A ticket of agent `anna` with a transcript (`messages` long) and a note."""
    at = datetime.now(UTC) - timedelta(minutes=4)
    ticket_id = await add_ticket(database, at, status=status,
                                 assigned_to=None if status == "open" else "anna",
                                 details={"last_intents": ["mail_setup", "human_handoff"]})
    async with database.transaction() as session:
        ticket = await session.get(Ticket, ticket_id)
        assert ticket is not None and ticket.conversation_id is not None
        lines = [("customer", "My mail stopped working"),
                 ("bot", "I'm bringing in a colleague."), ("agent", "Hello, I'm looking into it.")]
        for sender, text in (lines * messages)[:messages]:
            session.add(Message(conversation_id=ticket.conversation_id, channel="webchat",
                                direction="in" if sender == "customer" else "out",
                                sender=sender, text=text, payload={"agent": "Anna"},
                                intent="mail_setup" if sender == "customer" else None,
                                confidence=0.93 if sender == "customer" else None,
                                created_at=at, processed_at=at))
        session.add(TicketNote(ticket_id=ticket_id, author="anna", text="Checked the DNS",
                               created_at=at))
        if status == "closed":
            ticket.resolution, ticket.closed_at = "Password reset", at
    return ticket_id


@pytest.fixture
async def live_console(tmp_path: Path) -> AsyncIterator[tuple[str, int, int, int]]:
    """The app with supervisor `anna`, her claimed conversation (a long one), her closed one
    and an open one nobody has claimed; no NLU service is needed."""
    base = f"http://127.0.0.1:{(port := free_port())}"
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'console.db'}"
    database = Database(database_url)
    await upgrade(database)
    await create_agent(database, "anna", PASSWORD, role="supervisor", display_name="Anna")
    claimed, closed, waiting = (await add_conversation(database, "claimed", messages=30),
                                await add_conversation(database, "closed"),
                                await add_conversation(database, "open"))
    await database.close()
    settings = Settings(database_url=database_url, nlu_url="http://127.0.0.1:9",
                        public_base_url=base)
    server = TestServer(init_app(settings), host="127.0.0.1", port=port)
    await server.start_server()
    yield base, claimed, closed, waiting
    await server.close()
