"""Starting the app as `init_app` assembles it, in the test's event loop, any number of
times in one test; every client started is closed when the block ends."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from bot.clock import Clock
from bot.config import Settings
from wiring.app import init_app

Client = TestClient[Any, Any]


@asynccontextmanager
async def app_clients() -> AsyncIterator[Callable[[Settings, Clock | None], Awaitable[Client]]]:
    clients: list[Client] = []

    async def start(settings: Settings, clock: Clock | None = None) -> Client:
        client: Client = TestClient(TestServer(init_app(settings, clock)))
        await client.start_server()
        clients.append(client)
        return client

    try:
        yield start
    finally:
        for client in clients:
            await client.close()
