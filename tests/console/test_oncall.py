"""Out of hours, a handoff pages the on-call agent on the configured Telegram chat, through
the outbox like every other message (the fake Bot API records it)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.clock import FrozenClock
from bot.config import Settings
from bot.storage.database import Database
from bot.storage.migrate import upgrade
from bot.storage.models import OutboxItem
from tests.apps import app_clients
from tests.fakes.telegram_api import FakeTelegramApi, text_update
from wiring.app import DATABASE, OUTBOX, init_app

SECRET = "s3cret-token-for-tests"
ONCALL_CHAT = "-100777"
SATURDAY_NIGHT = datetime(2026, 11, 21, 23, 30, tzinfo=UTC)  # closed; before the real now,
# so the outbox (on the real clock) sends at once


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeTelegramApi]:
    async with FakeTelegramApi() as api:
        yield api


@pytest.fixture
async def settings(tmp_path: Path, nlu_service: tuple[str, str],
                   fake_api: FakeTelegramApi) -> Settings:
    """Telegram with an on-call chat, on a migrated SQLite file."""
    url, token = nlu_service
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'oncall.db'}",
                        nlu_url=url, nlu_token=token, telegram_token=fake_api.token,
                        telegram_secret=SECRET, telegram_api_base_url=fake_api.base_url,
                        oncall_telegram_chat_id=ONCALL_CHAT)
    database = Database(settings.database_url)
    await upgrade(database)
    await database.close()
    return settings


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[TestClient[Any, Any]]:
    test_client: TestClient[Any, Any] = TestClient(
        TestServer(init_app(settings, FrozenClock(SATURDAY_NIGHT))))
    await test_client.start_server()
    yield test_client
    await test_client.close()


async def test_a_handoff_out_of_hours_pages_the_oncall_chat(
    client: TestClient[Any, Any], fake_api: FakeTelegramApi,
) -> None:
    update = text_update(2001, 4242, "I want to talk to a real person please")
    response = await client.post("/webhooks/telegram", json=update,
                                 headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
    assert response.status == 200
    calls = await fake_api.wait_for("sendMessage", count=2)
    pages = [call for call in calls if str(call.params["chat_id"]) == ONCALL_CHAT]
    assert len(pages) == 1
    page = pages[0].params["text"]
    assert page.startswith("New handoff T-") and "/console/tickets/" in page
    assert "real person" not in page  # no customer text leaves for the on-call chat
    await client.app[OUTBOX].run_once()  # the round that sent it has recorded it
    async with client.app[DATABASE].sessions() as session:
        rows = (await session.execute(select(OutboxItem).where(
            OutboxItem.recipient == ONCALL_CHAT))).scalars().all()
    assert [(row.status, row.message_id) for row in rows] == [("sent", None)]


async def test_no_page_during_opening_hours(settings: Settings,
                                            fake_api: FakeTelegramApi) -> None:
    wednesday = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    async with app_clients() as start:
        client = await start(settings, FrozenClock(wednesday))
        update = text_update(2002, 4343, "I want to talk to a real person please")
        response = await client.post("/webhooks/telegram", json=update,
                                     headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
        assert response.status == 200
        calls = await fake_api.wait_for("sendMessage")
    assert all(str(call.params["chat_id"]) == "4343" for call in calls)
