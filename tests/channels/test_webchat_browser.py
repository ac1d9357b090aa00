"""The widget in headless Chromium on the demo page, talking to the real app and model:
greeting, quick replies that leave their question in view, typing, agents by name,
links, timestamps and labels in the chat's language, unread count, delivery state and
accessibility (axe-core), on a phone (390x844) and a desktop."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlalchemy import select

from bot.app import init_app
from bot.app_keys import CHANNELS, CLOCK, DATABASE, OUTBOX
from bot.config import Settings
from bot.storage.database import Database
from bot.storage.migrate import upgrade
from bot.storage.models import Agent, Ticket
from channels.webchat import WebChatChannel
from console.actors import Actor
from console.keys import DESK
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
AXE = ROOT / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
ANNA = Actor("anna", "Anna de Vries")


@dataclass
class ChatServer:
    """The running app: its address, and the parts an agent would use in the console."""

    base: str
    app: web.Application

    @property
    def webchat(self) -> WebChatChannel:
        channel = self.app[CHANNELS]["webchat"]
        assert isinstance(channel, WebChatChannel)
        return channel

    async def only_ticket(self) -> Ticket:
        async with self.app[DATABASE].sessions() as session:
            return (await session.execute(select(Ticket))).scalar_one()

    async def agent_takes_over(self, actor: Actor = ANNA) -> str:
        """Claim the chat's ticket as the console does; returns the visitor id."""
        async with self.app[DATABASE].transaction() as session:
            session.add(Agent(username=actor.username, display_name=actor.display_name,
                              password_hash="!", role="agent", created_at=datetime.now(UTC),
                              teams=[], available=True))
        ticket = await self.only_ticket()
        await self.app[DESK].claim(ticket.id, actor, self.app[CLOCK].now())
        visitor = await self.visitor_of(ticket)
        await self.webchat.push(visitor, {"type": "agent_joined", "name": actor.display_name,
                                          "announced": True})
        self.app[OUTBOX].wake()
        return visitor

    async def agent_replies(self, text: str, actor: Actor = ANNA) -> None:
        ticket = await self.only_ticket()
        await self.app[DESK].reply(ticket.id, actor, text, self.app[CLOCK].now())
        self.app[OUTBOX].wake()

    async def visitor_of(self, ticket: Ticket) -> str:
        from bot.storage.models import Conversation
        async with self.app[DATABASE].sessions() as session:
            conversation = await session.get(Conversation, ticket.conversation_id)
            assert conversation is not None
            return conversation.external_chat_id


@pytest.fixture
async def server(tmp_path: Path, nlu_service: tuple[str, str]) -> AsyncIterator[ChatServer]:
    url, token = nlu_service
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'widget.db'}",
                        nlu_url=url, nlu_token=token, public_base_url=base)
    await upgrade(Database(settings.database_url))
    app = init_app(settings)
    test_server = TestServer(app, host="127.0.0.1", port=port)
    await test_server.start_server()
    yield ChatServer(base, app)
    await test_server.close()


async def new_page(browser: Any, viewport: dict[str, int] = DESKTOP,
                   locale: str = "en-GB") -> Any:
    context = await browser.new_context(viewport=viewport, locale=locale,
                                        timezone_id="Europe/Amsterdam")
    return await context.new_page()


async def open_chat(page: Any, server: ChatServer) -> None:
    await page.goto(f"{server.base}/chat/demo")
    await page.click("#sbw-launcher")
    await page.locator(".sbw-from-bot").first.wait_for(timeout=10000)  # greeting or history


async def send(page: Any, text: str) -> None:
    await page.fill("#sbw-input", text)
    await page.click("#sbw-send")


async def texts(page: Any, author: str) -> list[str]:
    return list(await page.locator(f".sbw-from-{author} .sbw-text").all_inner_texts())


async def serious_violations(page: Any) -> list[str]:
    """axe-core's serious and critical findings on the widget, as 'rule: target' lines."""
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        await page.add_script_tag(path=str(AXE))
    result = await page.evaluate(
        "async () => (await axe.run('#sbw-root')).violations"
        ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
        ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))")
    return list(result)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
async def test_customer_asks_in_dutch_reloads_and_keeps_history(
    browser: Any, server: ChatServer, viewport: dict[str, int],
) -> None:
    page = await new_page(browser, viewport, locale="nl-NL")
    await open_chat(page, server)
    assert await page.get_attribute("#sbw-input", "placeholder") == "Typ een bericht…"
    await send(page, "wanneer zijn jullie zaterdag open?")
    answer = page.locator(".sbw-from-bot .sbw-text").nth(1)
    await answer.wait_for(timeout=15000)
    text = await answer.inner_text()
    assert "maandag" in text and "weekend" in text and "06:00" in text
    box = await page.locator("#sbw-panel").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
    times = await page.locator(".sbw-from-bot time").all_inner_texts()
    assert all(re.fullmatch(r"[0-2]\d:[0-5]\d", shown) for shown in times), times

    await page.reload()
    await page.click("#sbw-launcher")
    await page.locator(".sbw-from-bot").first.wait_for(timeout=10000)
    assert await texts(page, "customer") == ["wanneer zijn jullie zaterdag open?"]
    assert await texts(page, "bot") == [text]
    assert await page.locator(".sbw-from-customer .sbw-state").inner_text() == " · Verstuurd"
    await page.context.close()
