"""`supportbot agents add --team/--max-concurrent` and `supportbot agents teams`."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from bot.storage.database import Database
from bot.storage.models import Agent
from console.agents import find_agent
from tests.cli.conftest import agents_db_url

PASSWORD = "correct horse battery\n"


def stored(tmp_path: Path, username: str) -> Agent:
    async def read() -> Agent:
        database = Database(agents_db_url(tmp_path))
        try:
            return await find_agent(database, username)
        finally:
            await database.close()

    return asyncio.run(read())


def test_an_agent_is_added_with_teams_and_a_capacity(
    run: Callable[..., tuple[int, str, str]], tmp_path: Path,
) -> None:
    code, _, err = run("add", "mia", "--role", "agent", "--team", "mail", "--team", "billing",
                       "--max-concurrent", "5", "--password-stdin", stdin=PASSWORD)
    assert code == 0, err
    agent = stored(tmp_path, "mia")
    assert agent.teams == ["mail", "billing"] and agent.max_concurrent == 5
    assert agent.available is False


def test_teams_are_replaced_and_unknown_teams_refused(
    run: Callable[..., tuple[int, str, str]], tmp_path: Path,
) -> None:
    assert run("add", "mia", "--role", "agent", "--password-stdin", stdin=PASSWORD)[0] == 0
    assert stored(tmp_path, "mia").teams == [] and stored(tmp_path, "mia").max_concurrent is None
    assert run("teams", "mia", "hardware", "general")[0] == 0
    assert stored(tmp_path, "mia").teams == ["hardware", "general"]
    code, _, err = run("teams", "mia", "sales")
    assert code == 2 and "unknown team 'sales'" in err
    code, _, err = run("add", "max", "--role", "agent", "--max-concurrent", "0",
                       "--password-stdin", stdin=PASSWORD)
    assert code == 2 and "at least 1" in err
