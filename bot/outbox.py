"""The outbox worker: delivers queued replies through the channel senders.

Rows are claimed (`pending` -> `sending`) before the platform call, so a reply is never
sent twice; failures are retried with exponential backoff or the platform's `retry_after`;
after the last attempt a row is `failed` and stays visible. A row found in `sending` after
a restart was interrupted mid-call: it is marked failed, not resent, to avoid a duplicate.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select, update

from bot.channel import Delivery, DeliveryError, Sender
from bot.clock import Clock
from bot.conversation import Reply
from bot.storage.database import Database
from bot.storage.models import Message, OutboxItem
from bot.tickets import audit

if TYPE_CHECKING:
    from bot.metrics import Metrics

log = logging.getLogger(__name__)


class OutboxWorker:
    """Sends due outbox rows; `wake()` after writing rows makes it look at once."""

    def __init__(self, database: Database, senders: Mapping[str, Sender], clock: Clock,
                 max_attempts: int = 5, base_delay: float = 1.0, poll_interval: float = 1.0,
                 batch: int = 20, *, metrics: Metrics | None = None) -> None:
        self.database = database
        self.metrics = metrics
        self.senders = senders
        self.clock = clock
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.poll_interval = poll_interval
        self.batch = batch
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._unattempted: set[int] = set()  # claimed, the platform not yet called
        self._round = asyncio.Lock()
        self._unrecorded: dict[int, dict[str, object]] = {}  # sent, not yet recorded

    def wake(self) -> None:
        self._wake.set()

    async def start(self) -> None:
        self._stopping = False
        await self.recover_interrupted()
        self._task = asyncio.create_task(self._loop(), name="outbox-worker")

    async def stop(self, grace_s: float = 10.0) -> None:
        """Finish the delivery in progress (so nothing is left half-sent), then stop."""
        if self._task is None:
            return
        self._stopping = True
        self._wake.set()
        try:
            await asyncio.wait_for(asyncio.shield(self._task), grace_s)
        except TimeoutError:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._task = None

    async def _loop(self) -> None:
        while not self._stopping:
            try:
                while not self._stopping and await self.run_once():
                    pass
            except Exception:
                log.exception("outbox worker round failed; retrying")
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.poll_interval):
                    await self._wake.wait()
            self._wake.clear()

    async def recover_interrupted(self) -> int:
        """Mark rows left in `sending` by a crash as failed (never resent)."""
        now = self.clock.now()
        async with self.database.transaction() as session:
            rows = (await session.execute(
                select(OutboxItem).where(OutboxItem.status == "sending")
                .where(OutboxItem.channel.in_(list(self.senders)))
            )).scalars().all()
            for row in rows:
                row.status = "failed"
                row.last_error = "interrupted while sending; not resent to avoid a duplicate"
                await audit(session, now, "outbox", "outbox", row.id, "failed",
                            before={"status": "sending"}, after={"status": "failed"})
        return len(rows)

    async def run_once(self) -> int:
        """Claim and send one batch of due rows; return how many were handled."""
        async with self._round:  # one round at a time, whoever calls
            await self._settle()
            claimed = await self._claim()
            self._unattempted.update(claimed)
            for item_id in claimed:
                await self._deliver(item_id)
            return len(claimed)

    async def _settle(self) -> None:
        """After a database outage: record sends that happened, release claims not tried."""
        for item_id, values in list(self._unrecorded.items()):
            async with self.database.transaction() as session:
                await session.execute(update(OutboxItem).where(OutboxItem.id == item_id)
                                      .values(**values))
            self._unrecorded.pop(item_id, None)
        if self._unattempted:
            ids = list(self._unattempted)
            async with self.database.transaction() as session:
                await session.execute(update(OutboxItem).where(
                    OutboxItem.id.in_(ids), OutboxItem.status == "sending")
                    .values(status="pending"))
            self._unattempted.difference_update(ids)

    async def _claim(self) -> list[int]:
        now = self.clock.now()
        async with self.database.transaction() as session:
            query = (select(OutboxItem.id)
                     .where(OutboxItem.status == "pending", OutboxItem.next_attempt_at <= now,
                            OutboxItem.channel.in_(list(self.senders)))
                     .order_by(OutboxItem.id).limit(self.batch))
            if not self.database.is_sqlite:
                query = query.with_for_update(skip_locked=True)
            ids = list((await session.execute(query)).scalars())
            if ids:
                await session.execute(update(OutboxItem).where(OutboxItem.id.in_(ids))
                                      .values(status="sending"))
        return ids

    async def _deliver(self, item_id: int) -> None:
        async with self.database.sessions() as session:
            item = await session.get(OutboxItem, item_id)
            assert item is not None
            author = (await session.execute(
                select(Message.sender).where(Message.id == item.message_id))).scalar_one()
            last_inbound = (await session.execute(
                select(func.max(Message.created_at)).where(
                    Message.conversation_id == item.conversation_id, Message.direction == "in")
            )).scalar_one_or_none()
        now = self.clock.now()
        delivery = Delivery(item.recipient, Reply.from_payload(item.payload),
                            item.conversation_id, last_inbound, now,
                            message_id=item.message_id, sender=author,
                            parts_sent=item.parts_sent,
                            sent_ids=tuple(filter(None, (item.platform_message_id or "")
                                                  .split(","))))
        self._unattempted.discard(item_id)
        try:
            platform_id = await self.senders[item.channel].send(delivery)
        except DeliveryError as error:
            await self._failed(item_id, item.attempts + 1, error, now, item)
            return
        except Exception as error:  # an unexpected sender bug must not lose the row
            log.exception("sender %s crashed", item.channel, extra=_context(item))
            await self._failed(item_id, item.attempts + 1, DeliveryError(repr(error)), now,
                               item)
            return
        sent = {"status": "sent", "sent_at": self.clock.now(), "attempts": item.attempts + 1,
                "platform_message_id": platform_id, "last_error": None}
        self._unrecorded[item_id] = sent  # kept until the database has it
        async with self.database.transaction() as session:
            await session.execute(update(OutboxItem).where(OutboxItem.id == item_id)
                                  .values(**sent))
        self._unrecorded.pop(item_id, None)
        if self.metrics is not None:
            waited = None if last_inbound is None \
                else (self.clock.now() - last_inbound).total_seconds()
            self.metrics.reply_sent(item.channel, waited)

    async def _failed(self, item_id: int, attempts: int, error: DeliveryError,
                      now: datetime, item: OutboxItem | None = None) -> None:
        final = error.permanent or attempts >= self.max_attempts
        delay = error.retry_after if error.retry_after is not None \
            else self.base_delay * 2 ** (attempts - 1)
        progress: dict[str, object] = {}
        if error.parts_sent is not None:
            progress = {"parts_sent": error.parts_sent,
                        "platform_message_id": ",".join(error.sent_ids)[:1000] or None}
        async with self.database.transaction() as session:
            await session.execute(update(OutboxItem).where(OutboxItem.id == item_id).values(
                status="failed" if final else "pending", attempts=attempts,
                last_error=str(error)[:2000],
                next_attempt_at=now + timedelta(seconds=delay), **progress))
            if final:
                await audit(session, now, "outbox", "outbox", item_id, "failed",
                            before={"status": "sending"},
                            after={"status": "failed", "error": str(error)[:500]})
        context = _context(item) if item is not None else {}
        if not final:
            log.warning("delivery of outbox %s failed (attempt %s), retry in %.1fs: %s",
                        item_id, attempts, delay, error, extra=context)
        else:
            log.error("delivery of outbox %s failed for good after %s attempt(s): %s",
                      item_id, attempts, error, extra=context)


def _context(item: OutboxItem) -> dict[str, object]:
    """Fields of a log record about this row (see `bot.logs`)."""
    return {"conversation_id": item.conversation_id, "channel": item.channel,
            "outbox_id": item.id}
