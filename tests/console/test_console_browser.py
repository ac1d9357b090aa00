"""The whole desk in headless Chromium: a customer asks for a person in the widget, the
ticket appears in the agent's queue without a reload, the agent claims it and replies, the
customer sees the reply, the agent closes it and the customer rates the help. An available
agent on the queue page is alerted within a second of the customer seeing the handoff."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy import select

from bot.app_keys import EVENTS
from bot.config import Settings
from bot.events import AgentTyping, MessagesSeen
from bot.storage.database import Database
from bot.storage.migrate import upgrade
from bot.storage.models import Ticket
from console.agents import create_agent
from tests.conftest import free_port
from wiring.app import init_app

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "correct horse battery"
Server = tuple[str, str, list[AgentTyping | MessagesSeen]]


@pytest.fixture
async def server(tmp_path: Path, nlu_service: tuple[str, str],
                 ) -> AsyncIterator[Server]:
    url, token = nlu_service
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'console.db'}"
    settings = Settings(database_url=database_url, nlu_url=url, nlu_token=token,
                        public_base_url=base)
    database = Database(database_url)
    await upgrade(database)
    await create_agent(database, "anna", PASSWORD, role="supervisor", display_name="Anna de Vries")
    await database.close()
    app = init_app(settings)
    signals: list[AgentTyping | MessagesSeen] = []  # what the customer's chat is to show
    app[EVENTS].subscribe(AgentTyping, signals.append)
    app[EVENTS].subscribe(MessagesSeen, signals.append)
    test_server = TestServer(app, host="127.0.0.1", port=port)
    await test_server.start_server()
    yield base, database_url, signals
    await test_server.close()


async def until(condition: Callable[[], bool], seconds: float = 5.0) -> None:
    """Wait for something the server hears from the browser (a WebSocket message)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the server did not hear it in time"
        await asyncio.sleep(0.05)


async def log_in(page: Any, base: str, username: str) -> None:
    await page.goto(f"{base}/console")
    await page.fill("#username", username)
    await page.fill("#password", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{base}/console")


async def test_handoff_claim_reply_close_and_rating(browser: Any,
                                                    server: Server) -> None:
    base, database_url, signals = server
    agent_context = await browser.new_context(viewport={"width": 1440, "height": 900})
    agent = await agent_context.new_page()
    await log_in(agent, base, "anna")
    await agent.locator("#queue-list", has_text="The queue is empty").wait_for()
    await agent.locator("#availability", has_text="Away").wait_for()
    await agent.click("#availability")  # only available agents are alerted
    await agent.locator("#availability", has_text="Available").wait_for()
    await agent.evaluate("window.sameDocument = true")  # gone if the page ever reloads

    customer_context = await browser.new_context(viewport={"width": 390, "height": 800})
    customer = await customer_context.new_page()
    await customer.goto(f"{base}/chat/demo")
    await customer.click("#sbw-launcher")
    await customer.fill("#sbw-input", "I would like to talk to a real person please")
    await customer.click("#sbw-send")
    await customer.locator(".sbw-from-bot", has_text="T-").wait_for(timeout=15000)
    shown = time.monotonic()
    await agent.locator("#alert").wait_for(state="visible", timeout=5000)
    alerted = time.monotonic()
    assert alerted - shown < 1.0, f"the alert came {alerted - shown:.2f} s after the handoff"

    item = agent.locator("#queue-list li[data-ticket]")
    await item.first.wait_for(timeout=5000)  # pushed live: no reload
    text = await item.first.inner_text()
    assert "Website visitor" in text and "webchat" in text and "due in" in text
    await item.first.locator(".preview").wait_for()

    await item.first.locator("button.claim").click()
    await agent.wait_for_url("**/console/tickets/*")
    await agent.locator("#ticket-status", has_text="claimed").wait_for()
    await customer.locator(".sbw-from-system", has_text="Anna de Vries").wait_for(timeout=5000)

    await agent.type("#composer-text", "Hello, this is Anna. How can I help?")
    await until(lambda: any(isinstance(signal, AgentTyping) for signal in signals))
    first = next(signal for signal in signals if isinstance(signal, AgentTyping))
    assert first.on and first.name == "Anna de Vries"
    await agent.press("#composer-text", "Control+Enter")
    await customer.locator(".sbw-from-agent",
                           has_text="Hello, this is Anna").wait_for(timeout=5000)
    await agent.locator("#transcript .from-agent").wait_for()
    assert await agent.locator("#action-status").is_visible()
    await until(lambda: not [signal for signal in signals  # sending ends the typing
                             if isinstance(signal, AgentTyping)][-1].on)
    assert not await agent.locator("#action-error").is_visible()

    await agent.check("#mode-note")
    await agent.fill("#composer-text", "Customer sounds in a hurry")
    await agent.click("#send")
    await agent.locator("#transcript .note", has_text="in a hurry").wait_for()
    await customer.fill("#sbw-input", "My printer prints blank pages")
    await customer.click("#sbw-send")
    await agent.locator("#transcript .from-customer",
                        has_text="blank pages").wait_for(timeout=5000)
    await until(lambda: any(isinstance(signal, MessagesSeen) for signal in signals))
    assert await agent.evaluate(  # the newest message is in view
        "(() => { const t = document.getElementById('transcript');"
        " return t.scrollHeight - t.scrollTop - t.clientHeight < 48; })()")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await agent.screenshot(path=str(SCREENSHOTS / "console-workspace.png"))

    await agent.click("#close-box summary")
    await agent.fill("#resolution", "Explained the warranty terms")
    await agent.fill("#closing-message", "Thanks for your patience, have a nice day!")
    await agent.click("#close-ticket")
    await customer.locator(".sbw-from-agent", has_text="have a nice day").wait_for(timeout=5000)
    question = customer.locator(".sbw-from-bot", has_text="How satisfied")
    await question.wait_for(timeout=5000)
    await agent.locator("#read-only").wait_for()  # a closed ticket is read only
    for action in ("#composer", "#transfer-box", "#close-box", "#claim"):
        assert not await agent.locator(action).is_visible(), action
    assert "Explained the warranty" not in await customer.locator("body").inner_text()
    await customer.locator("#sbw-quick .sbw-quick-btn", has_text="4").click()
    await customer.locator(".sbw-from-bot", has_text="Thank you for your rating").wait_for(
        timeout=15000)
    assert await agent.evaluate("window.sameDocument === true")

    database = Database(database_url)
    async with database.sessions() as session:
        ticket = (await session.execute(select(Ticket))).scalar_one()
    await database.close()
    assert ticket.status == "closed" and ticket.csat_score == 4
    assert ticket.resolution == "Explained the warranty terms"

    await agent.goto(f"{base}/console/supervisor")
    charts = agent.locator("img[src*='/console/supervisor/charts/']")
    await charts.first.wait_for()
    await agent.wait_for_function(  # every chart has loaded and drawn
        "[...document.querySelectorAll('img')].every(i => i.complete && i.naturalWidth > 0)")
    ARTIFACTS.mkdir(exist_ok=True)
    await agent.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
    await agent_context.close()
    await customer_context.close()
