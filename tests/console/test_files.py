"""Stored files reach agents only with a console session and customers only through a
signed link that expires; types are sniffed and only raster images are shown inline."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.clock import FrozenClock
from bot.config import Settings
from bot.files import LocalFileStore, signed_path
from bot.storage.database import Database
from tests.bot.test_files import JPEG, NOW, PDF
from tests.console.helpers import login
from wiring.app import init_app

SECRET = "file-link-secret-for-tests"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>'
Client = TestClient[Any, Any]


@pytest.fixture
async def app(console_db: Database, tmp_path: Path) -> AsyncIterator[Client]:
    settings = Settings(database_url=console_db.url, nlu_url="http://127.0.0.1:9",
                        files_dir=tmp_path / "files", file_link_secret=SECRET)
    client: Client = TestClient(TestServer(init_app(settings, FrozenClock(NOW))))
    await client.start_server()
    yield client
    await client.close()


@pytest.fixture
def store(tmp_path: Path) -> LocalFileStore:
    return LocalFileStore(tmp_path / "files")


async def test_agent_needs_a_session_to_read_a_file(app: Client, store: LocalFileStore) -> None:
    key = await store.put(PDF)
    assert (await app.get(f"/console/api/files/{key}")).status == 401
    await login(app, "ann")
    response = await app.get(f"/console/api/files/{key}?name=invoice 118.pdf")
    assert response.status == 200 and await response.read() == PDF
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="invoice 118.pdf"'
    assert response.headers["X-Content-Type-Options"] == "nosniff"


async def test_photo_is_shown_inline_and_svg_never(app: Client, store: LocalFileStore) -> None:
    photo, drawing = await store.put(JPEG), await store.put(SVG)
    await login(app, "ann")
    inline = await app.get(f"/console/api/files/{photo}")
    assert inline.headers["Content-Type"] == "image/jpeg"
    assert "Content-Disposition" not in inline.headers
    svg = await app.get(f"/console/api/files/{drawing}?name=chart.svg")
    assert svg.headers["Content-Type"] == "application/octet-stream"
    assert svg.headers["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in svg.headers["Content-Security-Policy"]


async def test_unknown_file_is_a_404(app: Client) -> None:
    await login(app, "ann")
    assert (await app.get("/console/api/files/" + "0" * 64)).status == 404
    assert (await app.get("/console/api/files/not-a-key")).status == 404


async def test_customer_reads_a_file_through_a_signed_link_until_it_expires(
    app: Client, store: LocalFileStore,
) -> None:
    key = await store.put(PDF)
    valid = signed_path(SECRET, key, NOW + timedelta(hours=1))
    expired = signed_path(SECRET, key, NOW - timedelta(seconds=1))
    assert await (await app.get(valid)).read() == PDF
    assert (await app.get(expired)).status == 403
    assert (await app.get(valid.replace("signature=", "signature=0"))).status == 403
    assert (await app.get(f"/files/{key}")).status == 403
