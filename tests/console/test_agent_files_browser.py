"""Files in the workspace, in headless Chromium: an agent attaches a PDF to a reply and the
customer gets it on Telegram, while a file of a refused type is refused in the page with
the reason and the reply is kept; the transcript plays a customer's voice note, shows a
photo as a thumbnail (an SVG only as a download), links a location to a map and marks an
edited message, in the agent's language and without an accessibility violation."""

from __future__ import annotations

import io
import struct
import wave
import zlib
from collections.abc import AsyncIterator
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestServer
from sqlalchemy import select

from bot.config import Settings
from bot.conversation import Attachment
from bot.file_stores import file_store
from bot.storage.database import Database
from bot.storage.migrate import upgrade
from bot.storage.models import Message, Ticket
from console.agents import create_agent
from tests.accessibility import serious_violations
from tests.bot.test_files import PDF
from tests.conftest import free_port
from tests.console.test_agent_files import claimed_ticket
from tests.console.test_console_browser import PASSWORD, log_in
from tests.fakes.telegram_api import FakeTelegramApi
from wiring.app import init_app

MAP_URL = "https://maps.example.com/?lat={latitude}&lon={longitude}"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"/>'


def voice_note(seconds: int = 2) -> bytes:
    """A real, playable recording: `seconds` of a quiet tone as 8 kHz WAV."""
    frames = bytes(128 + (20 if (i // 8) % 2 else -20) for i in range(8000 * seconds))
    recording = io.BytesIO()
    with wave.open(recording, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(1)
        wav.setframerate(8000)
        wav.writeframes(frames)
    return recording.getvalue()


def photo() -> bytes:
    """A real 2x2 red PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    rows = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


async def customer_sent_files(database: Database, settings: Settings, ticket_id: int) -> None:
    """The customer's voice note, photo, drawing, location and an edited message."""
    store = file_store(settings)
    voice, picture, drawing = voice_note(), photo(), SVG
    kept = [Attachment("voice", "telegram:AwACvoice", "audio/x-wav", len(voice), duration=2,
                       file=await store.put(voice)),
            Attachment("photo", "telegram:AgACphoto", "image/png", len(picture),
                       name="router.png", file=await store.put(picture)),
            Attachment("document", "telegram:BQACsvg", "image/svg+xml", len(drawing),
                       name="drawing.svg", file=await store.put(drawing))]
    payloads: list[tuple[str, dict[str, Any]]] = [
        ("", {"kind": "voice", "attachments": [asdict(kept[0])]}),
        ("Mijn router", {"kind": "photo", "attachments": [asdict(kept[1])]}),
        ("", {"kind": "document", "attachments": [asdict(kept[2])]}),
        ("", {"kind": "location", "content": {"latitude": 52.370216, "longitude": 4.895168}}),
        ("tot hoe laat zijn jullie open?", {"kind": "text", "edit_of": "4242:77"})]
    async with database.transaction() as session:
        ticket = (await session.execute(select(Ticket).where(Ticket.id == ticket_id))).scalar_one()
        for text, payload in payloads:  # as they were kept when they came in
            now = datetime.now(UTC)
            session.add(Message(conversation_id=ticket.conversation_id, channel="telegram",
                                direction="in", sender="customer", text=text, payload=payload,
                                created_at=now, processed_at=now))


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[tuple[str, int, FakeTelegramApi]]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'console.db'}")
    await upgrade(database)
    await create_agent(database, "ann", PASSWORD, role="agent", display_name="Ann")
    ticket_id = await claimed_ticket(database, "telegram")
    async with FakeTelegramApi() as telegram:
        settings = Settings(database_url=database.url, nlu_url="http://127.0.0.1:9",
                            public_base_url=base, files_dir=tmp_path / "files",
                            map_url=MAP_URL, telegram_token=telegram.token,
                            telegram_secret="s3cret", telegram_api_base_url=telegram.base_url)
        await customer_sent_files(database, settings, ticket_id)
        await database.close()
        test_server = TestServer(init_app(settings), host="127.0.0.1", port=port)
        await test_server.start_server()
        yield base, ticket_id, telegram
        await test_server.close()


async def _open_ticket(page: Any, base: str, ticket_id: int) -> None:
    await log_in(page, base, "ann")
    await page.goto(f"{base}/console/tickets/{ticket_id}")
    await page.locator("#mode-reply:checked").wait_for()
    await page.locator("#composer-file:not([disabled])").wait_for()


async def test_agent_sends_a_pdf_and_a_refused_file_is_explained(
    browser: Any, server: tuple[str, int, FakeTelegramApi],
) -> None:
    base, ticket_id, telegram = server
    context = await browser.new_context(viewport={"width": 1280, "height": 800})
    page = await context.new_page()
    await _open_ticket(page, base, ticket_id)
    limits = await page.locator("#composer-file-limits").text_content() or ""
    assert "PDF" in limits and "10 MB" in limits
    assert "application/pdf" in (await page.get_attribute("#composer-file", "accept") or "")

    await page.fill("#composer-text", "Here is the drawing.")
    await page.set_input_files("#composer-file", files=[{
        "name": "drawing.svg", "mimeType": "image/svg+xml", "buffer": SVG}])
    await page.click("#send")
    refused = page.locator("#action-error", has_text="drawing.svg cannot be sent")
    await refused.wait_for(timeout=5000)
    assert "PDF" in (await refused.text_content() or "")
    assert telegram.calls_of("sendDocument") == []
    assert await page.input_value("#composer-text") == "Here is the drawing."  # nothing lost

    await page.get_by_label("Attach files").set_input_files(files=[{
        "name": "manual.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    assert await page.locator("#composer-file-names").text_content() == "manual.pdf"
    await page.fill("#composer-text", "Here is the manual.")
    await page.click("#send")
    [document] = await telegram.wait_for("sendDocument", timeout=10)
    assert document.params["document"] == PDF
    sent = page.locator("#transcript .from-agent .attachment", has_text="manual.pdf")
    await sent.wait_for(timeout=5000)
    link = sent.locator("a.download")
    assert "/console/api/files/" in (await link.get_attribute("href") or "")
    assert await link.get_attribute("rel") == "noopener noreferrer"
    # The composer is cleared once the reply is acknowledged (which may come after the
    # transcript shows it, when the live update is quicker than the action's answer).
    await page.wait_for_function("document.querySelector('#composer-text').value === ''",
                                 timeout=5000)
    assert await page.eval_on_selector("#composer-file", "input => input.files.length") == 0
    assert await page.locator("#composer-file-names").text_content() == "No file chosen"
    await context.close()


async def test_the_transcript_plays_a_voice_note_and_links_a_location_to_a_map(
    browser: Any, server: tuple[str, int, FakeTelegramApi],
) -> None:
    base, ticket_id, _ = server
    context = await browser.new_context(viewport={"width": 1440, "height": 900},
                                        locale="de-DE", bypass_csp=True)  # to inject axe-core
    page = await context.new_page()
    await _open_ticket(page, base, ticket_id)

    voice = page.locator("#transcript .attachment.kind-voice")
    await voice.wait_for()
    assert "Sprachnachricht" in (await voice.text_content() or "")
    audio = voice.locator("audio[controls]")
    await page.wait_for_function(
        "() => { const a = document.querySelector('#transcript .kind-voice audio');"
        " return a && a.readyState >= 1 && a.duration > 1.9; }", timeout=10000)
    assert "/console/api/files/" in (await audio.get_attribute("src") or "")

    map_link = page.locator("#transcript a.map-link", has_text="Karte öffnen")
    assert await map_link.get_attribute("href") == \
        "https://maps.example.com/?lat=52.370216&lon=4.895168"
    assert await map_link.get_attribute("rel") == "noopener noreferrer"
    assert "52.370216, 4.895168" in (await page.locator("#transcript .summary").first
                                     .text_content() or "")
    edited = page.locator("#transcript .msg", has_text="tot hoe laat zijn jullie open?")
    assert await edited.locator(".edited").text_content() == "(bearbeitet)"

    thumbnail = page.locator("#transcript .kind-photo img.thumb")
    await page.wait_for_function(
        "() => { const i = document.querySelector('#transcript .kind-photo img.thumb');"
        " return i && i.complete && i.naturalWidth === 2; }", timeout=10000)
    assert await thumbnail.get_attribute("alt") == "Foto · router.png · 1 kB"
    drawing = page.locator("#transcript .kind-document", has_text="drawing.svg")
    assert await drawing.locator("img").count() == 0
    assert await drawing.locator("a.download", has_text="Herunterladen").count() == 1
    assert await page.locator("label[for=composer-file]").text_content() == "Dateien anhängen"
    assert await page.locator("#composer-file-names").text_content() == "Keine Datei ausgewählt"
    await page.focus("#composer-text")
    await page.keyboard.press("Tab")  # the attach control is next, for the keyboard too
    assert await page.evaluate("document.activeElement.id") == "composer-file"

    await page.click("#mode-note")
    assert await page.locator("#composer-files").is_hidden()
    await page.click("#mode-reply")
    assert await page.locator("#composer-files").is_visible()
    assert await serious_violations(page) == []
    await context.close()
