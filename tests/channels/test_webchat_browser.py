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

from bot.config import Settings
from bot.storage.database import Database
from bot.storage.migrate import upgrade
from bot.storage.models import Agent, Ticket
from channels.webchat import WebChatChannel
from console.actors import Actor
from console.keys import DESK
from tests.conftest import free_port
from wiring.app import CHANNELS, CLOCK, DATABASE, OUTBOX, init_app

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
ARTIFACTS = ROOT / "test-artifacts"
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


async def test_first_open_greets_in_the_browser_language_with_suggested_questions(
    browser: Any, server: ChatServer,
) -> None:
    page = await new_page(browser, PHONE, locale="de-DE")
    await open_chat(page, server)
    assert (await texts(page, "bot"))[0].startswith("Hallo!")
    suggestions = page.locator("#sbw-quick .sbw-quick-btn")
    assert await suggestions.count() == 4
    assert await page.get_attribute("#sbw-input", "placeholder") == "Nachricht eingeben…"
    assert await page.inner_text("#sbw-send") == "Senden"
    await suggestions.first.click()
    answer = page.locator(".sbw-from-bot .sbw-text").nth(1)
    await answer.wait_for(timeout=15000)
    assert "06:00" in await answer.inner_text()
    assert await page.get_attribute(".sbw-from-bot >> nth=1", "lang") == "de"
    await page.context.close()


async def question_stays_visible(page: Any) -> None:
    """The question the buttons answer is inside the visible part of the message list and
    above the buttons."""
    await page.wait_for_timeout(300)  # the list has scrolled after the buttons' layout
    question = await page.locator(".sbw-from-bot .sbw-body").last.bounding_box()
    shown = await page.locator("#sbw-messages").bounding_box()
    buttons = await page.locator("#sbw-quick").bounding_box()
    assert question and shown and buttons
    assert question["y"] >= shown["y"] - 1, (question, shown)
    assert question["y"] + question["height"] <= shown["y"] + shown["height"] + 1, (question, shown)
    assert question["y"] + question["height"] <= buttons["y"] + 1


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
async def test_quick_replies_leave_their_question_in_view_and_a_press_is_understood(
    browser: Any, server: ChatServer, viewport: dict[str, int],
) -> None:
    page = await new_page(browser, viewport)
    await open_chat(page, server)
    for text in ("hello", "what does support cost?", "am I chatting with a bot?"):
        count = await page.locator(".sbw-from-bot").count()
        await send(page, text)
        await page.locator(".sbw-from-bot").nth(count).wait_for(timeout=15000)
    buttons = page.locator("#sbw-quick .sbw-quick-btn")
    await buttons.first.wait_for(timeout=15000)
    assert await buttons.count() == 2
    await question_stays_visible(page)
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"widget-buttons-{viewport['width']}.png"))
    assert await serious_violations(page) == []  # open, with buttons
    await buttons.first.click()
    handoff = page.locator(".sbw-from-bot .sbw-text").last
    await page.wait_for_function(
        "() => [...document.querySelectorAll('.sbw-from-bot .sbw-text')].some("
        "e => e.textContent.includes('T-'))", timeout=15000)
    assert "T-" in await handoff.inner_text()
    await page.context.close()


async def test_markup_in_a_message_is_shown_as_text(browser: Any, server: ChatServer) -> None:
    page = await new_page(browser)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: dialogs.append(dialog.message))
    await open_chat(page, server)
    attack = "<img src=x onerror=alert(1)>"
    await send(page, attack)
    await page.locator(".sbw-from-bot").nth(1).wait_for(timeout=15000)
    assert await texts(page, "customer") == [attack]
    assert await page.locator("#sbw-messages img").count() == 0
    assert dialogs == []
    await page.context.close()


