"""Every kind of private Telegram message gets an answer in the customer's language and is
stored with what it holds; groups, channel posts and membership updates stay unanswered.
Real-shaped updates posted to our webhook, answers sent to the fake Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import func, select

from bot.config import Settings
from bot.files import LocalFileStore
from bot.storage.database import Database
from bot.storage.models import Message
from tests.apps import app_clients
from tests.fakes.telegram_api import FakeTelegramApi, text_update
from tests.fakes.telegram_updates import (
    channel_post_update,
    edited_update,
    group_update,
    kind_update,
    membership_update,
    service_update,
)
from wiring.app import DATABASE, INTAKE

SECRET = "s3cret-token-for-tests"
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32
ZIP = b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 32
OGG = b"OggS\x00\x02" + b"\x00" * 20 + b"OpusHead" + b"\x00" * 32
HEADERS = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
App = TestClient  # type: ignore[type-arg]

# What the Dutch answer to each kind says (the customer's Telegram is set to Dutch).
ANSWERS = {
    "voice": "spraakberichten", "audio": "spraakberichten", "video": "video's",
    "video_note": "video's", "animation": "video's", "sticker": "alleen tekst",
    "dice": "alleen tekst", "location": "locatie", "venue": "locatie",
    "contact": "Piet Jansen", "poll": "peilingen", "unsupported": "dit soort bericht",
}


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeTelegramApi]:
    async with FakeTelegramApi() as api:
        yield api


@pytest.fixture
async def client(database: Database, nlu_service: tuple[str, str],
                 fake_api: FakeTelegramApi, tmp_path: Path) -> AsyncIterator[App]:
    url, token = nlu_service
    settings = Settings(database_url=database.url, nlu_url=url, nlu_token=token,
                        telegram_token=fake_api.token, telegram_secret=SECRET,
                        telegram_api_base_url=fake_api.base_url,
                        files_dir=tmp_path / "files")
    async with app_clients() as start:
        yield await start(settings, None)


async def _messages(client: App) -> list[Message]:
    async with client.app[DATABASE].sessions() as session:
        return list((await session.execute(select(Message).where(
            Message.direction == "in").order_by(Message.id))).scalars())


async def _post(client: App, update: dict[str, Any]) -> None:
    response = await client.post("/webhooks/telegram", headers=HEADERS, json=update)
    assert response.status == 200, await response.text()


@pytest.mark.parametrize("kind", sorted(ANSWERS))
async def test_message_the_bot_cannot_read_gets_an_answer_saying_what_it_can_do(
    client: App, fake_api: FakeTelegramApi, kind: str,
) -> None:
    await _post(client, kind_update(2001, 4242, kind))
    [answer] = await fake_api.wait_for("sendMessage")
    assert ANSWERS[kind] in answer.params["text"]
    [stored] = await _messages(client)
    assert stored.payload["kind"] == kind


async def test_voice_note_is_fetched_with_get_file_and_stored_by_its_hash(
    client: App, fake_api: FakeTelegramApi, tmp_path: Path,
) -> None:
    update = kind_update(2002, 4242, "voice")
    fake_api.serve_file(update["message"]["voice"]["file_id"], OGG, folder="voice")
    await _post(client, update)
    await client.app[INTAKE].drain()
    [stored] = await _messages(client)
    [voice] = stored.payload["attachments"]
    assert voice["kind"] == "voice" and voice["mime_type"] == "audio/ogg"
    assert voice["duration"] == 4 and voice["reference"].startswith("telegram:AwAC")
    assert voice["size"] == len(OGG)
    assert await LocalFileStore(tmp_path / "files").get(voice["file"]) == OGG
    [get_file] = fake_api.calls_of("getFile")
    assert get_file.params["file_id"] == update["message"]["voice"]["file_id"]


async def test_a_file_the_bot_api_will_not_give_leaves_the_message_answered(
    client: App, fake_api: FakeTelegramApi,
) -> None:
    fake_api.fail_next("getFile", status=400, retry_after=None)
    await _post(client, kind_update(2015, 4242, "voice"))
    [answer] = await fake_api.wait_for("sendMessage")
    assert "spraakberichten" in answer.params["text"]
    [stored] = await _messages(client)
    assert stored.payload["attachments"][0]["file"] == ""  # kept as the reference only


async def test_location_and_contact_are_stored_with_what_they_hold(client: App) -> None:
    await _post(client, kind_update(2003, 4242, "venue"))
    await _post(client, kind_update(2004, 4242, "contact"))
    await client.app[INTAKE].drain()
    venue, contact = await _messages(client)
    assert venue.payload["content"] == {"latitude": 52.379189, "longitude": 4.899431,
                                        "title": "Central Station",
                                        "address": "Stationsplein 1"}
    assert contact.payload["content"] == {"name": "Piet Jansen", "phone": "+31205550142"}


async def test_answer_follows_the_language_of_the_conversation(
    client: App, fake_api: FakeTelegramApi,
) -> None:
    await _post(client, text_update(2005, 4242, "Wann habt ihr am Samstag geöffnet?",
                                    language_code="de"))
    await fake_api.wait_for("sendMessage")
    await _post(client, kind_update(2006, 4242, "voice", language_code="de"))
    answers = await fake_api.wait_for("sendMessage", count=2)
    assert "Sprachnachrichten" in answers[-1].params["text"]


@pytest.mark.parametrize("update", [
    group_update(2007, 4242, "wanneer zijn jullie open?"), channel_post_update(2008),
    membership_update(2009, 4242), service_update(2010, 4242),
], ids=["group", "channel post", "membership", "service message"])
async def test_updates_that_are_no_private_customer_message_stay_unanswered_and_unstored(
    client: App, fake_api: FakeTelegramApi, update: dict[str, Any],
) -> None:
    await _post(client, update)
    await client.app[INTAKE].drain()
    async with client.app[DATABASE].sessions() as session:
        count = (await session.execute(select(func.count()).select_from(Message))).scalar_one()
    assert count == 0
    assert fake_api.calls_of("sendMessage") == []


def _document(fake_api: FakeTelegramApi, update_id: int, mime_type: str, file_name: str,
              content: bytes, size: int | None = None) -> dict[str, Any]:
    """A document message whose file the fake Bot API serves."""
    update = kind_update(update_id, 4242, "document")
    document = update["message"]["document"]
    document.update(mime_type=mime_type, file_name=file_name, file_id=f"BQAC{update_id}",
                    file_size=size or len(content))
    fake_api.serve_file(document["file_id"], content)
    return update


@pytest.mark.parametrize(("mime_type", "file_name", "content"), [
    ("application/pdf", "invoice-2026-118.pdf", PDF), ("image/png", "screenshot.png", PNG)])
async def test_pdf_or_image_sent_as_a_document_is_kept_as_an_attachment(
    client: App, fake_api: FakeTelegramApi, mime_type: str, file_name: str, content: bytes,
) -> None:
    await _post(client, _document(fake_api, 2011, mime_type, file_name, content))
    [answer] = await fake_api.wait_for("sendMessage")
    assert "bestand ontvangen" in answer.params["text"]
    [stored] = await _messages(client)
    [document] = stored.payload["attachments"]
    assert (document["kind"], document["mime_type"], document["name"], document["size"]) == \
        ("document", mime_type, file_name, len(content))


@pytest.mark.parametrize(("mime_type", "content", "size", "reason"), [
    ("application/pdf", ZIP, None, "application/zip"),  # the bytes tell, not the sender
    ("application/pdf", PDF, 25 * 1024 * 1024, "groter dan 10 MB")])
async def test_document_beyond_the_limits_is_refused_with_the_reason(
    client: App, fake_api: FakeTelegramApi, mime_type: str, content: bytes, size: int | None,
    reason: str,
) -> None:
    await _post(client, _document(fake_api, 2012, mime_type, "logs.bin", content, size))
    [answer] = await fake_api.wait_for("sendMessage")
    assert "niet aannemen" in answer.params["text"] and reason in answer.params["text"]
    await client.app[INTAKE].drain()
    [stored] = await _messages(client)
    assert stored.payload["attachments"] == []
    assert stored.payload["refused_attachments"][0]["name"] == "logs.bin"


async def test_edited_message_is_answered_as_a_new_one_and_marked_as_an_edit(
    client: App, fake_api: FakeTelegramApi,
) -> None:
    await _post(client, text_update(2013, 4242, "hallo", message_id=77))
    await fake_api.wait_for("sendMessage")
    edit = edited_update(2014, 4242, 77, "tot hoe laat zijn jullie vandaag open?")
    await _post(client, edit)
    await _post(client, edit)  # delivered twice: still one answer
    answers = await fake_api.wait_for("sendMessage", count=2)
    assert "22:00" in answers[-1].params["text"]
    original, edited = await _messages(client)
    assert original.text == "hallo" and edited.payload["edit_of"] == "4242:77"
    assert len(fake_api.calls_of("sendMessage")) == 2
