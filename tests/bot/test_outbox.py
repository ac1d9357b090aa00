"""The outbox worker: sent once, retried with backoff, failed rows kept visible, and rows
interrupted by a crash never resent."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.channel import Delivery, DeliveryError
from bot.clock import SystemClock
from bot.outbox import OutboxWorker
from bot.storage.database import Database
from bot.storage.models import Conversation, Customer, Message, OutboxItem


class RecordingSender:
    channel = "test"

    def __init__(self, failures: list[DeliveryError] | None = None) -> None:
        self.sent: list[str] = []
        self.failures = failures or []

    async def send(self, delivery: Delivery) -> str:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(delivery.reply.text)
        return f"p{len(self.sent)}"


async def _queue(database: Database, text: str, status: str = "pending") -> int:
    now = datetime.now(UTC)
    async with database.transaction() as session:
        customer = Customer(channel="test", external_id="c1", created_at=now)
        session.add(customer)
        await session.flush()
        conversation = Conversation(customer_id=customer.id, channel="test",
                                    external_chat_id="c1", state={}, created_at=now,
                                    last_message_at=now)
        session.add(conversation)
        await session.flush()
        message = Message(conversation_id=conversation.id, channel="test", direction="out",
                          sender="bot", text=text, payload={}, created_at=now)
        session.add(message)
        await session.flush()
        item = OutboxItem(conversation_id=conversation.id, message_id=message.id,
                          channel="test", recipient="c1", payload={"text": text},
                          status=status, next_attempt_at=now, created_at=now)
        session.add(item)
        await session.flush()
        return item.id


async def _status(database: Database, item_id: int) -> OutboxItem:
    async with database.sessions() as session:
        return (await session.execute(
            select(OutboxItem).where(OutboxItem.id == item_id))).scalar_one()


async def test_a_reply_is_sent_once(database: Database) -> None:
    sender = RecordingSender()
    worker = OutboxWorker(database, {"test": sender}, SystemClock())
    item_id = await _queue(database, "hello")
    await worker.run_once()
    await worker.run_once()
    assert sender.sent == ["hello"]
    row = await _status(database, item_id)
    assert row.status == "sent" and row.platform_message_id == "p1"


async def test_transient_failure_is_retried_and_permanent_one_kept_visible(
    database: Database,
) -> None:
    sender = RecordingSender([DeliveryError("timeout", retry_after=0),
                              DeliveryError("blocked by user", permanent=True)])
    worker = OutboxWorker(database, {"test": sender}, SystemClock())
    item_id = await _queue(database, "hello")
    await worker.run_once()
    assert (await _status(database, item_id)).status == "pending"
    await worker.run_once()
    row = await _status(database, item_id)
    assert row.status == "failed" and row.attempts == 2
    assert row.last_error == "blocked by user" and sender.sent == []


async def test_row_interrupted_while_sending_is_not_resent(database: Database) -> None:
    sender = RecordingSender()
    item_id = await _queue(database, "maybe sent", status="sending")
    worker = OutboxWorker(database, {"test": sender}, SystemClock())
    assert await worker.recover_interrupted() == 1
    await worker.run_once()
    row = await _status(database, item_id)
    assert row.status == "failed" and "not resent" in (row.last_error or "")
    assert sender.sent == []


class ChunkingSender:
    """Sends a reply in two chunks; the second fails on the first attempt."""

    channel = "test"

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.failed_once = False

    async def send(self, delivery: Delivery) -> str:
        chunks = [delivery.reply.text[:5], delivery.reply.text[5:]]
        ids = list(delivery.sent_ids)
        for index in range(delivery.parts_sent, len(chunks)):
            if index == 1 and not self.failed_once:
                self.failed_once = True
                raise DeliveryError("connection reset", retry_after=0, parts_sent=len(ids),
                                    sent_ids=tuple(ids))
            self.sent.append(chunks[index])
            ids.append(f"p{len(self.sent)}")
        return ",".join(ids)


async def test_retry_of_a_long_reply_sends_only_the_chunks_that_failed(
    database: Database,
) -> None:
    sender = ChunkingSender()
    worker = OutboxWorker(database, {"test": sender}, SystemClock())
    item_id = await _queue(database, "hello world")
    await worker.run_once()
    assert (await _status(database, item_id)).parts_sent == 1
    await worker.run_once()
    row = await _status(database, item_id)
    assert sender.sent == ["hello", " world"]
    assert row.status == "sent" and row.platform_message_id == "p1,p2"
