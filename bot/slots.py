"""How many turns are answered at once, adapted to how fast webhooks are acknowledged.

Answering and acknowledging share one event loop. Under a flood every running turn adds
to each pass of the loop, and an acknowledgement needs several passes (a database round
trip each), so many turns at once make webhooks slow. The limit therefore follows the
acknowledgements, like TCP's congestion window: halved whenever storing a group of inbound
messages took longer than the target, raised by one whenever it took less than half of
it, between 1 and the configured most, and back to the most once nothing has been
stored for a moment. A quiet app answers with the full concurrency; a flooded one
acknowledges first and answers what it stored one turn at a time until the flood is
over. Waiting turns start in arrival order.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

QUIET_S = 0.2  # no inbound stored for this long: back to the full concurrency


class AdaptiveSlots:
    """A semaphore whose size moves between 1 and `most` with the observed latency."""

    def __init__(self, most: int, target_s: float) -> None:
        self.most = most
        self.limit = most
        self.target_s = target_s
        self.busy = 0
        self._waiting: deque[asyncio.Future[None]] = deque()
        self._observed = 0.0  # loop time of the latest observation
        self._restore: asyncio.TimerHandle | None = None

    def observe(self, latency_s: float) -> None:
        """Take one acknowledgement latency into account."""
        loop = asyncio.get_running_loop()
        self._observed = loop.time()
        if self._restore is None:
            self._restore = loop.call_later(QUIET_S, self._after_quiet)
        if latency_s > self.target_s:
            self.limit = max(1, self.limit // 2)
        elif latency_s < self.target_s / 2 and self.limit < self.most:
            self.limit += 1
            self._wake()

    def _after_quiet(self) -> None:
        loop = asyncio.get_running_loop()
        quiet_for = loop.time() - self._observed
        if quiet_for < QUIET_S:
            self._restore = loop.call_later(QUIET_S - quiet_for, self._after_quiet)
            return
        self._restore = None
        self.limit = self.most
        self._wake()

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        await self._acquire()
        try:
            yield
        finally:
            self.busy -= 1
            self._wake()

    async def _acquire(self) -> None:
        if self.busy < self.limit and not self._waiting:
            self.busy += 1
            return
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append(turn)
        try:
            await turn  # `_wake` counted us as busy before waking us
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():
                self.busy -= 1  # woken just as we gave up: pass the slot on
                self._wake()
            raise

    def _wake(self) -> None:
        while self._waiting and self.busy < self.limit:
            turn = self._waiting.popleft()
            if not turn.done():
                self.busy += 1
                turn.set_result(None)
