"""A restart between acknowledging a message and sending its reply: the real `supportbot
run` process is killed while the message is being understood, started again, and the
reply goes out exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from tests.conftest import free_port
from tests.fakes.server import LocalServer
from tests.fakes.telegram_api import FakeTelegramApi, text_update
from tests.process import start_app

SECRET = "restart-secret"


class StalledNlu(LocalServer):
    """An NLU service that reports a model but never finishes a parse."""

    def __init__(self) -> None:
        super().__init__()
        self.parse_started = asyncio.Event()

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get("/status", self._status)
        app.router.add_post("/model/parse", self._parse)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    async def _status(self, request: web.Request) -> web.Response:
        return web.json_response({"model_file": "stalled.tar.gz"})

    async def _parse(self, request: web.Request) -> web.Response:
        self.parse_started.set()
        await asyncio.sleep(3600)
        raise AssertionError("unreachable")


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeTelegramApi]:
    async with FakeTelegramApi() as api:
        yield api


async def test_reply_is_sent_exactly_once_after_a_kill_between_ack_and_reply(
    tmp_path: Path, nlu_service: tuple[str, str], fake_api: FakeTelegramApi,
) -> None:
    nlu_url, nlu_token = nlu_service
    port = free_port()
    env = {**os.environ,
           "SUPPORTBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'restart.db'}",
           "SUPPORTBOT_NLU_TOKEN": nlu_token, "SUPPORTBOT_NLU_TIMEOUT_S": "120",
           "SUPPORTBOT_TELEGRAM_TOKEN": fake_api.token, "SUPPORTBOT_TELEGRAM_SECRET": SECRET,
           "SUPPORTBOT_TELEGRAM_API_BASE_URL": fake_api.base_url}
    async with StalledNlu() as stalled:
        first = await start_app({**env, "SUPPORTBOT_NLU_URL": stalled.url}, port)
        try:
            async with aiohttp.ClientSession() as http, http.post(
                f"http://127.0.0.1:{port}/webhooks/telegram",
                json=text_update(3001, 7070, "wat kost een uur support?"),
                headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
            ) as response:
                assert response.status == 200  # acknowledged: Telegram will not resend
            await asyncio.wait_for(stalled.parse_started.wait(), 30)
        finally:
            first.send_signal(signal.SIGKILL)
            await first.wait()
    assert fake_api.calls_of("sendMessage") == []

    second = await start_app({**env, "SUPPORTBOT_NLU_URL": nlu_url}, port)
    try:
        answer = (await fake_api.wait_for("sendMessage", timeout=30))[0]
        assert answer.params["chat_id"] == 7070 and "95" in answer.params["text"]
        await asyncio.sleep(2)  # anything sent twice would have arrived by now
    finally:
        second.send_signal(signal.SIGTERM)
        await second.wait()
    sent = len(fake_api.calls_of("sendMessage"))
    summary = (f"fault app-killed: sent=1 acknowledged=1 answered={min(sent, 1)} "
               f"duplicates={max(sent - 1, 0)} lost={1 - min(sent, 1)}")
    print(summary)
    assert sent == 1, summary
