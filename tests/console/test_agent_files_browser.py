"""In headless Chromium an agent attaches a PDF to a reply and the customer gets it on
Telegram; a file of a refused type is refused in the page with the reason."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestServer

from bot.config import Settings
from bot.storage.database import Database
from bot.storage.migrate import upgrade
from console.agents import create_agent
from tests.bot.test_files import PDF
from tests.conftest import free_port
from tests.console.test_agent_files import claimed_ticket
from tests.console.test_console_browser import PASSWORD, log_in
from tests.fakes.telegram_api import FakeTelegramApi
from wiring.app import init_app


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[tuple[str, int, FakeTelegramApi]]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'console.db'}")
    await upgrade(database)
    await create_agent(database, "ann", PASSWORD, role="agent", display_name="Ann")
    ticket_id = await claimed_ticket(database, "telegram")
    await database.close()
    async with FakeTelegramApi() as telegram:
        settings = Settings(database_url=database.url, nlu_url="http://127.0.0.1:9",
                            public_base_url=base, files_dir=tmp_path / "files",
                            telegram_token=telegram.token, telegram_secret="s3cret",
                            telegram_api_base_url=telegram.base_url)
        test_server = TestServer(init_app(settings), host="127.0.0.1", port=port)
        await test_server.start_server()
        yield base, ticket_id, telegram
        await test_server.close()


async def test_agent_sends_a_pdf_and_a_refused_file_is_explained(
    browser: Any, server: tuple[str, int, FakeTelegramApi],
) -> None:
    base, ticket_id, telegram = server
    context = await browser.new_context(viewport={"width": 1280, "height": 800})
    page = await context.new_page()
    await log_in(page, base, "ann")
    await page.goto(f"{base}/console/tickets/{ticket_id}")
    await page.locator("#send-reply:not([disabled])").wait_for()

    await page.set_input_files("#reply-file", files=[{
        "name": "drawing.svg", "mimeType": "image/svg+xml",
        "buffer": b'<svg xmlns="http://www.w3.org/2000/svg"/>'}])
    await page.click("#send-reply")
    await page.locator("#action-error", has_text="cannot be sent").wait_for(timeout=5000)
    assert telegram.calls_of("sendDocument") == []

    await page.set_input_files("#reply-file", files=[{
        "name": "manual.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    await page.fill("#reply-text", "Here is the manual.")
    await page.click("#send-reply")
    [document] = await telegram.wait_for("sendDocument", timeout=10)
    assert document.params["document"] == PDF
    link = page.locator("#transcript .attachment a", has_text="download")
    await link.last.wait_for(timeout=5000)
    assert "/console/api/files/" in (await link.last.get_attribute("href") or "")
    await context.close()
