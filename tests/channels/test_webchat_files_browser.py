"""Files in the widget, in headless Chromium against the real app and model: the attach
button (keyboard first), the limits shown before an upload, a photo shown as a thumbnail,
a file over the limits refused in the chat's language without any request, drag and drop
and paste, and axe-core with the upload UI visible."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestServer

from bot.config import AttachmentLimits, Settings
from bot.files import content_key
from bot.storage.database import Database
from bot.storage.migrate import upgrade
from tests.bot.test_files import PDF
from tests.channels.test_webchat_browser import (
    ARTIFACTS,
    DESKTOP,
    PHONE,
    ChatServer,
    new_page,
    open_chat,
    serious_violations,
)
from tests.channels.test_webchat_files import PNG, SVG
from tests.conftest import free_port
from wiring.app import init_app

MAX_BYTES = 50 * 1024


@pytest.fixture
async def server(tmp_path: Path, nlu_service: tuple[str, str]) -> AsyncIterator[ChatServer]:
    url, token = nlu_service
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'widget.db'}",
                        nlu_url=url, nlu_token=token, public_base_url=base,
                        files_dir=tmp_path / "files",
                        attachment_limits={"webchat": AttachmentLimits(max_bytes=MAX_BYTES)})
    await upgrade(Database(settings.database_url))
    test_server = TestServer(init_app(settings), host="127.0.0.1", port=port)
    await test_server.start_server()
    yield ChatServer(base, test_server.app)
    await test_server.close()


def stored_files(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "files"
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


def uploads_of(page: Any) -> list[str]:
    """Every upload request the page makes, as it makes them."""
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url)
            if "/chat/files" in request.url and request.method == "POST" else None)
    return seen


async def system_notices(page: Any) -> list[str]:
    return list(await page.locator(".sbw-from-system .sbw-text").all_inner_texts())


async def test_a_photo_is_sent_from_the_keyboard_and_shown_as_a_thumbnail_and_too_large_or_wrong_files_are_refused(  # noqa: E501
    browser: Any, server: ChatServer, tmp_path: Path,
) -> None:
    page = await new_page(browser, DESKTOP)
    uploads = uploads_of(page)
    await open_chat(page, server)
    attach = page.locator("#sbw-attach")
    assert await attach.get_attribute("aria-label") == "Attach a file"
    await attach.focus()  # the limits show before anything is chosen
    hint = page.locator("#sbw-limits")
    assert await hint.is_visible()
    assert await hint.inner_text() == \
        "You can send JPEG, PNG, WebP, HEIC, PDF, up to 50 KB per file."
    assert await attach.get_attribute("aria-describedby") == "sbw-limits"
    assert await serious_violations(page) == []  # the attach button and its hint

    await page.set_input_files("#sbw-file", files=[
        {"name": "huge.png", "mimeType": "image/png", "buffer": PNG + b"\0" * (60 * 1024)}])
    await page.set_input_files("#sbw-file", files=[
        {"name": "drawing.svg", "mimeType": "image/svg+xml", "buffer": SVG}])
    assert await system_notices(page) == [
        "“huge.png” was not sent: it is 60 KB, and a file can be at most 50 KB.",
        "“drawing.svg” was not sent: only JPEG, PNG, WebP, HEIC, PDF can be sent."]
    assert uploads == [] and stored_files(tmp_path) == []

    bots = await page.locator(".sbw-from-bot").count()
    async with page.expect_file_chooser() as chooser:
        await page.keyboard.press("Enter")  # the focused attach button opens the picker
    await (await chooser.value).set_files(
        files=[{"name": "display.png", "mimeType": "image/png", "buffer": PNG}])
    thumb = page.locator(".sbw-from-customer img.sbw-thumb")
    await page.wait_for_function(
        "() => { const i = document.querySelector('.sbw-from-customer img.sbw-thumb');"
        " return i && i.src.includes('/files/') && i.complete && i.naturalWidth > 0; }",
        timeout=10000)
    assert await thumb.get_attribute("alt") == "display.png"
    assert await page.locator(".sbw-from-customer .sbw-state").inner_text() == " · Sent"
    await page.locator(".sbw-from-bot").nth(bots).wait_for(timeout=15000)  # the bot answers
    assert len(uploads) == 1 and len(stored_files(tmp_path)) == 1
    assert await serious_violations(page) == []  # with a thumbnail and refusals
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "widget-upload.png"))

    await page.reload()  # the photo stays in the history
    await page.click("#sbw-launcher")
    await page.wait_for_function(
        "() => { const i = document.querySelector('.sbw-from-customer img.sbw-thumb');"
        " return i && i.complete && i.naturalWidth > 0; }", timeout=10000)
    await page.context.close()


async def test_a_dropped_pdf_becomes_a_link_and_a_pasted_file_over_the_limit_is_refused_in_dutch(
    browser: Any, server: ChatServer, tmp_path: Path,
) -> None:
    page = await new_page(browser, PHONE, locale="nl-NL")
    uploads = uploads_of(page)
    await open_chat(page, server)
    assert await page.get_attribute("#sbw-attach", "aria-label") == "Bestand toevoegen"
    held = asyncio.Event()

    async def hold(route: Any) -> None:  # the upload waits until its progress bar is seen
        await held.wait()
        await route.continue_()

    await page.route("**/chat/files?*", hold)
    await page.evaluate("""(bytes) => {
        const data = new DataTransfer();
        data.items.add(new File([new Uint8Array(bytes)], 'factuur.pdf', {type: 'application/pdf'}));
        window.__sbwDrop = data;
        document.querySelector('#sbw-messages').dispatchEvent(
            new DragEvent('dragenter', {dataTransfer: data, bubbles: true, cancelable: true}));
    }""", list(PDF))
    drop = page.locator("#sbw-drop")
    assert await drop.is_visible()
    assert "Laat het bestand hier los" in await drop.inner_text()
    await page.evaluate("""() => document.querySelector('#sbw-drop').dispatchEvent(
        new DragEvent('drop', {dataTransfer: window.__sbwDrop, bubbles: true,
                               cancelable: true}))""")
    progress = page.locator(".sbw-from-customer progress")
    await progress.wait_for()
    assert await progress.get_attribute("aria-label") == "factuur.pdf wordt geüpload"
    assert await page.locator(".sbw-from-customer .sbw-state").inner_text() == " · Versturen…"
    held.set()
    link = page.locator(".sbw-from-customer a.sbw-file")
    await link.wait_for(timeout=10000)
    assert await progress.count() == 0
    assert (await link.inner_text()).startswith("factuur.pdf (")
    assert "/files/" in (await link.get_attribute("href") or "")
    assert await drop.is_hidden()
    await page.locator(".sbw-from-customer .sbw-state >> text=Verstuurd").wait_for()

    await page.evaluate("""(size) => {
        const data = new DataTransfer();
        data.items.add(new File([new Uint8Array(size)], 'scan.png', {type: 'image/png'}));
        document.querySelector('#sbw-input').dispatchEvent(
            new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
    }""", 2 * MAX_BYTES)
    notice = page.locator(".sbw-from-system .sbw-text").last
    await notice.wait_for()
    assert await notice.inner_text() == \
        "„scan.png” is niet verstuurd: het is 100 KB en een bestand mag hoogstens 50 KB zijn."
    assert len(uploads) == 1 and len(stored_files(tmp_path)) == 1
    assert await serious_violations(page) == []
    await page.context.close()


async def test_the_warranty_photo_step_is_answered_with_a_photo_from_the_widget(
    browser: Any, server: ChatServer,
) -> None:
    page = await new_page(browser, PHONE)
    await open_chat(page, server)
    await page.fill("#sbw-input", "warranty claim please. Product AP-60, serial AP60-99-0001, "
                                  "wifi radio dead, bought through a reseller")
    await page.click("#sbw-send")
    asked = server.webchat.catalogue.text("en", "warranty_ask_photo")
    await page.locator(".sbw-from-bot .sbw-text", has_text=asked).wait_for(timeout=15000)
    await page.set_input_files("#sbw-file", files=[
        {"name": "radio.png", "mimeType": "image/png", "buffer": PNG}])
    confirm = page.locator("#sbw-quick .sbw-quick-btn").first
    await confirm.wait_for(timeout=15000)
    assert "AP60-99-0001" in await page.locator(".sbw-from-bot .sbw-text").last.inner_text()
    await confirm.click()
    await page.wait_for_function(
        "() => [...document.querySelectorAll('.sbw-from-bot .sbw-text')].some("
        "e => e.textContent.includes('T-'))", timeout=15000)
    ticket = await server.only_ticket()
    assert ticket.details["attachments"] == [f"file:{content_key(PNG)}"]
    await page.context.close()
