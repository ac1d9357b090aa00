"""The async NLU client against the real Rasa service, a dead port and a slow server."""

from __future__ import annotations

import asyncio
import time

import pytest
from aiohttp import web

from nlu.client import NluClient, ParseResult
from nlu.errors import NluUnavailableError
from tests.conftest import free_port


async def test_real_service_returns_a_typed_parse(nlu_service: tuple[str, str]) -> None:
    url, token = nlu_service
    async with NluClient(url, token) as client:
        result = await client.parse("what is the status of my ticket T-10234?")
    assert result.intent.name == "ticket_status"
    assert 0 < result.intent.confidence <= 1
    assert result.ranking[0].name == "ticket_status"
    assert result.first("ticket_id") == "T-10234"


async def test_wrong_token_is_an_error_not_a_hang(nlu_service: tuple[str, str]) -> None:
    url, _ = nlu_service
    async with NluClient(url, "wrong-token", retries=0) as client:
        with pytest.raises(NluUnavailableError, match="HTTP 401"):
            await client.parse("hello")


async def test_unreachable_service_raises_typed_error_after_retries() -> None:
    async with NluClient(f"http://127.0.0.1:{free_port()}", "t", retries=2) as client:
        with pytest.raises(NluUnavailableError):
            await client.parse("hello")


async def test_slow_service_times_out() -> None:
    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(5)
        return web.json_response({})

    app = web.Application()
    app.router.add_post("/model/parse", slow)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        async with NluClient(f"http://127.0.0.1:{port}", "t", timeout=0.3, retries=1) as client:
            started = time.monotonic()
            with pytest.raises(NluUnavailableError):
                await client.parse("hello")
            assert time.monotonic() - started < 2.5
    finally:
        await runner.cleanup()


def test_overlapping_entities_keep_the_regex_extractor() -> None:
    result = ParseResult.from_rasa({
        "text": "T-10234", "intent": {"name": "ticket_status", "confidence": 0.9},
        "entities": [
            {"entity": "product", "value": "T-10", "start": 0, "end": 4,
             "extractor": "DIETClassifier"},
            {"entity": "ticket_id", "value": "T-10234", "start": 0, "end": 7,
             "extractor": "RegexEntityExtractor"},
        ],
    })
    assert [(e.entity, e.value) for e in result.entities] == [("ticket_id", "T-10234")]
