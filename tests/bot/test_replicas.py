"""Two app processes sharing PostgreSQL and Redis: a widget customer on replica A, the
agent on replica B; the handoff reaches B's console live, the agent's reply reaches the
customer on A, and every reply is sent exactly once."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from bot.storage.database import Database
from bot.storage.migrate import upgrade
from bot.storage.models import Message, OutboxItem
from console.agents import create_agent
from tests.conftest import _create_pg_database, _drop_pg_database, free_port
from tests.process import start_app

PASSWORD = "correct horse battery"
REDIS_URL = os.environ.get("SUPPORTBOT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
async def shared_database(postgres_server: str) -> AsyncIterator[str]:
    name, url = await _create_pg_database(postgres_server)
    database = Database(url)
    await upgrade(database)
    await create_agent(database, "bea", PASSWORD, role="agent", display_name="Bea")
    await database.close()
    yield url
    await _drop_pg_database(postgres_server, name)


async def redis_available() -> bool:
    from redis.asyncio import Redis

    client = Redis.from_url(REDIS_URL)
    try:
        return bool(await client.ping())
    except OSError:
        return False
    finally:
        await client.aclose()


async def require_redis() -> None:
    """Skip without Redis on a developer's machine; in CI an unreachable Redis fails."""
    if not await redis_available():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is not reachable at {REDIS_URL} (required in CI)")
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")


async def next_frame(ws: aiohttp.ClientWebSocketResponse, kind: str,
                     sender: str | None = None) -> dict[str, Any]:
    while True:
        frame: dict[str, Any] = await ws.receive_json(timeout=20)
        if frame["type"] == kind and (sender is None or frame.get("from") == sender):
            return frame


async def login(http: aiohttp.ClientSession, base: str) -> str:
    page = await (await http.get(f"{base}/console/login")).text()
    token = page.split('name="login_token" value="')[1].split('"')[0]
    response = await http.post(f"{base}/console/login", allow_redirects=False, data={
        "username": "bea", "password": PASSWORD, "login_token": token, "next": ""})
    assert response.status == 302, await response.text()
    return str((await (await http.get(f"{base}/console/api/me")).json())["csrf_token"])


async def test_customer_on_one_replica_agent_on_the_other(
    shared_database: str, nlu_service: tuple[str, str],
) -> None:
    await require_redis()
    nlu_url, nlu_token = nlu_service
    env = {**os.environ, "SUPPORTBOT_DATABASE_URL": shared_database,
           "SUPPORTBOT_REDIS_URL": REDIS_URL,
           "SUPPORTBOT_REDIS_CHANNEL_PREFIX": f"test-{secrets.token_hex(4)}:",
           "SUPPORTBOT_NLU_URL": nlu_url, "SUPPORTBOT_NLU_TOKEN": nlu_token}
    port_a, port_b = free_port(), free_port()
    a_base, b_base = f"http://127.0.0.1:{port_a}", f"http://127.0.0.1:{port_b}"
    replica_a = await start_app({**env, "SUPPORTBOT_PUBLIC_BASE_URL": a_base}, port_a)
    replica_b = await start_app({**env, "SUPPORTBOT_PUBLIC_BASE_URL": b_base}, port_b)
    try:
        async with aiohttp.ClientSession() as customer_http, \
                aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as agent_http:
            csrf = await login(agent_http, b_base)
            console = await agent_http.ws_connect(f"{b_base}/console/ws",
                                                  headers={"Origin": b_base})
            chat = await customer_http.ws_connect(f"{a_base}/chat/ws",
                                                  headers={"Origin": a_base})
            await chat.send_json({"type": "hello", "token": None, "lang": "en"})
            await next_frame(chat, "welcome")
            await chat.send_json({"type": "message", "id": "m1",
                                  "text": "I want to talk to a real person please"})
            handoff = await next_frame(chat, "message", "bot")
            assert "T-" in handoff["text"]
            created = await next_frame(console, "ticket_created")  # crossed replicas
            queue = await (await agent_http.get(f"{b_base}/console/api/queue")).json()
            ticket_id = queue["tickets"][0]["id"]
            assert created["ticket"] == queue["tickets"][0]["reference"]

            headers = {"X-CSRF-Token": csrf}
            claim = await agent_http.post(f"{b_base}/console/api/tickets/{ticket_id}/claim",
                                          json={}, headers=headers)
            assert claim.status == 200, await claim.text()
            reply = await agent_http.post(f"{b_base}/console/api/tickets/{ticket_id}/reply",
                                          json={"text": "Hello from replica B"},
                                          headers=headers)
            assert reply.status == 200, await reply.text()
            seen = [await next_frame(chat, "message", "system"),
                    await next_frame(chat, "message", "agent")]
            assert "Bea" in seen[0]["text"] and seen[1]["text"] == "Hello from replica B"
            await asyncio.sleep(2)  # a duplicate would have arrived by now
            extra = []
            while True:
                try:
                    extra.append(await chat.receive_json(timeout=0.5))
                except TimeoutError:
                    break
            assert [f for f in extra if f.get("type") == "message"] == []
            await chat.close()
            await console.close()
    finally:
        for replica in (replica_a, replica_b):
            replica.send_signal(signal.SIGTERM)
            await replica.wait()
    database = Database(shared_database)
    async with database.sessions() as session:
        outbound = (await session.execute(select(Message.id).where(
            Message.direction == "out"))).scalars().all()
        rows = (await session.execute(select(OutboxItem.message_id, OutboxItem.status)
                                      )).all()
    await database.close()
    assert sorted(m for m, _ in rows) == sorted(outbound)  # one outbox row per reply
    assert {status for _, status in rows} == {"sent"}
