"""Inbound flow shared by every channel: persist first, acknowledge, then process.

`receive` returns once the message is stored (so a webhook can acknowledge it); answering
runs as a background task that writes replies to the outbox and wakes the outbox worker.
`recover` answers messages that were stored but not yet processed when the app stopped.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from sqlalchemy import select

from bot.conversation import Inbound, TurnResult
from bot.engine import Engine
from bot.storage.models import Message

log = logging.getLogger(__name__)


class Intake:
    """Accepts inbound messages from channels and gets them answered exactly once."""

    def __init__(self, engine: Engine, on_replies: Callable[[TurnResult], None]) -> None:
        self.engine = engine
        self.on_replies = on_replies
        self._tasks: set[asyncio.Task[None]] = set()

    async def receive(self, inbound: Inbound) -> bool:
        """Persist the message and schedule its answer; False for a duplicate delivery."""
        message_id, _, duplicate = await self.engine.accept(inbound)
        if not duplicate:
            self._schedule(message_id)
        return not duplicate

    def _schedule(self, message_id: int) -> None:
        task = asyncio.create_task(self._answer(message_id), name=f"answer-{message_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _answer(self, message_id: int) -> None:
        try:
            result = await self.engine.handle(message_id)
        except Exception:
            log.exception("answering message %s failed; it stays unprocessed for recovery",
                          message_id)
            return
        self.on_replies(result)

    async def recover(self) -> int:
        """Schedule every stored inbound message that has not been answered yet."""
        async with self.engine.database.sessions() as session:
            ids = list((await session.execute(
                select(Message.id).where(Message.direction == "in",
                                         Message.processed_at.is_(None)).order_by(Message.id)
            )).scalars())
        for message_id in ids:
            self._schedule(message_id)
        return len(ids)

    async def drain(self) -> None:
        """Wait for the answers in progress (used at shutdown and in tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
