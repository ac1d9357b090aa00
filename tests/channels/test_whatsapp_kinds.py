"""Every kind of WhatsApp message Twilio posts gets an answer in the customer's language
and is stored with what it holds: a location (`MessageType=location`, empty `Body`),
voice notes, videos, stickers, contact cards and kinds Twilio cannot pass on."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select

from bot.config import Settings
from bot.files import LocalFileStore, content_key
from bot.storage.database import Database
from bot.storage.models import Message
from tests.apps import app_clients
from tests.fakes.twilio_api import (
    ACCOUNT_SID,
    FakeTwilioApi,
    inbound_form,
    location_form,
    media_url,
    sign,
)
from wiring.app import DATABASE, INTAKE

AUTH_TOKEN = "twilio-auth-token-for-tests"
PUBLIC_BASE_URL = "https://bot.example.com"
CUSTOMER = "+31612345678"
App = TestClient  # type: ignore[type-arg]


def _sid(number: int) -> str:
    return f"SM{number:032x}"


def _media(number: int, media_type: str, message_type: str | None = None) -> dict[str, str]:
    """A message of one media item and no text, as Twilio posts it."""
    return inbound_form(_sid(number), CUSTOMER, "", media_url=media_url(_sid(number)),
                        media_type=media_type, message_type=message_type)


# (form, the kind stored, what the Dutch answer says); the customer writes Dutch first.
KINDS: dict[str, tuple[dict[str, str], str, str]] = {
    "location": (location_form(_sid(11), CUSTOMER, address="Stationsplein 1, Amsterdam",
                               label="Central Station"), "location", "locatie"),
    "voice note": (_media(12, "audio/ogg"), "voice", "spraakberichten"),
    "audio": (_media(13, "audio/mpeg"), "audio", "spraakberichten"),
    "video": (_media(14, "video/mp4"), "video", "video's"),
    "sticker": (_media(15, "image/webp", "sticker"), "sticker", "alleen tekst"),
    "contact card": (_media(16, "text/vcard", "contacts"), "contact", "contact"),
    "unsupported": (inbound_form(_sid(17), CUSTOMER, "", message_type="unsupported"),
                    "unsupported", "dit soort bericht"),
}


@pytest.fixture
async def twilio_api() -> AsyncIterator[FakeTwilioApi]:
    async with FakeTwilioApi() as api:
        yield api


@pytest.fixture
async def client(database: Database, nlu_service: tuple[str, str],
                 twilio_api: FakeTwilioApi, tmp_path: Path) -> AsyncIterator[App]:
    url, token = nlu_service
    twilio_api.auth_token = AUTH_TOKEN
    settings = Settings(database_url=database.url, nlu_url=url, nlu_token=token,
                        public_base_url=PUBLIC_BASE_URL, twilio_account_sid=ACCOUNT_SID,
                        twilio_auth_token=AUTH_TOKEN, twilio_api_base_url=twilio_api.base_url,
                        files_dir=tmp_path / "files")
    async with app_clients() as start:
        yield await start(settings, None)


async def _post(client: App, form: dict[str, str]) -> None:
    signature = sign(AUTH_TOKEN, PUBLIC_BASE_URL + "/webhooks/whatsapp", form)
    response = await client.post("/webhooks/whatsapp", data=form,
                                 headers={"X-Twilio-Signature": signature})
    assert response.status == 200, await response.text()


async def _inbound(client: App) -> list[Message]:
    await client.app[INTAKE].drain()
    async with client.app[DATABASE].sessions() as session:
        return list((await session.execute(select(Message).where(
            Message.direction == "in").order_by(Message.id))).scalars())


@pytest.mark.parametrize("name", list(KINDS))
async def test_whatsapp_message_the_bot_cannot_read_gets_an_answer_in_dutch(
    client: App, twilio_api: FakeTwilioApi, name: str,
) -> None:
    form, kind, answer = KINDS[name]
    await _post(client, inbound_form(_sid(1), CUSTOMER, "Goedemorgen, ik heb een vraag"))
    await twilio_api.wait_for_messages(1)
    seen = len(twilio_api.messages)
    await _post(client, form)
    sent = await twilio_api.wait_for_messages(seen + 1)
    assert answer in sent[-1].params["Body"]
    stored = (await _inbound(client))[-1]
    assert stored.payload["kind"] == kind


async def test_location_is_stored_with_coordinates_and_place(client: App) -> None:
    await _post(client, KINDS["location"][0])
    [stored] = await _inbound(client)
    assert stored.text == ""
    assert stored.payload["content"] == {
        "latitude": 52.370216, "longitude": 4.895168, "title": "Central Station",
        "address": "Stationsplein 1, Amsterdam"}


async def test_voice_note_is_stored_with_its_media_url(client: App) -> None:
    await _post(client, KINDS["voice note"][0])
    [stored] = await _inbound(client)
    [voice] = stored.payload["attachments"]
    assert voice["kind"] == "voice" and voice["mime_type"] == "audio/ogg"
    assert voice["reference"] == media_url(_sid(12))


async def test_location_without_numeric_coordinates_is_a_clear_400(client: App) -> None:
    form: dict[str, Any] = location_form(_sid(18), CUSTOMER, latitude="north")
    signature = sign(AUTH_TOKEN, PUBLIC_BASE_URL + "/webhooks/whatsapp", form)
    response = await client.post("/webhooks/whatsapp", data=form,
                                 headers={"X-Twilio-Signature": signature})
    assert response.status == 400
    assert "Latitude" in await response.text()
    assert await _inbound(client) == []


async def test_reaction_is_no_message_and_gets_no_answer(
    client: App, twilio_api: FakeTwilioApi,
) -> None:
    await _post(client, inbound_form(_sid(19), CUSTOMER, "", message_type="reaction"))
    assert await _inbound(client) == []
    assert twilio_api.messages == []


async def test_pdf_on_whatsapp_is_kept_as_a_document(
    client: App, twilio_api: FakeTwilioApi,
) -> None:
    await _post(client, _media(20, "application/pdf"))
    sent = await twilio_api.wait_for_messages(1)
    assert "received your file" in sent[-1].params["Body"]
    [stored] = await _inbound(client)
    assert stored.payload["kind"] == "document"
    assert stored.payload["attachments"][0]["mime_type"] == "application/pdf"


async def test_file_of_a_refused_type_on_whatsapp_gets_the_reason(
    client: App, twilio_api: FakeTwilioApi,
) -> None:
    await _post(client, _media(21, "application/zip"))
    sent = await twilio_api.wait_for_messages(1)
    assert "application/zip" in sent[-1].params["Body"]
    [stored] = await _inbound(client)
    assert stored.payload["attachments"] == []



async def test_media_is_fetched_with_the_account_credentials_and_stored_by_its_hash(
    client: App, twilio_api: FakeTwilioApi, tmp_path: Path,
) -> None:
    pdf = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
    url = twilio_api.add_media(_sid(22), pdf)
    await _post(client, inbound_form(_sid(22), CUSTOMER, "mijn factuur", media_url=url,
                                     media_type="application/pdf"))
    [stored] = await _inbound(client)
    [document] = stored.payload["attachments"]
    assert document["file"] == content_key(pdf) and document["size"] == len(pdf)
    assert await LocalFileStore(tmp_path / "files").get(document["file"]) == pdf


async def test_media_the_fake_refuses_without_credentials_stays_a_reference(
    client: App, twilio_api: FakeTwilioApi,
) -> None:
    url = twilio_api.add_media(_sid(23), b"OggS" + b"\x00" * 40)
    twilio_api.auth_token = "another-token"  # Twilio no longer accepts our credentials
    await _post(client, inbound_form(_sid(23), CUSTOMER, "", media_url=url,
                                     media_type="audio/ogg"))
    sent = await twilio_api.wait_for_messages(1)
    assert "can't listen to voice messages" in sent[-1].params["Body"]
    [stored] = await _inbound(client)
    assert stored.payload["attachments"][0]["file"] == ""
    assert twilio_api.media_requests  # it was tried


async def test_contact_card_is_read_for_its_name_and_number(
    client: App, twilio_api: FakeTwilioApi,
) -> None:
    card = (b"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Jansen;Piet;;;\r\nFN:Piet Jansen\r\n"
            b"TEL;type=CELL;waid=31205550142:+31 20 555 0142\r\nEND:VCARD\r\n")
    url = twilio_api.add_media(_sid(24), card)
    await _post(client, inbound_form(_sid(24), CUSTOMER, "", media_url=url,
                                     media_type="text/vcard", message_type="contacts"))
    sent = await twilio_api.wait_for_messages(1)
    assert "contact card (Piet Jansen)" in sent[-1].params["Body"]
    [stored] = await _inbound(client)
    assert stored.payload["content"] == {"name": "Piet Jansen", "phone": "+31 20 555 0142"}
