"""The web-chat WebSocket protocol against the real app and NLU model: answers, resume
with history, and every refusal with its close code."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientWebSocketResponse, WSMsgType
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.config import Settings
from bot.storage.database import Database
from bot.storage.migrate import upgrade
from bot.storage.models import WebChatSession
from channels.webchat import WebChatChannel
from wiring.app import CHANNELS, DATABASE, init_app

_ids = itertools.count(1)


@pytest.fixture
async def client(tmp_path: Path,
                 nlu_service: tuple[str, str]) -> AsyncIterator[TestClient]:  # type: ignore[type-arg]
    url, token = nlu_service
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'web.db'}",
                        nlu_url=url, nlu_token=token, public_base_url="https://shop.example.com",
                        webchat_allowed_origins=["https://partner.example.com"],
                        webchat_message_rate="3/10 seconds", webchat_max_frame_bytes=2048,
                        webchat_max_connections_per_ip=3)
    await upgrade(Database(settings.database_url))
    test_client: TestClient = TestClient(TestServer(init_app(settings)))  # type: ignore[type-arg]
    await test_client.start_server()
    yield test_client
    await test_client.close()


async def connect(client: TestClient, token: str | None = None,  # type: ignore[type-arg]
                  origin: str = "https://shop.example.com") -> tuple[ClientWebSocketResponse,
                                                                     dict[str, Any]]:
    ws = await client.ws_connect("/chat/ws", headers={"Origin": origin})
    await ws.send_json({"type": "hello", "token": token, "lang": "en"})
    return ws, await ws.receive_json(timeout=5)


async def say(ws: ClientWebSocketResponse, text: str) -> None:
    await ws.send_json({"type": "message", "id": f"m{next(_ids)}", "text": text})


async def next_message(ws: ClientWebSocketResponse) -> dict[str, Any]:
    while True:
        frame: dict[str, Any] = await ws.receive_json(timeout=15)
        if frame["type"] == "message":
            return frame


async def closed_with(ws: ClientWebSocketResponse) -> tuple[int | None, str]:
    while True:
        message = await ws.receive(timeout=5)
        if message.type in (WSMsgType.CLOSE, WSMsgType.CLOSED):
            return ws.close_code, str(message.extra or "")


async def test_widget_script_and_demo_page_are_served(client: TestClient) -> None:  # type: ignore[type-arg]
    script = await client.get("/chat/widget.js")
    assert script.status == 200 and "javascript" in script.headers["Content-Type"]
    assert "new WebSocket" in await script.text()
    demo = await client.get("/chat/demo")
    assert '<script src="/chat/widget.js"' in await demo.text()


async def test_dutch_question_gets_the_dutch_answer_and_resume_shows_history(
    client: TestClient,  # type: ignore[type-arg]
) -> None:
    ws, welcome = await connect(client)
    assert welcome["type"] == "welcome" and welcome["history"] == []
    token = welcome["token"]
    question = "wanneer zijn jullie zaterdag open?"
    await ws.send_json({"type": "message", "id": "q1", "text": question})
    assert await ws.receive_json(timeout=5) == {"type": "ack", "id": "q1"}
    assert await ws.receive_json(timeout=5) == {"type": "typing", "on": True, "who": "bot"}
    answer = await next_message(ws)
    assert answer["from"] == "bot" and "weekend" in answer["text"] and "maandag" in answer["text"]
    await ws.close()

    again, resumed = await connect(client, token=token)
    assert "token" not in resumed  # the same visitor, no new token
    assert resumed["lang"] == "nl" and "greeting" not in resumed
    assert resumed["agent"] is None and resumed["human"] is False
    assert [(h["from"], h["text"]) for h in resumed["history"]] == [
        ("customer", "wanneer zijn jullie zaterdag open?"), ("bot", answer["text"])]
    await again.close()
    async with client.app[DATABASE].sessions() as session:
        stored = (await session.execute(select(WebChatSession.token_hash))).scalars().all()
    assert stored == [hashlib.sha256(token.encode()).hexdigest()]


@pytest.mark.parametrize(("lang", "words"), [("de", "Wann"), ("nl", "Wanneer"), ("en", "When")])
async def test_first_open_greets_with_suggested_questions_in_the_browser_language(
    client: TestClient, lang: str, words: str,  # type: ignore[type-arg]
) -> None:
    ws = await client.ws_connect("/chat/ws", headers={"Origin": "https://shop.example.com"})
    await ws.send_json({"type": "hello", "token": None, "lang": lang})
    welcome = await ws.receive_json(timeout=5)
    greeting = welcome["greeting"]
    assert welcome["lang"] == lang and greeting["lang"] == lang
    assert [b["payload"] for b in greeting["buttons"]] == [
        "/support_hours", "/warranty_claim", "/mail_setup", "/human_handoff"]
    assert greeting["buttons"][0]["title"].startswith(words)
    await ws.send_json({"type": "button", "id": "s1", "payload": "/support_hours",
                        "title": greeting["buttons"][0]["title"]})
    answer = await next_message(ws)
    assert "06:00" in answer["text"] and answer["lang"] == lang
    await ws.close()


async def test_agent_typing_and_seen_reach_the_visitor(client: TestClient) -> None:  # type: ignore[type-arg]
    ws, _ = await connect(client)
    await say(ws, "hello")
    await next_message(ws)
    async with client.app[DATABASE].sessions() as session:
        visitor = (await session.execute(select(WebChatSession.visitor_id))).scalar_one()
    webchat = client.app[CHANNELS]["webchat"]
    assert isinstance(webchat, WebChatChannel)
    await webchat.show_typing(visitor, "Anna de Vries", True)
    assert await ws.receive_json(timeout=5) == {
        "type": "typing", "on": True, "who": "agent", "name": "Anna de Vries"}
    await webchat.show_typing(visitor, "Anna de Vries", False)
    assert (await ws.receive_json(timeout=5))["on"] is False
    seen_at = datetime.now(UTC)
    await webchat.show_seen(visitor, 1, seen_at)
    assert await ws.receive_json(timeout=5) == {"type": "seen", "up_to": 1,
                                                "at": seen_at.isoformat()}
    await ws.close()


async def test_unknown_token_starts_a_new_conversation(client: TestClient) -> None:  # type: ignore[type-arg]
    ws, welcome = await connect(client, token="not-a-token-we-issued")
    assert welcome["token"] != "not-a-token-we-issued" and welcome["history"] == []
    await ws.close()


async def test_quick_reply_buttons_arrive_and_a_press_is_understood(
    client: TestClient,  # type: ignore[type-arg]
) -> None:
    ws, _ = await connect(client)
    await say(ws, "am I talking to a real person or a bot?")
    offer = await next_message(ws)
    assert [b["payload"] for b in offer["buttons"]] == ["/affirm", "/deny"]
    await ws.send_json({"type": "button", "id": "b1", "payload": "/affirm",
                        "title": offer["buttons"][0]["title"]})
    handoff = await next_message(ws)
    assert "T-" in handoff["text"]
    await ws.close()


async def test_foreign_origin_is_refused_with_4403(client: TestClient) -> None:  # type: ignore[type-arg]
    ws = await client.ws_connect("/chat/ws", headers={"Origin": "https://evil.example.net"})
    code, reason = await closed_with(ws)
    assert code == 4403 and "may not use the chat" in reason
    allowed, welcome = await connect(client, origin="https://partner.example.com")
    assert welcome["type"] == "welcome"
    await allowed.close()


async def test_protocol_errors_are_refused_with_4400(client: TestClient) -> None:  # type: ignore[type-arg]
    ws = await client.ws_connect("/chat/ws", headers={"Origin": "https://shop.example.com"})
    await ws.send_str("{not json")
    assert (await closed_with(ws))[0] == 4400
    ws = await client.ws_connect("/chat/ws", headers={"Origin": "https://shop.example.com"})
    await ws.send_json({"type": "message", "id": "x", "text": "hi"})
    assert (await closed_with(ws))[0] == 4400


async def test_oversized_frame_closes_with_1009_and_long_text_gets_an_error(
    client: TestClient,  # type: ignore[type-arg]
) -> None:
    ws, _ = await connect(client)
    await ws.send_json({"type": "message", "id": "big", "text": "x" * 4000})
    assert (await closed_with(ws))[0] == 1009
    ws, _ = await connect(client)
    await say(ws, "   ")
    error = await ws.receive_json(timeout=5)
    assert error["type"] == "error" and error["code"] == "invalid_message"
    await ws.close()


async def test_message_flood_is_refused_with_4429(client: TestClient) -> None:  # type: ignore[type-arg]
    ws, _ = await connect(client)
    for text in ("hello", "are you there", "anyone?", "hello??"):
        await say(ws, text)
    code, reason = await closed_with(ws)
    assert code == 4429 and "too many messages" in reason


async def test_too_many_connections_from_one_address_are_refused(
    client: TestClient,  # type: ignore[type-arg]
) -> None:
    sockets = [(await connect(client))[0] for _ in range(3)]
    extra = await client.ws_connect("/chat/ws", headers={"Origin": "https://shop.example.com"})
    assert (await closed_with(extra))[0] == 4429
    for ws in sockets:
        await ws.close()
