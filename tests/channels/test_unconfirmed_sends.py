"""A send the platform carried out but did not confirm within the send timeout may have
reached the customer, so it is not repeated: the customer gets the reply once and the
outbox row is failed with the reason, for people to see. A platform that refuses the
connection outright is still retried."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from bot.config import Settings
from bot.storage.database import Database
from bot.storage.models import OutboxItem
from tests.apps import app_clients
from tests.conftest import free_port
from tests.fakes.telegram_api import FakeTelegramApi, text_update
from tests.fakes.twilio_api import ACCOUNT_SID, FakeTwilioApi, inbound_form, sign
from wiring.app import DATABASE

App = TestClient  # type: ignore[type-arg]
Start = Callable[..., Awaitable[App]]
TELEGRAM_SECRET = "s3cret-token-for-tests"
TWILIO_TOKEN = "twilio-auth-token-for-tests"
PUBLIC_BASE_URL = "https://bot.example.com"
SEND_TIMEOUT_S = 0.5
RETRY_WINDOW_S = 2.5  # first retry: 1 s backoff plus at most a 1 s poll interval


@pytest.fixture
async def start(database: Database, nlu_service: tuple[str, str]) -> AsyncIterator[Start]:
    url, token = nlu_service
    async with app_clients() as start_client:
        async def start_app(**channel: Any) -> App:
            return await start_client(Settings(
                database_url=database.url, nlu_url=url, nlu_token=token,
                public_base_url=PUBLIC_BASE_URL, send_timeout_s=SEND_TIMEOUT_S, **channel),
                None)
        yield start_app


async def _rows(client: App) -> list[OutboxItem]:
    async with client.app[DATABASE].sessions() as session:
        return list((await session.execute(select(OutboxItem))).scalars())


async def _wait_for_rows(client: App, done: Callable[[OutboxItem], bool],
                         what: str) -> list[OutboxItem]:
    for _ in range(100):
        rows = await _rows(client)
        if rows and all(done(row) for row in rows):
            return rows
        await asyncio.sleep(0.1)
    raise AssertionError(f"outbox rows never all {what}: {[(r.status, r.attempts) for r in rows]}")


async def _post_whatsapp(client: App, number: int, phone: str) -> int:
    form = inbound_form(f"SM{number:032x}", phone, "wat kost een uur support?")
    signature = sign(TWILIO_TOKEN, PUBLIC_BASE_URL + "/webhooks/whatsapp", form)
    response = await client.post("/webhooks/whatsapp", data=form,
                                 headers={"X-Twilio-Signature": signature})
    return response.status


async def test_telegram_send_confirmed_too_late_is_not_repeated(start: Start) -> None:
    async with FakeTelegramApi() as api:
        api.answer_late("sendMessage", SEND_TIMEOUT_S * 4)
        client = await start(telegram_token=api.token, telegram_secret=TELEGRAM_SECRET,
                             telegram_api_base_url=api.base_url)
        response = await client.post(
            "/webhooks/telegram", headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET},
            json=text_update(1201, 5151, "hoe laat gaan jullie dicht vandaag"))
        assert response.status == 200
        rows = await _wait_for_rows(client, lambda row: row.status == "failed", "failed")
        await asyncio.sleep(RETRY_WINDOW_S)
        assert len(api.calls_of("sendMessage")) == 1  # the customer has it once
        assert all("may have arrived" in (row.last_error or "") for row in rows)


async def test_whatsapp_send_confirmed_too_late_is_not_repeated(start: Start) -> None:
    async with FakeTwilioApi() as api:
        api.answer_late(SEND_TIMEOUT_S * 4)
        client = await start(twilio_account_sid=ACCOUNT_SID, twilio_auth_token=TWILIO_TOKEN,
                             twilio_api_base_url=api.base_url)
        assert await _post_whatsapp(client, 1202, "+31612345678") == 200
        rows = await _wait_for_rows(client, lambda row: row.status == "failed", "failed")
        await asyncio.sleep(RETRY_WINDOW_S)
        assert len(api.messages) == 1
        assert all("may have arrived" in (row.last_error or "") for row in rows)


async def test_a_platform_that_refuses_the_connection_is_tried_again(start: Start) -> None:
    """Nothing can have arrived when the connection was refused: the row waits to retry."""
    client = await start(twilio_account_sid=ACCOUNT_SID, twilio_auth_token=TWILIO_TOKEN,
                         twilio_api_base_url=f"http://127.0.0.1:{free_port()}")
    assert await _post_whatsapp(client, 1203, "+31612345679") == 200
    rows = await _wait_for_rows(client, lambda row: row.attempts >= 1, "tried")
    assert {row.status for row in rows} <= {"pending", "sending"}
    assert all("may have arrived" not in (row.last_error or "") for row in rows)
