"""The bucket file store against an S3-compatible server (moto's): content stored once by
its hash, and a second app replica serves a file the first one stored."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import aioboto3
import pytest
from aiohttp.test_utils import TestClient, TestServer
from moto.server import ThreadedMotoServer

from bot.clock import FrozenClock
from bot.config import Settings
from bot.file_stores import file_store
from bot.files import FileMissingError, content_key, signed_path
from bot.files_s3 import S3FileStore
from bot.storage.database import Database
from bot.storage.migrate import upgrade
from tests.bot.test_files import NOW, PDF
from tests.conftest import free_port
from wiring.app import SETTINGS, init_app

BUCKET = "supportbot-attachments"
SECRET = "file-link-secret-for-tests"
KEYS = {"files_s3_access_key_id": "testing", "files_s3_secret_access_key": "testing",
        "files_s3_region": "eu-west-1"}


@pytest.fixture(scope="module")
def s3_server() -> Iterator[str]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
async def bucket_settings(s3_server: str, tmp_path: Path) -> dict[str, Any]:
    session = aioboto3.Session(aws_access_key_id="testing", aws_secret_access_key="testing",
                               region_name="eu-west-1")
    async with session.client("s3", endpoint_url=s3_server) as s3:
        buckets = (await s3.list_buckets())["Buckets"]
        if BUCKET not in {b["Name"] for b in buckets}:
            await s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={
                "LocationConstraint": "eu-west-1"})
    return {"files_s3_bucket": BUCKET, "files_s3_endpoint_url": s3_server, **KEYS}


async def test_bucket_keeps_content_once_and_forgets_it_on_delete(
    bucket_settings: dict[str, Any],
) -> None:
    store = file_store(Settings(**bucket_settings))
    assert isinstance(store, S3FileStore)
    key = await store.put(PDF)
    assert key == content_key(PDF) == await store.put(PDF)
    assert await store.get(key) == PDF and await store.exists(key)
    await store.delete(key)
    assert not await store.exists(key)
    with pytest.raises(FileMissingError):
        await store.get(key)


@pytest.fixture
async def replicas(bucket_settings: dict[str, Any],
                   tmp_path: Path) -> AsyncIterator[list[TestClient[Any, Any]]]:
    clients: list[TestClient[Any, Any]] = []
    for name in ("a", "b"):  # each replica with its own (unused) local folder
        settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / name}.db",
                            nlu_url="http://127.0.0.1:9", files_dir=tmp_path / name,
                            file_link_secret=SECRET, **bucket_settings)
        database = Database(settings.database_url)
        await upgrade(database)
        await database.close()
        client: TestClient[Any, Any] = TestClient(TestServer(init_app(settings,
                                                                      FrozenClock(NOW))))
        await client.start_server()
        clients.append(client)
    yield clients
    for client in clients:
        await client.close()


async def test_second_replica_serves_a_file_the_first_stored(
    replicas: list[TestClient[Any, Any]],
) -> None:
    first, second = replicas
    key = await file_store(first.app[SETTINGS]).put(PDF)
    response = await second.get(signed_path(SECRET, key, NOW + timedelta(hours=1)))
    assert response.status == 200 and await response.read() == PDF
    assert response.headers["Content-Type"] == "application/pdf"
