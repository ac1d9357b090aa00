"""Telegram end to end: a real update posted to our webhook, the real python-telegram-bot
sending the answer to a fake Bot API server, with the real NLU model."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import func, select

from bot.channel import Delivery, DeliveryError
from bot.config import Settings
from bot.conversation import Reply
from bot.storage.database import Database
from bot.storage.migrate import upgrade
from bot.storage.models import Message, OutboxItem
from channels.telegram import TelegramChannel
from tests.apps import app_clients
from tests.conftest import free_port
from tests.fakes.telegram_api import FakeTelegramApi, callback_update, text_update
from wiring.app import DATABASE, INTAKE

SECRET = "s3cret-token-for-tests"
HEADERS = {"X-Telegram-Bot-Api-Secret-Token": SECRET}


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeTelegramApi]:
    async with FakeTelegramApi() as api:
        yield api


@pytest.fixture
async def settings(tmp_path: Path, nlu_service: tuple[str, str],
                   fake_api: FakeTelegramApi) -> Settings:
    """The app's settings with Telegram pointed at the fake, on a migrated database."""
    url, token = nlu_service
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'tg.db'}",
                        nlu_url=url, nlu_token=token, telegram_token=fake_api.token,
                        telegram_secret=SECRET, telegram_api_base_url=fake_api.base_url)
    await upgrade(Database(settings.database_url))
    return settings


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[TestClient]:  # type: ignore[type-arg]
    async with app_clients() as start:
        yield await start(settings, None)


async def _count(client: TestClient, model: type[Message] | type[OutboxItem]) -> int:  # type: ignore[type-arg]
    async with client.app[DATABASE].sessions() as session:
        return int((await session.execute(select(func.count()).select_from(model))).scalar_one())


async def test_question_on_telegram_is_answered_through_the_bot_api(
    client: TestClient, fake_api: FakeTelegramApi,  # type: ignore[type-arg]
) -> None:
    update = text_update(1001, 4242, "wanneer zijn jullie open op zaterdag?")
    response = await client.post("/webhooks/telegram", headers=HEADERS, json=update)
    assert response.status == 200
    calls = await fake_api.wait_for("sendMessage")
    assert calls[0].params["chat_id"] == 4242
    assert "06:00" in calls[0].params["text"]


async def test_wrong_or_missing_secret_is_refused_and_nothing_stored(
    client: TestClient,  # type: ignore[type-arg]
) -> None:
    update = text_update(1002, 4242, "hallo")
    wrong = await client.post("/webhooks/telegram", json=update,
                              headers={"X-Telegram-Bot-Api-Secret-Token": "guess"})
    missing = await client.post("/webhooks/telegram", json=update)
    assert wrong.status == 401 and missing.status == 401
    assert await _count(client, Message) == 0


async def test_malformed_update_gets_a_clear_400(client: TestClient) -> None:  # type: ignore[type-arg]
    response = await client.post("/webhooks/telegram", headers=HEADERS, data=b"{not json")
    assert response.status == 400
    assert "not a Telegram update" in await response.text()


async def test_duplicate_update_is_processed_once(
    client: TestClient, fake_api: FakeTelegramApi,  # type: ignore[type-arg]
) -> None:
    update = text_update(1003, 4242, "what does an hour of support cost?")
    for _ in range(3):
        assert (await client.post("/webhooks/telegram", headers=HEADERS, json=update)).status == 200
    await client.app[INTAKE].drain()
    await fake_api.wait_for("sendMessage")
    assert await _count(client, Message) == 1 + await _count(client, OutboxItem)
    assert len(fake_api.calls_of("sendMessage")) == await _count(client, OutboxItem)


async def test_quick_replies_become_an_inline_keyboard_and_presses_are_answered(
    client: TestClient, fake_api: FakeTelegramApi,  # type: ignore[type-arg]
) -> None:
    await client.post("/webhooks/telegram", headers=HEADERS,
                      json=text_update(1004, 4242, "am I chatting with a bot?",
                                       language_code="en"))
    offer = (await fake_api.wait_for("sendMessage"))[-1]
    markup = offer.params["reply_markup"]
    markup = json.loads(markup) if isinstance(markup, str) else markup
    payloads = [row[0]["callback_data"] for row in markup["inline_keyboard"]]
    assert payloads == ["/affirm", "/deny"]
    await client.post("/webhooks/telegram", headers=HEADERS,
                      json=callback_update(1005, 4242, "/affirm"))
    await fake_api.wait_for("answerCallbackQuery")
    handoff = (await fake_api.wait_for("sendMessage", count=2))[-1]
    assert "T-" in handoff.params["text"]


async def test_rate_limit_retry_after_is_honoured(
    client: TestClient, fake_api: FakeTelegramApi,  # type: ignore[type-arg]
) -> None:
    fake_api.fail_next("sendMessage", times=1, retry_after=1)
    await client.post("/webhooks/telegram", headers=HEADERS,
                      json=text_update(1006, 4242, "hoe laat gaan jullie dicht vandaag"))
    calls = await fake_api.wait_for("sendMessage", count=2, timeout=10)
    assert calls[1].at - calls[0].at >= 0.9
    for _ in range(50):  # the worker records the result right after the platform call
        async with client.app[DATABASE].sessions() as session:
            statuses = list((await session.execute(select(OutboxItem.status))).scalars())
        if statuses and set(statuses) == {"sent"}:
            break
        await asyncio.sleep(0.1)
    assert statuses and set(statuses) == {"sent"}


