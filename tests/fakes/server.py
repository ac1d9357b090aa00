"""A small aiohttp server on a free loopback port: the base of the fake platform APIs."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Self

from aiohttp import web


class LocalServer(ABC):
    """Serves `add_routes` on 127.0.0.1; use `async with` or start/stop."""

    def __init__(self) -> None:
        self._runner: web.AppRunner | None = None
        self._port: int | None = None

    @abstractmethod
    def add_routes(self, app: web.Application) -> None:
        """Register the fake API's routes."""

    async def start(self) -> None:
        """Serve on 127.0.0.1 on a free port."""
        app = web.Application()
        self.add_routes(app)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self._port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()
