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
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channel import Delivery, DeliveryError, Sender
from bot.clock import Clock
from bot.conversation import Reply
from bot.domain import OutboxStatus
from bot.storage.database import Database
from bot.storage.models import Message, OutboxItem
from bot.tickets import audit

if TYPE_CHECKING:
    from bot.metrics import Metrics

log = logging.getLogger(__name__)
SYSTEM_SENDER = "system"  # who wrote a row without a conversation message


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
        """Rounds until one claims less than a full batch, then wait for a wake-up or the
        poll interval. The wake-up is cleared before the rounds, so one that comes while a
        round runs is not lost, and no empty round is run after a short one (one
        transaction less per reply)."""
        while not self._stopping:
            self._wake.clear()
            try:
                while not self._stopping and await self.run_once() >= self.batch:
                    pass
            except Exception:
                log.exception("outbox worker round failed; retrying")
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.poll_interval):
                    await self._wake.wait()

    async def recover_interrupted(self) -> int:
        """Mark rows left in `sending` by a crash as failed (never resent)."""
        now = self.clock.now()
        async with self.database.transaction() as session:
            rows = (await session.execute(
                select(OutboxItem).where(OutboxItem.status == OutboxStatus.SENDING)
                .where(OutboxItem.channel.in_(list(self.senders)))
            )).scalars().all()
            for row in rows:
                row.status = OutboxStatus.FAILED
                row.last_error = "interrupted while sending; not resent to avoid a duplicate"
                await audit(session, now, "outbox", "outbox", row.id, "failed",
                            before={"status": "sending"}, after={"status": "failed"})
        return len(rows)

    async def run_once(self) -> int:
        """Claim and send one batch of due rows; return how many were handled. Rows of
        different conversations are sent concurrently, those of one conversation in order;
        the batch is read in one query and its sends are recorded in one transaction."""
        async with self._round:  # one round at a time, whoever calls
            await self._settle()
            deliveries = await self._claim()
            if not deliveries:
                return 0
            self._unattempted.update(pending.item.id for pending in deliveries)
            by_conversation: dict[int, list[_Pending]] = defaultdict(list)
            for pending in deliveries:
                by_conversation[pending.item.conversation_id].append(pending)
            await asyncio.gather(*(self._send_in_order(group)
                                   for group in by_conversation.values()))
            await self._record([p for p in deliveries if p.sent is not None])
            for pending in deliveries:
                if pending.error is not None:
                    await self._failed(pending.item.id, pending.item.attempts + 1,
                                       pending.error, pending.delivery.now, pending.item)
            return len(deliveries)

    async def _settle(self) -> None:
        """After a database outage: record sends that happened, release claims not tried."""
        await self._mark_sent(dict(self._unrecorded))
        if self._unattempted:
            ids = list(self._unattempted)
            async with self.database.transaction() as session:
                await session.execute(update(OutboxItem).where(
                    OutboxItem.id.in_(ids), OutboxItem.status == OutboxStatus.SENDING)
                    .values(status=OutboxStatus.PENDING))
            self._unattempted.difference_update(ids)

    async def _claim(self) -> list[_Pending]:
        """Claim a batch of due rows and read what to send, in one transaction (one round
        trip set less per reply than claiming and reading apart)."""
        now = self.clock.now()
        async with self.database.transaction() as session:
            query = (select(OutboxItem.id)
                     .where(OutboxItem.status == OutboxStatus.PENDING,
                            OutboxItem.next_attempt_at <= now,
                            OutboxItem.channel.in_(list(self.senders)))
                     .order_by(OutboxItem.id).limit(self.batch))
            if not self.database.is_sqlite:
                query = query.with_for_update(skip_locked=True)
            ids = list((await session.execute(query)).scalars())
            if not ids:
                return []
            await session.execute(update(OutboxItem).where(OutboxItem.id.in_(ids))
                                  .values(status=OutboxStatus.SENDING))
            return await self._load(session, ids)

    async def _load(self, session: AsyncSession, ids: list[int]) -> list[_Pending]:
        """The claimed rows with who wrote each reply and the customer's last message."""
        rows = (await session.execute(
            select(OutboxItem, Message.sender)
            .outerjoin(Message, Message.id == OutboxItem.message_id)
            .where(OutboxItem.id.in_(ids)).order_by(OutboxItem.id))).all()
        conversations = {item.conversation_id for item, _ in rows}
        last_inbound: dict[int, datetime | None] = dict((await session.execute(
            select(Message.conversation_id, func.max(Message.created_at))
            .where(Message.conversation_id.in_(conversations), Message.direction == "in")
            .group_by(Message.conversation_id))).all())
        now = self.clock.now()
        return [_Pending(item, Delivery(
            item.recipient, Reply.from_payload(item.payload), item.conversation_id,
            last_inbound.get(item.conversation_id), now, message_id=item.message_id or 0,
            sender=author or SYSTEM_SENDER, parts_sent=item.parts_sent,
            sent_ids=tuple(filter(None, (item.platform_message_id or "").split(",")))))
            for item, author in rows]

    async def _send_in_order(self, group: list[_Pending]) -> None:
        for pending in group:
            await self._send(pending)

    async def _send(self, pending: _Pending) -> None:
        item = pending.item
        self._unattempted.discard(item.id)
        try:
            platform_id = await self.senders[item.channel].send(pending.delivery)
        except DeliveryError as error:
            pending.error = error
            return
        except Exception as error:  # an unexpected sender bug must not lose the row
            log.exception("sender %s crashed", item.channel, extra=_context(item))
            pending.error = DeliveryError(repr(error))
            return
        pending.sent = {"status": OutboxStatus.SENT, "sent_at": self.clock.now(),
                        "attempts": item.attempts + 1, "platform_message_id": platform_id,
                        "last_error": None}
        self._unrecorded[item.id] = pending.sent  # kept until the database has it

    async def _record(self, sent: list[_Pending]) -> None:
        """Mark the sent rows in one transaction (after an outage `_settle` does it)."""
        await self._mark_sent({p.item.id: p.sent for p in sent if p.sent is not None})
        for pending in sent:
            if self.metrics is not None and pending.item.message_id is not None:
                last = pending.delivery.last_inbound_at
                waited = None if last is None else (self.clock.now() - last).total_seconds()
                self.metrics.reply_sent(pending.item.channel, waited)

    async def _mark_sent(self, sends: dict[int, dict[str, object]]) -> None:
        """Write sends to their rows in one statement; they stay in `_unrecorded` until then."""
        if not sends:
            return
        async with self.database.transaction() as session:
            await session.execute(update(OutboxItem), [
                {"id": item_id, **values} for item_id, values in sends.items()])
        for item_id in sends:
            self._unrecorded.pop(item_id, None)

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
                status=OutboxStatus.FAILED if final else OutboxStatus.PENDING, attempts=attempts,
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


@dataclass
class _Pending:
    """A claimed row in one round: what to send, and how the attempt went."""

    item: OutboxItem
    delivery: Delivery
    sent: dict[str, object] | None = None
    error: DeliveryError | None = None


def _context(item: OutboxItem) -> dict[str, object]:
    """Fields of a log record about this row (see `bot.logs`)."""
    return {"conversation_id": item.conversation_id, "channel": item.channel,
            "outbox_id": item.id}