async def test_set_webhook_registers_our_url_with_the_secret(
    fake_api: FakeTelegramApi,
) -> None:
    env = {**os.environ, "SUPPORTBOT_TELEGRAM_TOKEN": fake_api.token,
           "SUPPORTBOT_TELEGRAM_SECRET": SECRET,
           "SUPPORTBOT_TELEGRAM_API_BASE_URL": fake_api.base_url,
           "SUPPORTBOT_PUBLIC_BASE_URL": "https://bot.example.com"}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "cli", "telegram", "set-webhook", env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    _, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, stderr.decode()
    call = fake_api.calls_of("setWebhook")[0]
    assert call.params["url"] == "https://bot.example.com/webhooks/telegram"
    assert call.params["secret_token"] == SECRET


async def test_polling_mode_answers_without_a_webhook(
    settings: Settings, fake_api: FakeTelegramApi,
) -> None:
    async with app_clients() as start:
        await start(settings.model_copy(update={"telegram_polling": True}), None)
        await fake_api.wait_for("deleteWebhook")
        fake_api.queue_update(text_update(2001, 5151, "wie viel kostet eine Stunde Support?"))
        answer = (await fake_api.wait_for("sendMessage", timeout=15))[0]
        assert answer.params["chat_id"] == 5151 and "95" in answer.params["text"]
        for _ in range(50):  # the next poll asks only for updates after the stored one
            if any(c.params.get("offset") == 2002 for c in fake_api.calls_of("getUpdates")):
                break
            await asyncio.sleep(0.1)
        assert any(c.params.get("offset") == 2002 for c in fake_api.calls_of("getUpdates"))
    assert len(fake_api.calls_of("sendMessage")) == 1


async def test_long_reply_resumes_after_the_chunk_that_failed(
    fake_api: FakeTelegramApi,
) -> None:
    channel = TelegramChannel(fake_api.token, SECRET, api_base_url=fake_api.base_url)
    await channel.application.initialize()
    text = ("Paragraph one. " * 300) + "\n\n" + ("Paragraph two. " * 200)
    delivery = Delivery("4242", Reply(text), 1, None, datetime.now(UTC))
    fake_api.fail_next("sendMessage", status=500, retry_after=None, after=1)
    try:
        with pytest.raises(DeliveryError) as failure:
            await channel.send(delivery)
        assert failure.value.parts_sent == 1
        retry = replace(delivery, parts_sent=failure.value.parts_sent,
                        sent_ids=failure.value.sent_ids)
        ids = await channel.send(retry)
    finally:
        await channel.application.shutdown()
    delivered = [c.params["text"] for c in fake_api.calls_of("sendMessage") if c.status == 200]
    assert "".join(delivered).replace("\n", "").replace(" ", "") == \
        text.replace("\n", "").replace(" ", "")
    assert len(ids.split(",")) == len(delivered) == 2


async def test_app_starts_while_the_bot_api_is_down_and_answers_once_it_is_back(
    settings: Settings, fake_api: FakeTelegramApi,
) -> None:
    """The other channels must not go down with Telegram: the app starts, stores updates,
    and the channel finishes starting (and sends) once the Bot API answers."""
    fake_api.fail_next("getMe", times=2, status=503, retry_after=None)
    async with app_clients() as start:
        client = await start(settings, None)
        assert (await client.get("/healthz")).status == 200
        response = await client.post("/webhooks/telegram", headers=HEADERS,
                                     json=text_update(1301, 6161, "wat kost een uur support?"))
        assert response.status == 200
        calls = await fake_api.wait_for("sendMessage", timeout=15)
        assert len(calls) == 1 and calls[0].params["chat_id"] == 6161
        get_me = await fake_api.wait_for("getMe", count=3, timeout=10)
        assert [call.status for call in get_me] == [503, 503, 200]


async def test_a_rejected_token_stops_the_start_with_a_clear_error_and_no_secret(
    tmp_path: Path, fake_api: FakeTelegramApi,
) -> None:
    wrong = "999999:WRONG-TOKEN-never-to-be-printed"
    env = {**os.environ, "SUPPORTBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'x.db'}",
           "SUPPORTBOT_TELEGRAM_TOKEN": wrong, "SUPPORTBOT_TELEGRAM_SECRET": SECRET,
           "SUPPORTBOT_TELEGRAM_API_BASE_URL": fake_api.base_url,
           "SUPPORTBOT_NLU_URL": f"http://127.0.0.1:{free_port()}"}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "cli", "run", "--port", str(free_port()), "--no-start-nlu",
        env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    stdout, stderr = await asyncio.wait_for(process.communicate(), 60)
    output = (stdout + stderr).decode()
    assert process.returncode == 2, output
    assert "Telegram rejected the bot token (SUPPORTBOT_TELEGRAM_TOKEN)" in output
    assert "WRONG-TOKEN" not in output
