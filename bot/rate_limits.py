"""Rate limits that hold across app processes: counted in Redis when `SUPPORTBOT_REDIS_URL`
is set, so two replicas (or `supportbot run --workers 2`) do not double a client's
allowance; in this process's memory otherwise.

If Redis does not answer, the count falls back to this process's memory (logged), so an
outage of Redis never locks every customer and agent out; the allowance is then per
process until Redis is back.
"""

from __future__ import annotations

import logging

from limits import RateLimitItem
from limits.aio.storage import MemoryStorage, RedisStorage
from limits.aio.strategies import RateLimiter
from limits.errors import StorageError

log = logging.getLogger(__name__)
REDIS_SCHEMES = {"redis": "async+redis", "rediss": "async+rediss"}


def async_redis_uri(url: str) -> str:
    """The `limits` library's name for a Redis URL (`redis://h:p/0` -> `async+redis://...`)."""
    scheme, separator, rest = url.partition("://")
    if not separator or scheme not in REDIS_SCHEMES:
        raise ValueError(f"not a redis:// or rediss:// URL: {url!r}")
    return f"{REDIS_SCHEMES[scheme]}://{rest}"


class Limiter:
    """One rate-limiting strategy over Redis (when configured) or memory."""

    def __init__(self, strategy: type[RateLimiter], redis_url: str | None = None,
                 key_prefix: str = "supportbot:limits") -> None:
        self._local = strategy(MemoryStorage())
        self._shared: RateLimiter | None = None
        if redis_url:
            self._shared = strategy(RedisStorage(
                async_redis_uri(redis_url), implementation="redispy", key_prefix=key_prefix,
                wrap_exceptions=True))

    @property
    def shared(self) -> bool:
        return self._shared is not None

    async def hit(self, item: RateLimitItem, *identifiers: str) -> bool:
        """Count one hit; False if it is over the limit."""
        if self._shared is not None:
            try:
                return await self._shared.hit(item, *identifiers)
            except StorageError as error:
                log.warning("rate limit storage unavailable, counting in memory: %s", error)
        return await self._local.hit(item, *identifiers)

    async def test(self, item: RateLimitItem, *identifiers: str) -> bool:
        """Whether one more hit would be within the limit (nothing is counted)."""
        if self._shared is not None:
            try:
                return await self._shared.test(item, *identifiers)
            except StorageError as error:
                log.warning("rate limit storage unavailable, counting in memory: %s", error)
        return await self._local.test(item, *identifiers)
