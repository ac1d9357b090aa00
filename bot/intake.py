"""The one path of an inbound message: store it, then get it answered exactly once.

`receive` returns once the message is stored (so a webhook can acknowledge it) and answers
it in a background task; `submit` stores and answers in one call (the terminal chat and the
tests), through the same two steps. Every answered turn is published as `TurnAnswered`.
`recover` answers messages that were stored but not yet answered when the app stopped.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import InterfaceError, OperationalError
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_random_exponential

from bot.accepting import Accepted, Acceptor
from bot.clock import Clock
from bot.conversation import Inbound, TurnResult
from bot.engine import Engine
from bot.events import Events, MessageAccepted, TurnAnswered
from bot.slots import AdaptiveSlots
from bot.storage.database import Database
from bot.storage.models import Message

log = logging.getLogger(__name__)
ANSWER_ATTEMPTS = 5


class Intake:
    """Accepts inbound messages from channels and gets them answered exactly once."""

    def __init__(self, database: Database, clock: Clock, engine: Engine, events: Events, *,
                 idle_window: timedelta = timedelta(hours=24), concurrency: int = 16,
                 ack_target_s: float = 0.025) -> None:
        self.database = database
        self.clock = clock
        self.engine = engine
        self.events = events
        self.slots = AdaptiveSlots(concurrency, ack_target_s)  # turns answered at once
        self.acceptor = Acceptor(database, clock, idle_window, on_stored=self.slots.observe)
        self._tasks: set[asyncio.Task[None]] = set()

    async def receive(self, inbound: Inbound) -> bool:
        """Persist the message and schedule its answer; False for a duplicate delivery."""
        accepted = await self._accept(inbound)
        if accepted.duplicate:
            return False
        self._schedule(accepted.message_id, accepted.conversation_id)
        return True

    async def submit(self, inbound: Inbound) -> TurnResult:
        """Persist the message and answer it now (a duplicate delivery gets no replies)."""
        accepted = await self._accept(inbound)
        if accepted.duplicate:
            return TurnResult(accepted.message_id, accepted.conversation_id, duplicate=True)
        return await self._answer(accepted.message_id, accepted.conversation_id)

    async def _accept(self, inbound: Inbound) -> Accepted:
        accepted = await self.acceptor.accept(inbound)
        context = {"conversation_id": accepted.conversation_id, "channel": inbound.channel,
                   "message_id": accepted.message_id}
        if accepted.duplicate:
            log.info("duplicate delivery of message %s ignored", accepted.message_id,
                     extra=context)
        else:
            log.info("message %s received", accepted.message_id, extra=context)
            self.events.publish(MessageAccepted(inbound.channel, accepted.message_id,
                                                accepted.conversation_id))
        return accepted

    def _schedule(self, message_id: int, conversation_id: int) -> None:
        task = asyncio.create_task(self._answer_later(message_id, conversation_id),
                                   name=f"answer-{message_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _answer_later(self, message_id: int, conversation_id: int) -> None:
        try:
            async with self.slots.slot():
                await self._answer(message_id, conversation_id)
        except Exception:
            log.exception("answering message %s failed; it stays unprocessed for recovery",
                          message_id, extra={"message_id": message_id})

    async def _answer(self, message_id: int, conversation_id: int) -> TurnResult:
        result = await self._answer_once(message_id, conversation_id)
        if not result.duplicate:
            log.info("message %s answered", message_id,
                     extra={"conversation_id": result.conversation_id,
                            "message_id": message_id, "intent": result.intent,
                            "ticket": result.ticket})
            self.events.publish(TurnAnswered(result))
        return result

    @retry(retry=retry_if_exception_type((OperationalError, InterfaceError, OSError)),
           reraise=True,
           stop=stop_after_attempt(ANSWER_ATTEMPTS),
           wait=wait_random_exponential(multiplier=0.05, max=2.0))
    async def _answer_once(self, message_id: int, conversation_id: int) -> TurnResult:
        """Answer once; a locked SQLite database or a dropped connection is tried again
        (answering is idempotent: an answered message yields no new replies)."""
        return await self.engine.answer(message_id, conversation_id)

    async def recover(self, older_than: timedelta | None = None) -> int:
        """Schedule every stored inbound message that has not been answered yet (only
        those stored before `older_than` ago, when running next to live traffic)."""
        query = select(Message.id, Message.conversation_id).where(
            Message.direction == "in", Message.processed_at.is_(None))
        if older_than is not None:
            query = query.where(Message.created_at < self.clock.now() - older_than)
        async with self.database.sessions() as session:
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
