"""Every console page passes axe-core without a serious or critical violation: login,
the workspace (empty, with a claimed conversation, with a closed one), callbacks, canned
replies, the dashboard and customer privacy, in English and in German."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestServer

from bot.config import Settings
from bot.storage.database import Database
from bot.storage.migrate import upgrade
from bot.storage.models import Message, Ticket, TicketNote
from console.agents import create_agent
from tests.accessibility import serious_violations
from tests.conftest import free_port
from tests.console.helpers import add_ticket
from wiring.app import init_app

PASSWORD = "correct horse battery"


async def _conversation(database: Database, status: str) -> int:
    at = datetime.now(UTC) - timedelta(minutes=4)
    ticket_id = await add_ticket(database, at, status=status, assigned_to="anna",
                                 details={"last_intents": ["mail_setup", "human_handoff"]})
    async with database.transaction() as session:
        ticket = await session.get(Ticket, ticket_id)
        assert ticket is not None and ticket.conversation_id is not None
        for sender, text in [("customer", "My mail stopped working"),
                             ("bot", "I'm bringing in a colleague."),
                             ("agent", "Hello, I'm looking into it.")]:
            session.add(Message(conversation_id=ticket.conversation_id, channel="webchat",
                                direction="in" if sender == "customer" else "out",
                                sender=sender, text=text, payload={"agent": "Anna"},
                                intent="mail_setup" if sender == "customer" else None,
                                confidence=0.93 if sender == "customer" else None,
                                created_at=at))
        session.add(TicketNote(ticket_id=ticket_id, author="anna", text="Checked the DNS",
                               created_at=at))
        if status == "closed":
            ticket.resolution, ticket.closed_at = "Password reset", at
    return ticket_id


@pytest.fixture
async def console(tmp_path: Path) -> AsyncIterator[tuple[str, int, int]]:
    """The app with a supervisor, a claimed and a closed conversation; no NLU needed."""
    base = f"http://127.0.0.1:{(port := free_port())}"
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'console.db'}"
    database = Database(database_url)
    await upgrade(database)
    await create_agent(database, "anna", PASSWORD, role="supervisor", display_name="Anna")
    claimed, closed = (await _conversation(database, "claimed"),
                       await _conversation(database, "closed"))
    await database.close()
    settings = Settings(database_url=database_url, nlu_url="http://127.0.0.1:9",
                        public_base_url=base)
    server = TestServer(init_app(settings), host="127.0.0.1", port=port)
    await server.start_server()
    yield base, claimed, closed
    await server.close()


async def _check(page: Any, url: str, ready: str) -> list[str]:
    await page.goto(url)
    await page.locator(ready).first.wait_for()
    return [f"{url}: {problem}" for problem in await serious_violations(page)]


async def test_no_console_page_has_a_serious_accessibility_violation(
    browser: Any, console: tuple[str, int, int],
) -> None:
    base, claimed, closed = console
    context = await browser.new_context(viewport={"width": 1440, "height": 900},
                                        bypass_csp=True)  # to inject axe-core
    page = await context.new_page()
    problems = await _check(page, f"{base}/console/login", "#username")
    await page.fill("#username", "anna")
    await page.fill("#password", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{base}/console")
    pages = [("/console", "#queue-list li[data-ticket]"),
             (f"/console/tickets/{claimed}", "#transcript .note"),
             (f"/console/tickets/{closed}", "#read-only:visible"),
             ("/console/callbacks", "h1"), ("/console/canned", "form.canned"),
             ("/console/supervisor", "img[src*='/charts/']"),
             ("/console/supervisor/customers?q=Sanne", "table")]
    for locale in ("en", "de"):
        if locale == "de":
            await page.select_option("#locale-choice", "de")
            await page.wait_for_load_state()
            await page.locator("html[lang=de]").wait_for()
        for path, ready in pages:
            problems += await _check(page, base + path, ready)
    await context.close()
    assert not problems, "\n".join(problems)
