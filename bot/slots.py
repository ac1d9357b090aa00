"""How many turns are answered at once, adapted to how fast webhooks are acknowledged.

Answering and acknowledging share one event loop. Under a flood every running turn adds
to each pass of the loop, and an acknowledgement needs several passes (a database round
trip each), so many turns at once make webhooks slow. The limit therefore follows the
acknowledgements, like TCP's congestion window: it starts at one, is halved whenever
storing a group of inbound messages took longer than the target and raised by one
whenever that took less than half of it while every slot was taken (so it grows to what
the traffic needs, not past it, and a flood meets a small limit), between 1 and the
configured most. Once nothing has been stored for a moment the limit is set to what is
asked of it: turns still waiting (the backlog of a flood, or messages recovered at start)
get as many slots as they need, up to the most, as no webhook waits then; with none
waiting it falls back to the turns running. Waiting turns start in arrival order.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

QUIET_S = 0.2  # no inbound stored for this long: the waiting turns may all start


class AdaptiveSlots:
    """A semaphore whose size moves between 1 and `most` with the observed latency."""

    def __init__(self, most: int, target_s: float) -> None:
        self.most = most
        self.limit = 1
        self.target_s = target_s
        self.busy = 0
        self._waiting: deque[asyncio.Future[None]] = deque()
        self._observed = 0.0  # loop time of the latest observation
        self._restore: asyncio.TimerHandle | None = None

    def observe(self, latency_s: float) -> None:
        """Take one acknowledgement latency into account."""
        self._observed = asyncio.get_running_loop().time()
        self._watch_quiet()
        if latency_s > self.target_s:
            self.limit = max(1, self.limit // 2)
        elif latency_s < self.target_s / 2 and self.limit <= self.busy and \
                self.limit < self.most:
            self.limit += 1
            self._wake()

    def _watch_quiet(self) -> None:
        if self._restore is None:
            loop = asyncio.get_running_loop()
            self._restore = loop.call_later(QUIET_S, self._after_quiet)

    def _after_quiet(self) -> None:
        loop = asyncio.get_running_loop()
        quiet_for = loop.time() - self._observed
        if quiet_for < QUIET_S:
            self._restore = loop.call_later(QUIET_S - quiet_for, self._after_quiet)
            return
        self._restore = None
        self.limit = max(1, min(self.most, self.busy + len(self._waiting)))
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
        self._watch_quiet()
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
