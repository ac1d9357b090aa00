"""Shared fixtures: the real NLU service (trained model from the cache), fresh SQLite and
PostgreSQL databases, and an engine wired like production with a frozen clock."""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from bot.config import Settings
from bot.storage.database import Database
from bot.storage.migrate import upgrade
from nlu.setup import PreparedNlu, prepare

pytest_plugins = ["tests.conversation", "tests.mail.servers"]

PG_ADMIN_DSN = os.environ.get("SUPPORTBOT_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/test")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def prepared_nlu() -> PreparedNlu:
    """The cached Rasa venv and model (`make test` runs setup first, so nothing is rebuilt)."""
    return prepare(Settings().cache_dir, lambda message: None)


@pytest.fixture(scope="session")
def nlu_service(prepared_nlu: PreparedNlu) -> Iterator[tuple[str, str]]:
    """A real Rasa HTTP service on a free port: (url, token).

    `SUPPORTBOT_TEST_NLU_URL` and `SUPPORTBOT_TEST_NLU_TOKEN` point the tests at a service
    already running with the same model (several test runs side by side share one)."""
    shared = os.environ.get("SUPPORTBOT_TEST_NLU_URL")
    if shared:
        yield shared, os.environ.get("SUPPORTBOT_TEST_NLU_TOKEN", "")
        return
    token = secrets.token_hex(8)
    process = prepared_nlu.process("127.0.0.1", free_port(), token)
    process.start()
    try:
        process.wait_healthy(240)
        yield process.url, token
    finally:
        process.stop()


def _postgres_available() -> bool:
    async def probe() -> bool:
        try:
            connection = await asyncpg.connect(PG_ADMIN_DSN, timeout=3)
        except (OSError, asyncpg.PostgresError):
            return False
        await connection.close()
        return True

    with ThreadPoolExecutor(1) as pool:  # fixtures may run inside the test event loop
        return pool.submit(asyncio.run, probe()).result()


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The admin DSN of a reachable PostgreSQL; in CI an unreachable one fails the run."""
    if not _postgres_available():
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is not reachable at {PG_ADMIN_DSN} (required in CI)")
        pytest.skip(f"PostgreSQL is not reachable at {PG_ADMIN_DSN}")
    return PG_ADMIN_DSN


async def _create_pg_database(admin_dsn: str) -> tuple[str, str]:
    name = f"supportbot_test_{os.getpid()}_{secrets.token_hex(4)}"
    connection = await asyncpg.connect(admin_dsn)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    base = admin_dsn.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    return name, f"{base}/{name}"


async def _drop_pg_database(admin_dsn: str, name: str) -> None:
    connection = await asyncpg.connect(admin_dsn)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


@pytest.fixture(params=["sqlite", "postgresql"])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A fresh, migrated database: SQLite in a temp folder, or a new PostgreSQL database."""
    if request.param == "sqlite":
        db = Database(f"sqlite+aiosqlite:///{tmp_path / 'supportbot.db'}")
        await upgrade(db)
        yield db
        await db.close()
        return
    admin = request.getfixturevalue("postgres_server")
    name, url = await _create_pg_database(admin)
    db = Database(url)
    try:
        await upgrade(db)
        yield db
    finally:
        await db.close()
        await _drop_pg_database(admin, name)


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Any]:
    """Debian's headless Chromium driven by playwright (no browser download here)."""
    from playwright.async_api import async_playwright

    if not os.path.exists(CHROMIUM):  # noqa: ASYNC240 (once per session)
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield chromium
        await chromium.close()
