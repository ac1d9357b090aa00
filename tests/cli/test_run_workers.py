"""`supportbot run --workers 2`: two app processes serve one port (SO_REUSEPORT), the
database is migrated once before they start, and every widget message is answered once,
whichever worker holds the customer's connection."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import select

from bot.config import PROJECT_ROOT
from bot.storage.database import Database
from bot.storage.models import Message, OutboxItem
from tests.bot.test_replicas import REDIS_URL, next_frame, require_redis
from tests.conftest import _create_pg_database, _drop_pg_database, free_port
from tests.process import start_app

CUSTOMERS = 8


@pytest.fixture
async def empty_database(postgres_server: str) -> AsyncIterator[str]:
    """A PostgreSQL database without tables: the supervisor migrates it."""
    name, url = await _create_pg_database(postgres_server)
    yield url
    await _drop_pg_database(postgres_server, name)


def parent_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


async def worker_pids(base: str, expected: int) -> set[int]:
    """The workers that answer `/healthz` on fresh connections (the kernel spreads them),
    asked until `expected` have answered (the second may still be starting) or 60 s."""
    seen: set[int] = set()
    for _ in range(300):
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) \
                as http, http.get(f"{base}/healthz") as response:
            seen.add(int((await response.json())["worker"]))
        if len(seen) >= expected:
            break
        await asyncio.sleep(0.2)
    return seen


async def ask(base: str, number: int) -> list[dict[str, object]]:
    """One widget customer's message; every message frame the customer got within 2 s
    after the first reply."""
    async with aiohttp.ClientSession() as http, \
            http.ws_connect(f"{base}/chat/ws", headers={"Origin": base}) as chat:
        await chat.send_json({"type": "hello", "token": None, "lang": "en"})
        await next_frame(chat, "welcome")
        await chat.send_json({"type": "message", "id": f"m{number}",
                              "text": "What are your opening hours?"})
        frames = [await next_frame(chat, "message", "bot")]
        while True:
            try:
                frame = await chat.receive_json(timeout=2)
            except TimeoutError:
                return frames
            if frame.get("type") == "message":
                frames.append(frame)


async def test_two_workers_serve_one_port_and_answer_each_message_once(
    empty_database: str, nlu_service: tuple[str, str],
) -> None:
    await require_redis()
    nlu_url, nlu_token = nlu_service
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    supervisor = await start_app({
        **os.environ, "SUPPORTBOT_DATABASE_URL": empty_database,
        "SUPPORTBOT_REDIS_URL": REDIS_URL,
        "SUPPORTBOT_REDIS_CHANNEL_PREFIX": f"test-{secrets.token_hex(4)}:",
        "SUPPORTBOT_NLU_URL": nlu_url, "SUPPORTBOT_NLU_TOKEN": nlu_token,
        "SUPPORTBOT_PUBLIC_BASE_URL": base}, port, workers=2)
    try:
        workers = await worker_pids(base, 2)
        parents = {parent_of(pid) for pid in workers}
        answers = await asyncio.gather(*(ask(base, n) for n in range(CUSTOMERS)))
    finally:
        supervisor.send_signal(signal.SIGTERM)
        await supervisor.wait()

    assert len(workers) == 2 and parents == {supervisor.pid}
    assert [len(frames) for frames in answers] == [1] * CUSTOMERS
    database = Database(empty_database)
    async with database.sessions() as session:
        inbound = (await session.execute(select(Message.processed_at).where(
            Message.direction == "in"))).scalars().all()
        rows = (await session.execute(select(OutboxItem.message_id, OutboxItem.status))).all()
    await database.close()
    assert len(inbound) == CUSTOMERS and None not in inbound
    assert len(rows) == len({message_id for message_id, _ in rows}) == CUSTOMERS
    assert {status for _, status in rows} == {"sent"}
    assert supervisor.returncode == 0


def test_several_workers_on_sqlite_without_redis_are_refused_with_the_reason() -> None:
    env = {key: value for key, value in os.environ.items()
           if key != "SUPPORTBOT_REDIS_URL"}
    finished = subprocess.run(
        [sys.executable, "-m", "cli", "run", "--workers", "2", "--no-start-nlu"],
        env={**env, "SUPPORTBOT_DATABASE_URL": "sqlite+aiosqlite:///:memory:"},
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert finished.returncode == 2
    assert "2 workers need PostgreSQL" in finished.stderr
    assert "SUPPORTBOT_REDIS_URL" in finished.stderr
