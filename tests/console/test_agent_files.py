"""An agent attaches a file to a reply: it is checked and stored on upload, then goes out
as a Telegram document or photo, or as a WhatsApp media message whose MediaUrl is a
signed, expiring link of ours that Twilio can fetch."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import update

from bot.clock import FrozenClock
from bot.config import Settings
from bot.storage.database import Database
from bot.storage.models import Conversation, Message
from tests.bot.test_files import JPEG, NOW, PDF
from tests.console.helpers import add_ticket, login, make_agent
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.twilio_api import ACCOUNT_SID, FakeTwilioApi
from wiring.app import init_app

Client = TestClient[Any, Any]
PUBLIC_BASE_URL = "http://bot.example.com"  # http: the session cookie is not Secure
CUSTOMER_CHAT = {"telegram": "4242", "whatsapp": "+31612345678"}


@pytest.fixture
async def fakes() -> AsyncIterator[tuple[FakeTelegramApi, FakeTwilioApi]]:
    async with FakeTelegramApi() as telegram, FakeTwilioApi() as twilio:
        yield telegram, twilio


@pytest.fixture
async def app(database: Database, tmp_path: Path,
              fakes: tuple[FakeTelegramApi, FakeTwilioApi]) -> AsyncIterator[Client]:
    telegram, twilio = fakes
    settings = Settings(database_url=database.url, nlu_url="http://127.0.0.1:9",
                        public_base_url=PUBLIC_BASE_URL, files_dir=tmp_path / "files",
                        file_link_secret="file-link-secret-for-tests",
                        telegram_token=telegram.token, telegram_secret="s3cret",
                        telegram_api_base_url=telegram.base_url,
                        twilio_account_sid=ACCOUNT_SID, twilio_auth_token="twilio-token",
                        twilio_api_base_url=twilio.base_url)
    await make_agent(database, "ann")
    client: Client = TestClient(TestServer(init_app(settings, FrozenClock(NOW))))
    await client.start_server()
    yield client
    await client.close()


async def claimed_ticket(database: Database, channel: str) -> int:
    """A handoff ticket claimed by `ann`, whose customer wrote just now on `channel`."""
    ticket_id = await add_ticket(database, NOW, channel=channel, assigned_to="ann",
                                 status="claimed")
    async with database.transaction() as session:
        conversation = (await session.execute(update(Conversation).values(
            external_chat_id=CUSTOMER_CHAT[channel], last_message_at=NOW)
            .returning(Conversation.id))).scalar_one()
        # The customer wrote just now (the outbox runs on the real clock): the WhatsApp
        # window is open.
        session.add(Message(conversation_id=conversation, channel=channel, direction="in",
                            sender="customer", text="Hebben jullie een foto?", payload={},
                            created_at=datetime.now(UTC)))
    return ticket_id


async def _upload(app: Client, csrf: str, content: bytes, name: str) -> Any:
    return await app.post(f"/console/api/files?name={name}", data=content, headers={
        "Content-Type": "application/octet-stream", "X-CSRF-Token": csrf})


async def _reply(app: Client, csrf: str, ticket_id: int, files: list[dict[str, Any]],
                 text: str = "") -> Any:
    return await app.post(f"/console/api/tickets/{ticket_id}/reply", json={
        "text": text, "files": files}, headers={"X-CSRF-Token": csrf})


async def test_agents_pdf_goes_out_as_a_telegram_document(
    app: Client, database: Database, fakes: tuple[FakeTelegramApi, FakeTwilioApi],
) -> None:
    telegram, _ = fakes
    ticket_id = await claimed_ticket(database, "telegram")
    csrf = await login(app, "ann")
    stored = await (await _upload(app, csrf, PDF, "manual.pdf")).json()
    assert stored["mime_type"] == "application/pdf" and stored["name"] == "manual.pdf"
    response = await _reply(app, csrf, ticket_id, [stored], "Hier is de handleiding.")
    assert response.status == 200, await response.text()
    [document] = await telegram.wait_for("sendDocument")
    assert document.params["document"] == PDF
    [text] = telegram.calls_of("sendMessage")
    assert text.params["text"] == "Hier is de handleiding."
    transcript = await (await app.get(f"/console/api/tickets/{ticket_id}")).json()
    [sent] = transcript["messages"][-1]["attachments"]
    assert sent["url"].startswith(f"/console/api/files/{stored['file']}")


async def test_agents_photo_goes_out_as_a_whatsapp_media_message_twilio_can_fetch(
    app: Client, database: Database, fakes: tuple[FakeTelegramApi, FakeTwilioApi],
) -> None:
    _, twilio = fakes
    ticket_id = await claimed_ticket(database, "whatsapp")
    csrf = await login(app, "ann")
    stored = await (await _upload(app, csrf, JPEG, "router.jpg")).json()
    assert (await _reply(app, csrf, ticket_id, [stored])).status == 200
    [message] = await twilio.wait_for_messages(1)
    [media_url] = message.media_urls
    assert media_url.startswith(f"{PUBLIC_BASE_URL}/files/{stored['file']}?expires=")
    app.session.cookie_jar.clear()  # Twilio has no console session
    fetched = await app.get(urlsplit(media_url)._replace(scheme="", netloc="").geturl())
    assert fetched.status == 200 and await fetched.read() == JPEG


async def test_upload_of_a_refused_type_or_an_unknown_file_is_a_clear_error(
    app: Client, database: Database,
) -> None:
    ticket_id = await claimed_ticket(database, "telegram")
    csrf = await login(app, "ann")
    svg = await _upload(app, csrf, b'<svg xmlns="http://www.w3.org/2000/svg"/>', "x.svg")
    assert svg.status == 415 and "cannot be sent" in await svg.text()
    unknown = await _reply(app, csrf, ticket_id, [{"file": "0" * 64, "name": "x.pdf"}])
    assert unknown.status == 400
    assert "not uploaded" in (await unknown.json())["error"]
