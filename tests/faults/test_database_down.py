"""PostgreSQL goes away for 30 seconds while Telegram keeps delivering: webhooks get 5xx
(so Telegram delivers again), nothing acknowledged is lost, and once the database is back
every message is answered exactly once.

The app reaches a fresh PostgreSQL database through a TCP proxy that the test switches off
(connections refused, open ones cut) and on again; the server itself keeps running for the
rest of the suite."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.config import Settings
from bot.storage.database import Database
from bot.storage.migrate import upgrade
from bot.storage.models import Conversation, Message, OutboxItem
from tests.conftest import _create_pg_database, _drop_pg_database
from tests.fakes.telegram_api import FakeTelegramApi, text_update
from tests.faults.conftest import SECRET_HEADER, TELEGRAM_SECRET
from tests.faults.proxy import SwitchableProxy
from wiring.app import init_app

OUTAGE_S = 30.0
SEND_EVERY_S = 0.25
QUESTIONS = ("wat kost een uur support?", "wann habt ihr geöffnet?",
             "how do I set up my mail on an iPhone?", "is er een storing?")


@pytest.fixture
async def database_url(postgres_server: str) -> AsyncIterator[str]:
    name, url = await _create_pg_database(postgres_server)
    database = Database(url)
    await upgrade(database)
    await database.close()
    yield url
    await _drop_pg_database(postgres_server, name)


async def deliver(client: TestClient[Any, Any], update: dict[str, Any]) -> int:
    try:
        response = await client.post("/webhooks/telegram", json=update,
                                     headers={SECRET_HEADER: TELEGRAM_SECRET})
        await response.read()
        return response.status
    except OSError:
        return 599


async def test_database_outage_loses_nothing_and_answers_once(
    database_url: str, nlu_service: tuple[str, str],
) -> None:
    proxy = SwitchableProxy("tcp://127.0.0.1:5432")
    await proxy.up()
    proxied = database_url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
    async with FakeTelegramApi() as telegram:
        settings = Settings(database_url=proxied, nlu_url=nlu_service[0],
                            nlu_token=nlu_service[1], telegram_token=telegram.token,
                            telegram_secret=TELEGRAM_SECRET,
                            telegram_api_base_url=telegram.base_url, recovery_interval_s=3.0)
        client: TestClient[Any, Any] = TestClient(TestServer(init_app(settings)))
        await client.start_server()
        statuses: Counter[int] = Counter()
        acknowledged: set[int] = set()
        updates = {n: text_update(n, 90_000 + n, QUESTIONS[n % len(QUESTIONS)])
                   for n in range(1, 121)}
        start = time.monotonic()
        try:
            waiting = list(updates)
            went_down = came_back = False
            while waiting or not came_back:
                elapsed = time.monotonic() - start
                if not went_down and elapsed > 5:
                    await proxy.down()
                    went_down = True
                if went_down and not came_back and elapsed > 5 + OUTAGE_S:
                    await proxy.up()
                    came_back = True
                if waiting:  # like Telegram: what was not acknowledged comes again
                    update_id = waiting.pop(0)
                    status = await deliver(client, updates[update_id])
                    statuses[status] += 1
                    if status == 200:
                        acknowledged.add(update_id)
                    else:
                        waiting.append(update_id)
                await asyncio.sleep(SEND_EVERY_S)
                assert time.monotonic() - start < 5 + OUTAGE_S + 90, "deliveries never ended"
            answered = await _wait_until_answered(database_url, telegram, len(updates))
        finally:
            await client.close()
            await proxy.down()
    errors_4xx = sum(n for status, n in statuses.items() if 400 <= status < 500)
    errors_5xx = sum(n for status, n in statuses.items() if status >= 500)
    duplicates = sum(1 for sent, queued in answered.values() if sent > queued)
    lost = len(updates) - sum(1 for sent, queued in answered.values() if sent == queued > 0)
    summary = (f"fault database-down: sent={sum(statuses.values())} acknowledged="
               f"{len(acknowledged)} refused_5xx={errors_5xx} answered={len(answered)} "
               f"duplicates={duplicates} lost={lost}")
    print(summary)
    assert errors_5xx > 0 and errors_4xx == 0, summary
    assert len(acknowledged) == len(updates) and lost == 0 and duplicates == 0, summary


async def _wait_until_answered(database_url: str, telegram: FakeTelegramApi,
                               expected: int) -> dict[str, tuple[int, int]]:
    """Per chat: (messages Telegram received, replies queued), once every message was
    answered and every outbox row sent."""
    database = Database(database_url)
    try:
        for _ in range(240):
            async with database.sessions() as session:
                unanswered = (await session.execute(select(Message.id).where(
                    Message.direction == "in", Message.processed_at.is_(None)))).all()
                rows = (await session.execute(
                    select(Conversation.external_chat_id, OutboxItem.status)
                    .join(Conversation, OutboxItem.conversation_id == Conversation.id))).all()
                inbound = len((await session.execute(select(Message.id).where(
                    Message.direction == "in"))).all())
            if inbound == expected and not unanswered and rows and \
                    all(status == "sent" for _, status in rows):
                break
            await asyncio.sleep(0.5)
        per_chat = Counter(chat for chat, _ in rows)
        sends = Counter(str(call.params["chat_id"]) for call in telegram.calls_of("sendMessage")
                        if call.status == 200)
        return {chat: (sends[chat], per_chat[chat]) for chat in per_chat}
    finally:
        await database.close()
