"""Fixtures shared by the console's HTTP tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.storage.database import Database
from bot.storage.migrate import upgrade
from tests.console.helpers import make_agent


@pytest.fixture
async def console_db(tmp_path: Path) -> AsyncIterator[Database]:
    """A migrated SQLite file holding agent `ann` and supervisor `sue`."""
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'console.db'}")
    await upgrade(database)
    await make_agent(database, "ann")
    await make_agent(database, "sue", role="supervisor")
    yield database
    await database.close()
