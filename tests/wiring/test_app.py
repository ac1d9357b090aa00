"""The web application: health and readiness, and the knowledge-base pages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.config import Settings
from bot.storage.database import Database
from bot.storage.migrate import upgrade
from tests.conftest import free_port
from wiring.app import init_app


async def _client(settings: Settings) -> TestClient:  # type: ignore[type-arg]
    await upgrade(Database(settings.database_url))
    client: TestClient = TestClient(TestServer(init_app(settings)))  # type: ignore[type-arg]
    await client.start_server()
    return client


@pytest.fixture
async def app_client(tmp_path: Path,
                     nlu_service: tuple[str, str]) -> AsyncIterator[TestClient]:  # type: ignore[type-arg]
    url, token = nlu_service
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'app.db'}",
                        nlu_url=url, nlu_token=token)
    client = await _client(settings)
    yield client
    await client.close()


async def test_health_and_readiness_with_database_and_nlu(app_client: TestClient) -> None:  # type: ignore[type-arg]
    assert (await app_client.get("/healthz")).status == 200
    ready = await app_client.get("/readyz")
    assert ready.status == 200
    assert await ready.json() == {"status": "ok", "database": True, "nlu": True}


async def test_readiness_fails_when_the_nlu_service_is_down(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'app.db'}",
                        nlu_url=f"http://127.0.0.1:{free_port()}")
    client = await _client(settings)
    try:
        ready = await client.get("/readyz")
        assert ready.status == 503
        assert (await ready.json())["nlu"] is False
    finally:
        await client.close()


async def test_article_links_open_a_readable_page(app_client: TestClient) -> None:  # type: ignore[type-arg]
    page = await app_client.get("/kb/nl/support-hours")
    assert page.status == 200
    html = await page.text()
    assert "<h1>Openingstijden" in html and "06:00" in html
    assert (await app_client.get("/kb/nl/no-such-article")).status == 404
