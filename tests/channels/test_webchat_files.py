"""Files in the web chat against the real app and NLU model, on SQLite and PostgreSQL: a
visitor's upload becomes a photo or document message the bot and agents see like a
Telegram photo, a warranty claim's photo step is filled from the widget, agents' files
reach the widget as signed links, and every refused upload stores nothing."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientWebSocketResponse
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.channel import Delivery
from bot.config import AttachmentLimits, Settings
from bot.conversation import Attachment, Reply
from bot.files import LocalFileStore
from bot.storage.database import Database
from bot.storage.models import Message, Ticket, WebChatSession
from channels.webchat import WebChatChannel
from tests.bot.test_files import JPEG, PDF
from wiring.app import CHANNELS, DATABASE, init_app

Client = TestClient[Any, Any]
ORIGIN = "https://shop.example.com"
MAX_BYTES = 4096
# A 1x1 PNG: what a browser's screenshot or a phone's picture starts with.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8cfc0f01f0005000201a5f7d9b40000000049454e44ae426082")
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>'
_ids = itertools.count(1)


@pytest.fixture
async def client(database: Database, tmp_path: Path,
                 nlu_service: tuple[str, str]) -> AsyncIterator[Client]:
    url, token = nlu_service
    settings = Settings(database_url=database.url, nlu_url=url, nlu_token=token,
                        public_base_url=ORIGIN, files_dir=tmp_path / "files",
                        file_link_secret="file-link-secret-for-tests",
                        webchat_allowed_origins=["https://partner.example.com"],
                        webchat_message_rate="4/10 seconds",
                        attachment_limits={"webchat": AttachmentLimits(max_bytes=MAX_BYTES)})
    test_client: Client = TestClient(TestServer(init_app(settings)))
    await test_client.start_server()
    yield test_client
    await test_client.close()


def store_of(client: Client) -> LocalFileStore:
    return LocalFileStore(client.app[CHANNELS]["webchat"].settings.files_dir)


def stored_files(client: Client) -> list[Path]:
    folder = store_of(client).folder
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


async def connect(client: Client, token: str | None = None) -> tuple[ClientWebSocketResponse,
                                                                     dict[str, Any]]:
    ws = await client.ws_connect("/chat/ws", headers={"Origin": ORIGIN})
    await ws.send_json({"type": "hello", "token": token, "lang": "en"})
    return ws, await ws.receive_json(timeout=5)


async def upload(client: Client, token: str, content: bytes, name: str = "device.png",
                 origin: str = ORIGIN) -> Any:
    return await client.post(f"/chat/files?id=f{next(_ids)}&name={name}", data=content,
                             headers={"Authorization": f"Bearer {token}", "Origin": origin,
                                      "Content-Type": "application/octet-stream"})


async def next_message(ws: ClientWebSocketResponse) -> dict[str, Any]:
    while True:
        frame: dict[str, Any] = await ws.receive_json(timeout=15)
        if frame["type"] == "message":
            return frame


async def customer_messages(client: Client) -> list[Message]:
    async with client.app[DATABASE].sessions() as session:
        return list((await session.execute(
            select(Message).where(Message.sender == "customer").order_by(Message.id))).scalars())


async def test_welcome_tells_the_widget_the_upload_limits(client: Client) -> None:
    ws, welcome = await connect(client)
    assert welcome["attachment_limits"] == {
        "max_bytes": MAX_BYTES, "max_count": 5,
        "types": ["image/jpeg", "image/png", "image/webp", "image/heic", "application/pdf"]}
    await ws.close()


async def test_uploaded_photo_is_a_photo_message_the_bot_answers_and_history_shows(
        client: Client) -> None:
    ws, welcome = await connect(client)
    answer = await upload(client, welcome["token"], PNG, name="broken display.png")
    assert answer.status == 200 and answer.headers["Access-Control-Allow-Origin"] == ORIGIN
    shown = (await answer.json())["file"]
    assert shown["image"] is True and shown["mime_type"] == "image/png"
    assert shown["name"] == "broken display.png" and shown["url"].startswith("/files/")
    picture = await client.get(shown["url"])
    assert picture.status == 200 and await picture.read() == PNG
    assert (await ws.receive_json(timeout=5)) == {"type": "typing", "on": True, "who": "bot"}
    reply = await next_message(ws)
    assert reply["from"] == "bot" and reply["text"]

    [message] = await customer_messages(client)
    [attachment] = message.payload["attachments"]
    key = attachment["file"]
    assert message.payload["kind"] == "photo" and message.text == ""
    assert attachment == {"kind": "photo", "reference": f"file:{key}", "mime_type": "image/png",
                          "size": len(PNG), "name": "broken display.png", "duration": None,
                          "file": key}
    assert await store_of(client).get(key) == PNG
    await ws.close()

    again, resumed = await connect(client, token=welcome["token"])
    [mine] = [h for h in resumed["history"] if h["from"] == "customer"]
    assert [f["name"] for f in mine["files"]] == ["broken display.png"]
    assert (await client.get(mine["files"][0]["url"])).status == 200
    await again.close()


async def test_a_pdf_becomes_a_document_message(client: Client) -> None:
    ws, welcome = await connect(client)
    answer = await upload(client, welcome["token"], PDF, name="invoice.pdf")
    assert answer.status == 200 and (await answer.json())["file"]["image"] is False
    await next_message(ws)
    [message] = await customer_messages(client)
    assert message.payload["kind"] == "document"
    assert message.payload["attachments"][0]["mime_type"] == "application/pdf"
    await ws.close()


async def test_refused_uploads_store_nothing(client: Client) -> None:
    ws, welcome = await connect(client)
    token = welcome["token"]
    wrong_token = await upload(client, "a-token-we-never-issued", PNG)
    assert wrong_token.status == 403
    no_token = await client.post("/chat/files?id=x1", data=PNG, headers={"Origin": ORIGIN})
    assert no_token.status == 403
    too_large = await upload(client, token, PNG + b"\0" * MAX_BYTES)
    assert too_large.status == 413 and "at most" in (await too_large.json())["error"]
    svg = await upload(client, token, SVG, name="drawing.svg")
    assert svg.status == 415 and "image/png" in (await svg.json())["error"]
    foreign = await upload(client, token, PNG, origin="https://evil.example.net")
    assert foreign.status == 403 and "Access-Control-Allow-Origin" not in foreign.headers
    assert stored_files(client) == [] and await customer_messages(client) == []
    await ws.close()


async def test_a_streamed_body_over_the_limit_is_refused_before_it_is_read_whole(
        client: Client) -> None:
    ws, welcome = await connect(client)

    async def chunks() -> AsyncIterator[bytes]:
        yield PNG
        for _ in range(8):
            yield b"\0" * 1024

    answer = await client.post("/chat/files?id=big", data=chunks(), headers={
        "Authorization": f"Bearer {welcome['token']}", "Origin": ORIGIN})
    assert answer.status == 413
    assert stored_files(client) == [] and await customer_messages(client) == []
    await ws.close()


async def test_uploads_are_rate_limited_like_messages(client: Client) -> None:
    ws, welcome = await connect(client)
    statuses = [(await upload(client, welcome["token"], JPEG)).status for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    await ws.close()


async def test_a_partner_site_gets_the_cors_preflight_and_a_foreign_one_does_not(
        client: Client) -> None:
    allowed = await client.options("/chat/files", headers={
        "Origin": "https://partner.example.com", "Access-Control-Request-Method": "POST"})
    assert allowed.status == 204
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://partner.example.com"
    assert "Authorization" in allowed.headers["Access-Control-Allow-Headers"]
    foreign = await client.options("/chat/files", headers={"Origin": "https://evil.example.net"})
    assert foreign.status == 403


async def test_an_agents_file_reaches_the_widget_as_a_signed_link(client: Client) -> None:
    ws, _ = await connect(client)
    async with client.app[DATABASE].sessions() as session:
        visitor = (await session.execute(select(WebChatSession.visitor_id))).scalar_one()
    key = await store_of(client).put(PDF)
    webchat = client.app[CHANNELS]["webchat"]
    assert isinstance(webchat, WebChatChannel)
    offer = Attachment("document", f"file:{key}", "application/pdf", len(PDF),
                       name="repair offer.pdf", file=key)
    reply = Reply("Here is the offer.", files=(offer,))
    await webchat.send(Delivery(recipient=visitor, reply=reply, conversation_id=0,
                                last_inbound_at=None, now=datetime.now(UTC), message_id=1,
                                sender="agent"))
    frame = await next_message(ws)
    [shown] = frame["files"]
    assert shown["name"] == "repair offer.pdf" and shown["image"] is False
    assert "signature=" in shown["url"] and "expires=" in shown["url"]
    document = await client.get(shown["url"])
    assert document.status == 200 and await document.read() == PDF
    assert document.headers["Content-Disposition"].startswith("attachment")
    tampered = await client.get(shown["url"].replace("signature=", "signature=0"))
    assert tampered.status == 403
    await ws.close()


async def test_warranty_photo_step_is_filled_by_an_upload_in_the_widget(client: Client) -> None:
    ws, welcome = await connect(client)
    await ws.send_json({"type": "message", "id": "w1", "text": (
        "warranty claim please. Product AP-60, serial AP60-99-0001, wifi radio dead, "
        "bought through a reseller")})
    asked = await next_message(ws)
    catalogue = client.app[CHANNELS]["webchat"].catalogue
    assert asked["text"] == catalogue.text("en", "warranty_ask_photo")
    answer = await upload(client, welcome["token"], PNG, name="radio.png")
    key = (await customer_messages(client))[-1].payload["attachments"][0]["file"]
    assert answer.status == 200
    confirm = await next_message(ws)
    assert "AP60-99-0001" in confirm["text"] and confirm["buttons"]
    await ws.send_json({"type": "button", "id": "w2", "payload": confirm["buttons"][0]["payload"],
                        "title": confirm["buttons"][0]["title"]})
    done = await next_message(ws)
    assert "T-" in done["text"]
    async with client.app[DATABASE].sessions() as session:
        ticket = (await session.execute(select(Ticket))).scalar_one()
    assert ticket.details["attachments"] == [f"file:{key}"]
    await ws.close()
