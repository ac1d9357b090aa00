"""Fixtures shared by the console's HTTP tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.clock import FrozenClock
from bot.config import Settings
from bot.storage.database import Database
from bot.storage.migrate import upgrade
from tests.console.helpers import make_agent
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
