"""The app as production assembles it, with every channel on, for the fault suite: the fake
Telegram and Twilio APIs stand in for the platforms, a fresh SQLite file for the database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select

from bot.config import Settings
from bot.storage.database import Database
from bot.storage.migrate import upgrade
from bot.storage.models import Message, OutboxItem, Ticket
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.twilio_api import ACCOUNT_SID, FakeTwilioApi, sign
from wiring.app import DATABASE, init_app

TELEGRAM_SECRET = "fault-suite-telegram-secret"
TWILIO_AUTH_TOKEN = "fault-suite-twilio-auth-token"
# Plain http: the console sets its cookies `Secure` under https, which a test client drops.
PUBLIC_BASE_URL = "http://bot.example.com"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SIGNATURE_HEADER = "X-Twilio-Signature"

App = TestClient  # type: ignore[type-arg]


@dataclass
class Stack:
    """The running app and the fake platforms it talks to."""

    client: App
    telegram: FakeTelegramApi
    twilio: FakeTwilioApi

    @property
    def database(self) -> Database:
        return self.client.app[DATABASE]

    async def stored(self) -> dict[str, int]:
        """Row counts of the tables a bad request must never write to."""
        counts = {}
        async with self.database.sessions() as session:
            for name, model in (("messages", Message), ("tickets", Ticket),
                                ("outbox", OutboxItem)):
                query = select(func.count()).select_from(model)
                counts[name] = int((await session.execute(query)).scalar_one())
        return counts


class StartStack(Protocol):
    async def __call__(self, nlu_url: str, nlu_token: str = "", **overrides: Any) -> Stack: ...


def twilio_signature(path: str, params: dict[str, str]) -> str:
    """The signature Twilio would send for `params` posted to the public URL of `path`."""
    return sign(TWILIO_AUTH_TOKEN, PUBLIC_BASE_URL + path, params)


@pytest.fixture
async def start_stack(tmp_path: Path) -> AsyncIterator[StartStack]:
    """Start the app with Telegram, WhatsApp and the web chat on a migrated SQLite file."""
    started: list[tuple[App, FakeTelegramApi, FakeTwilioApi]] = []

    async def start(nlu_url: str, nlu_token: str = "", **overrides: Any) -> Stack:
        telegram, twilio = FakeTelegramApi(), FakeTwilioApi()
        await telegram.start()
        await twilio.start()
        database_url = f"sqlite+aiosqlite:///{tmp_path / f'faults{len(started)}.db'}"
        database = Database(database_url)
        await upgrade(database)
        await database.close()
        settings = Settings(
            database_url=database_url, nlu_url=nlu_url, nlu_token=nlu_token,
            public_base_url=PUBLIC_BASE_URL,
            telegram_token=telegram.token, telegram_secret=TELEGRAM_SECRET,
            telegram_api_base_url=telegram.base_url,
            twilio_account_sid=ACCOUNT_SID, twilio_auth_token=TWILIO_AUTH_TOKEN,
            twilio_api_base_url=twilio.base_url, **overrides)
        client: App = TestClient(TestServer(init_app(settings)))
        await client.start_server()
        started.append((client, telegram, twilio))
        return Stack(client, telegram, twilio)

    yield start
    for client, telegram, twilio in started:
        await client.close()
        await telegram.stop()
        await twilio.stop()
