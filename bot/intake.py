"""Inbound flow shared by every channel: persist first, acknowledge, then process.

`receive` returns once the message is stored (so a webhook can acknowledge it); answering
runs as a background task that writes replies to the outbox and wakes the outbox worker.
`recover` answers messages that were stored but not yet processed when the app stopped.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import InterfaceError, OperationalError
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_random_exponential

from bot.conversation import Inbound, TurnResult
from bot.engine import Engine
from bot.slots import AdaptiveSlots
from bot.storage.models import Message

if TYPE_CHECKING:
    from bot.metrics import Metrics

log = logging.getLogger(__name__)
ANSWER_ATTEMPTS = 5


class Intake:
    """Accepts inbound messages from channels and gets them answered exactly once."""

    def __init__(self, engine: Engine, on_replies: Callable[[TurnResult], None], *,
                 metrics: Metrics | None = None, concurrency: int = 16,
                 ack_target_s: float = 0.025) -> None:
        self.engine = engine
        self.slots = AdaptiveSlots(concurrency, ack_target_s)  # turns answered at once
        engine.acceptor.on_stored = self.slots.observe
        self.on_replies = on_replies
        self.metrics = metrics
        self._tasks: set[asyncio.Task[None]] = set()

    async def receive(self, inbound: Inbound) -> bool:
        """Persist the message and schedule its answer; False for a duplicate delivery."""
        message_id, conversation_id, duplicate = await self.engine.accept(inbound)
        context = {"conversation_id": conversation_id, "channel": inbound.channel,
                   "message_id": message_id}
        if duplicate:
            log.info("duplicate delivery of message %s ignored", message_id, extra=context)
            return False
        log.info("message %s received", message_id, extra=context)
        if self.metrics is not None:
            self.metrics.message_received(inbound.channel)
        self._schedule(message_id, conversation_id)
        return True

    def _schedule(self, message_id: int, conversation_id: int) -> None:
        task = asyncio.create_task(self._answer(message_id, conversation_id),
                                   name=f"answer-{message_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _answer(self, message_id: int, conversation_id: int) -> None:
        try:
            async with self.slots.slot():
                result = await self._handle(message_id, conversation_id)
        except Exception:
            log.exception("answering message %s failed; it stays unprocessed for recovery",
                          message_id, extra={"message_id": message_id})
            return
        log.info("message %s answered", message_id,
                 extra={"conversation_id": result.conversation_id, "message_id": message_id,
                        "intent": result.intent, "ticket": result.ticket})
        self.on_replies(result)

    @retry(retry=retry_if_exception_type((OperationalError, InterfaceError, OSError)),
           reraise=True,
           stop=stop_after_attempt(ANSWER_ATTEMPTS),
           wait=wait_random_exponential(multiplier=0.05, max=2.0))
    async def _handle(self, message_id: int, conversation_id: int) -> TurnResult:
        """Answer once; a locked SQLite database or a dropped connection is tried again
        (answering is idempotent: a processed message yields no new replies)."""
        return await self.engine.handle(message_id, conversation_id)

    async def recover(self, older_than: timedelta | None = None) -> int:
        """Schedule every stored inbound message that has not been answered yet (only
        those stored before `older_than` ago, when running next to live traffic)."""
        query = select(Message.id, Message.conversation_id).where(Message.direction == "in",
                                         Message.processed_at.is_(None))
        if older_than is not None:
            query = query.where(Message.created_at < self.engine.clock.now() - older_than)
        async with self.engine.database.sessions() as session:
            rows = (await session.execute(query.order_by(Message.id))).all()
        in_flight = {task.get_name() for task in self._tasks}
        rows = [row for row in rows if f"answer-{row[0]}" not in in_flight]
        for message_id, conversation_id in rows:
            self._schedule(message_id, conversation_id)
        return len(rows)

    async def drain(self) -> None:
        """Wait for the answers in progress (used at shutdown and in tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