async def test_agent_is_named_typing_shows_only_while_typing_and_links_are_safe(
    browser: Any, server: ChatServer,
) -> None:
    page = await new_page(browser, PHONE, locale="nl-NL")
    await open_chat(page, server)
    await send(page, "ik wil met een medewerker praten")
    await page.wait_for_function(
        "() => document.querySelector('#sbw-messages').textContent.includes('T-')",
        timeout=15000)
    assert await page.locator("#sbw-typing").is_hidden()
    assert await page.inner_text("#sbw-subtitle") == "Wachten op een collega"
    visitor = await server.agent_takes_over()
    await page.wait_for_function(
        "() => document.querySelector('#sbw-subtitle').textContent === 'Anna de Vries'")
    await send(page, "hallo, is daar iemand?")
    await page.locator(".sbw-from-customer .sbw-state >> text=Verstuurd").last.wait_for()
    await page.wait_for_timeout(1500)
    assert await page.locator("#sbw-typing").is_hidden()  # no person typing yet

    await server.webchat.show_typing(visitor, "Anna de Vries", True)
    await page.locator("#sbw-typing >> text=Anna de Vries is aan het typen…").wait_for()
    await server.webchat.show_typing(visitor, "Anna de Vries", False)
    await page.locator("#sbw-typing").wait_for(state="hidden")
    await server.webchat.show_seen(visitor, 1, datetime.now(UTC))
    await page.locator(".sbw-from-customer .sbw-state >> text=Gelezen").last.wait_for()

    await server.agent_replies("Hoi! Zie **stap 2** in https://example.com/kb/mail.\n"
                               "- eerst [de handleiding](https://example.com/a?x=1)\n"
                               "- dan [dit](javascript:alert(1))")
    reply = page.locator(".sbw-from-agent")
    await reply.wait_for(timeout=15000)
    assert await reply.locator(".sbw-avatar").inner_text() == "AV"
    assert "Anna de Vries" in await reply.locator(".sbw-meta").inner_text()
    assert await reply.locator(".sbw-sr").text_content() == "Anna de Vries: "
    assert await reply.locator("strong").inner_text() == "stap 2"
    assert await reply.locator("li").count() == 2
    links = reply.locator("a")
    assert [await links.nth(i).get_attribute("href") for i in range(await links.count())] == [
        "https://example.com/kb/mail", "https://example.com/a?x=1"]
    assert await links.first.get_attribute("rel") == "noopener noreferrer"
    assert "[dit](javascript:alert(1))" in await reply.inner_text()
    assert await serious_violations(page) == []  # with an agent's message, links and a list

    await page.reload()  # who is talking survives a reload
    await page.click("#sbw-launcher")
    await page.locator(".sbw-from-agent").wait_for(timeout=10000)
    assert await page.inner_text("#sbw-subtitle") == "Anna de Vries"
    assert await page.locator(".sbw-from-agent .sbw-avatar").inner_text() == "AV"
    assert await page.locator(".sbw-from-customer .sbw-state").last.inner_text() == " · Gelezen"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "widget-phone.png"))
    await page.context.close()


async def test_closed_widget_counts_unread_replies_on_the_launcher(
    browser: Any, server: ChatServer,
) -> None:
    page = await new_page(browser)
    await open_chat(page, server)
    await send(page, "I want to talk to a person")
    await page.wait_for_function(
        "() => document.querySelector('#sbw-messages').textContent.includes('T-')",
        timeout=15000)
    await server.agent_takes_over()
    await page.locator(".sbw-from-system >> text=Anna de Vries").wait_for(timeout=15000)
    await page.keyboard.press("Escape")
    assert await page.get_attribute("#sbw-launcher", "aria-label") == "Open chat"
    await server.agent_replies("Hello, I'm Anna. How can I help?")
    await server.agent_replies("Are you still there?")
    await page.locator(".sbw-badge >> text=2").wait_for(timeout=15000)
    assert await page.get_attribute("#sbw-launcher", "aria-label") == \
        "Open chat, 2 new messages"
    await page.click("#sbw-launcher")
    assert await page.locator(".sbw-badge").is_hidden()
    await page.context.close()


async def test_widget_is_accessible_closed_open_and_with_buttons(
    browser: Any, server: ChatServer,
) -> None:
    page = await new_page(browser)
    await page.goto(f"{server.base}/chat/demo")
    launcher = page.locator("#sbw-launcher")
    assert await launcher.get_attribute("aria-label") == "Open chat"
    assert await launcher.get_attribute("aria-expanded") == "false"
    assert await serious_violations(page) == []  # closed
    await launcher.click()
    await page.locator(".sbw-from-bot").first.wait_for(timeout=10000)
    assert await launcher.get_attribute("aria-label") == "Close chat"
    assert await launcher.get_attribute("aria-expanded") == "true"
    assert await page.evaluate("document.activeElement.id") == "sbw-input"
    first = page.locator(".sbw-from-bot").first
    assert await first.get_attribute("lang") == "en"
    assert await first.locator(".sbw-sr").text_content() == "Virtual assistant: "
    assert await page.locator("#sbw-quick .sbw-quick-btn").count() == 4
    assert await serious_violations(page) == []  # open, with the suggested questions
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "widget-desktop.png"))
    await page.keyboard.press("Escape")
    assert await page.locator("#sbw-panel").is_hidden()
    assert await page.evaluate("document.activeElement.id") == "sbw-launcher"
    assert await launcher.get_attribute("aria-expanded") == "false"
    await page.context.close()


async def test_labels_follow_the_chat_language_and_the_sound_can_be_turned_on(
    browser: Any, server: ChatServer,
) -> None:
    page = await new_page(browser, PHONE, locale="en-US")
    await open_chat(page, server)
    assert await page.inner_text("#sbw-subtitle") == "Virtual assistant"
    await send(page, "Wann ist Ihr Support am Wochenende erreichbar?")
    await page.locator(".sbw-from-bot").nth(1).wait_for(timeout=15000)
    assert await page.get_attribute(".sbw-from-bot >> nth=1", "lang") == "de"
    assert await page.get_attribute("#sbw-input", "placeholder") == "Nachricht eingeben…"
    assert await page.inner_text("#sbw-subtitle") == "Virtueller Assistent"
    assert await page.get_attribute("#sbw-root", "lang") == "de"
    sound = page.locator("#sbw-sound")
    assert await sound.get_attribute("aria-pressed") == "false"
    await sound.click()
    assert await sound.get_attribute("aria-pressed") == "true"
    assert await sound.get_attribute("aria-label") == "Benachrichtigungston"
    assert await sound.get_attribute("title") == "Ton an"
    await page.reload()
    assert await page.locator("#sbw-sound").get_attribute("aria-pressed") == "true"
    await page.context.close()
