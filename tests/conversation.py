"""A customer chatting with the real engine: real NLU model, real database, frozen clock."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from bot.clock import FrozenClock, parse_instant
from bot.config import Settings
from bot.conversation import Attachment, Inbound, TurnResult
from bot.engine import Engine
from bot.events import Events
from bot.intake import Intake
from bot.storage.database import Database
from bot.turn import Services
from nlu.client import NluClient
from nlu.language import LanguageIdentifier
from wiring.assembly import build_engine, build_intake, build_services

# A Wednesday, inside opening hours.
OPEN_TIME = "2026-11-25T10:00:00Z"
_ids = itertools.count(1)


@pytest.fixture(scope="session")
def services() -> Services:
    return build_services(Settings())


@pytest.fixture(scope="session")
def languages() -> LanguageIdentifier:
    return LanguageIdentifier()


@dataclass
class Customer:
    """Sends messages as one customer on one channel and keeps the bot's replies."""

    intake: Intake
    clock: FrozenClock
    user: str = "customer-1"
    channel: str = "test"
    results: list[TurnResult] = field(default_factory=list)

    async def says(self, text: str, *, payload: str | None = None,
                   message_id: str | None = None,
                   attachments: tuple[Attachment, ...] = ()) -> TurnResult:
        inbound = Inbound(channel=self.channel, chat_id=self.user, user_id=self.user,
                          message_id=message_id or f"m{next(_ids)}", text=text, payload=payload,
                          attachments=attachments)
        result = await self.intake.submit(inbound)
        self.results.append(result)
        return result

    @property
    def engine(self) -> Engine:
        return self.intake.engine

    async def sends(self, kind: str, *, text: str = "", content: dict[str, Any] | None = None,
                    attachments: tuple[Attachment, ...] = (), edit_of: str | None = None,
                    message_id: str | None = None) -> TurnResult:
        """Send a message of another kind than text (a voice note, a location, an edit)."""
        inbound = Inbound(channel=self.channel, chat_id=self.user, user_id=self.user,
                          message_id=message_id or f"m{next(_ids)}", text=text, kind=kind,
                          content=content, attachments=attachments, edit_of=edit_of)
        result = await self.intake.submit(inbound)
        self.results.append(result)
        return result

    async def presses(self, title: str) -> TurnResult:
        """Press the button with this title (or payload) in the latest reply offering it."""
        for result in reversed(self.results):
            for reply in reversed(result.replies):
                for button in reply.buttons:
                    if title in (button.title, button.payload):
                        return await self.says(title, payload=button.payload)
        raise AssertionError(f"no button {title!r} was offered")


def text_of(result: TurnResult) -> str:
    return "\n".join(reply.text for reply in result.replies)


@pytest.fixture
async def nlu_client(nlu_service: tuple[str, str]) -> AsyncIterator[NluClient]:
    url, token = nlu_service
    async with NluClient(url, token, timeout=5.0) as client:
        yield client


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(parse_instant(OPEN_TIME))


@pytest.fixture
def engine(database: Database, nlu_client: NluClient, clock: FrozenClock, services: Services,
           languages: LanguageIdentifier) -> Engine:
    return build_engine(Settings(), database, nlu_client, clock, services=services,
                        languages=languages)


@pytest.fixture
def intake(engine: Engine) -> Intake:
    """The path every channel's messages take (store, then answer), around `engine`."""
    return build_intake(Settings(), engine, Events())


@pytest.fixture
def customer(intake: Intake, clock: FrozenClock) -> Customer:
    return Customer(intake, clock)
