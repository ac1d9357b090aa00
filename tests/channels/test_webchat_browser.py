"""The widget in headless Chromium on the demo page, talking to the real app and model."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestServer

from bot.config import Settings
from bot.storage.database import Database
from bot.storage.migrate import upgrade
from tests.conftest import free_port
from wiring.app import init_app

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
async def server(tmp_path: Path, nlu_service: tuple[str, str]) -> AsyncIterator[str]:
    url, token = nlu_service
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'widget.db'}",
                        nlu_url=url, nlu_token=token, public_base_url=base)
    await upgrade(Database(settings.database_url))
    test_server = TestServer(init_app(settings), host="127.0.0.1", port=port)
    await test_server.start_server()
    yield base
    await test_server.close()


async def open_chat(page: Any, base: str) -> None:
    await page.goto(f"{base}/chat/demo")
    await page.click("#sbw-launcher")


async def send(page: Any, text: str) -> None:
    await page.fill("#sbw-input", text)
    await page.click("#sbw-send")


@pytest.mark.parametrize("width", [390, 1280], ids=["phone", "desktop"])
async def test_customer_asks_in_dutch_reloads_and_keeps_history(
    browser: Any, server: str, width: int,
) -> None:
    context = await browser.new_context(viewport={"width": width, "height": 800})
    page = await context.new_page()
    await open_chat(page, server)
    await send(page, "wanneer zijn jullie zaterdag open?")
    answer = page.locator(".sbw-from-bot").first
    await answer.wait_for(timeout=15000)
    text = await answer.inner_text()
    assert "maandag" in text and "weekend" in text and "06:00" in text
    box = await page.locator("#sbw-panel").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"widget-{width}.png"))

    await page.reload()
    await page.click("#sbw-launcher")
    await page.locator(".sbw-from-bot").first.wait_for(timeout=10000)
    customer = await page.locator(".sbw-from-customer").all_inner_texts()
    bot = await page.locator(".sbw-from-bot").all_inner_texts()
    assert customer == ["wanneer zijn jullie zaterdag open?"] and bot == [text]
    await context.close()


async def test_markup_in_a_message_is_shown_as_text(browser: Any, server: str) -> None:
    context = await browser.new_context()
    page = await context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: dialogs.append(dialog.message))
    await open_chat(page, server)
    attack = "<img src=x onerror=alert(1)>"
    await send(page, attack)
    await page.locator(".sbw-from-bot").first.wait_for(timeout=15000)
    mine = page.locator(".sbw-from-customer").first
    assert await mine.inner_text() == attack
    assert await page.locator("#sbw-messages img").count() == 0
    assert dialogs == []
    await context.close()


async def test_quick_replies_are_buttons_the_customer_can_press(browser: Any, server: str) -> None:
    context = await browser.new_context()
    page = await context.new_page()
    await open_chat(page, server)
    await send(page, "am I chatting with a bot?")
    buttons = page.locator("#sbw-quick .sbw-quick-btn")
    await buttons.first.wait_for(timeout=15000)
    assert await buttons.count() == 2
    await buttons.first.click()
    handoff = page.locator(".sbw-from-bot").nth(1)
    await handoff.wait_for(timeout=15000)
    assert "T-" in await handoff.inner_text()
    await context.close()
