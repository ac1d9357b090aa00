"""Live events between app replicas: a frame for a widget visitor or an agent's console
may have to reach a connection held by another replica. With `SUPPORTBOT_REDIS_URL` set,
events travel through Redis pub/sub; without it (one process, SQLite) they stay local."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any

from redis.asyncio import Redis

log = logging.getLogger(__name__)
Handler = Callable[[dict[str, Any]], Awaitable[None]]
PREFIX = "supportbot:"


class EventBus:
    """In-process delivery: every handler of a topic gets every event published to it."""

    def __init__(self) -> None:
        self.handlers: defaultdict[str, list[Handler]] = defaultdict(list)

    def subscribe(self, topic: str, handler: Handler) -> None:
        self.handlers[topic].append(handler)

    async def publish(self, topic: str, event: dict[str, Any]) -> None:
        await self.deliver(topic, event)

    async def deliver(self, topic: str, event: dict[str, Any]) -> None:
        for handler in list(self.handlers.get(topic, ())):
            try:
                await handler(event)
            except Exception:
                log.exception("handler of %s failed", topic)

    async def start(self) -> None:
        """Nothing to connect to in-process."""

    async def stop(self) -> None:
        """Nothing to close in-process."""


class RedisEventBus(EventBus):
    """Publishes through Redis; a listener task delivers what any replica published."""

    def __init__(self, url: str, prefix: str = PREFIX) -> None:
        super().__init__()
        self.prefix = prefix
        self.redis: Redis = Redis.from_url(url)
        self._listener: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    async def publish(self, topic: str, event: dict[str, Any]) -> None:
        await self.redis.publish(self.prefix + topic, json.dumps(event))

    async def start(self) -> None:
        self._listener = asyncio.create_task(self._listen(), name="event-bus")
        await asyncio.wait_for(self._ready.wait(), 10)

    async def stop(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
        await self.redis.aclose()

    async def _listen(self) -> None:
        while True:
            try:
                async with self.redis.pubsub() as pubsub:
                    await pubsub.psubscribe(self.prefix + "*")
                    self._ready.set()
                    async for message in pubsub.listen():
                        if message.get("type") != "pmessage":
                            continue
                        topic = message["channel"].decode().removeprefix(self.prefix)
                        await self.deliver(topic, json.loads(message["data"]))
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("Redis event bus lost its subscription; reconnecting")
                await asyncio.sleep(1.0)


def event_bus(redis_url: str | None, prefix: str = PREFIX) -> EventBus:
    return RedisEventBus(redis_url, prefix) if redis_url else EventBus()
