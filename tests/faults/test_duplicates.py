"""Duplicate and reordered deliveries: 250 Telegram updates and 250 signed WhatsApp messages,
each delivered twice in a shuffled order, 50 at a time. Every call is acknowledged, every
message is stored and answered once, and the platforms receive exactly one reply set each.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from bot.storage.models import Conversation, Message, OutboxItem
from tests.fakes.telegram_api import text_update
from tests.fakes.twilio_api import inbound_form
from tests.faults.conftest import (
    SECRET_HEADER,
    SIGNATURE_HEADER,
    TELEGRAM_SECRET,
    Stack,
    StartStack,
    twilio_signature,
)
from wiring.app import INTAKE

PER_CHANNEL = 250
BATCH = 50
SEED = 1000
# Short texts keep the NLU quick; they still take different paths through the dialogue.
TEXTS = ["hi", "hello", "opening hours?", "price of support?", "thanks", "my router is broken",
         "hallo", "openingstijden?", "bye", "who are you?"]


@dataclass(frozen=True)
class Delivery:
    """One webhook call: the channel, the recipient the answer goes to, and the request."""

    channel: str
    recipient: str
    path: str
    kwargs: dict[str, Any]


def telegram_delivery(index: int) -> Delivery:
    chat_id = 700_000 + index
    update = text_update(90_000 + index, chat_id, TEXTS[index % len(TEXTS)], language_code="en")
    return Delivery("telegram", str(chat_id), "/webhooks/telegram",
                    {"json": update, "headers": {SECRET_HEADER: TELEGRAM_SECRET}})


def whatsapp_delivery(index: int) -> Delivery:
    number = f"+316100{index:05d}"
    form = inbound_form(f"SM{index:032x}", number, TEXTS[index % len(TEXTS)])
    path = "/webhooks/whatsapp"
    return Delivery("whatsapp", number, path, {
        "data": form, "headers": {SIGNATURE_HEADER: twilio_signature(path, form)}})


async def _deliver(stack: Stack, delivery: Delivery) -> int:
    async with stack.client.post(delivery.path, **delivery.kwargs) as response:
        await response.read()
        return response.status


async def _settle(stack: Stack, timeout: float = 60.0) -> None:  # noqa: ASYNC109
    """Wait until answering is over and every outbox row is sent or failed. A message whose
    answer failed stays unprocessed (the app retries it only at its next start); the
    assertions then count it as lost."""
    deadline = time.monotonic() + timeout
    while True:
        await stack.client.app[INTAKE].drain()
        async with stack.database.sessions() as session:
            open_rows = list((await session.execute(select(OutboxItem.id).where(
                OutboxItem.status.not_in(("sent", "failed"))))).scalars())
        if not open_rows:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{len(open_rows)} outbox rows still open after {timeout}s")
        await asyncio.sleep(0.2)


async def test_duplicate_and_reordered_webhooks_are_each_processed_once(
    start_stack: StartStack, nlu_service: tuple[str, str],
) -> None:
    stack = await start_stack(*nlu_service)
    originals = ([telegram_delivery(i) for i in range(PER_CHANNEL)]
                 + [whatsapp_delivery(i) for i in range(PER_CHANNEL)])
    calls = originals * 2
    random.Random(SEED).shuffle(calls)

    statuses: list[int] = []
    for start in range(0, len(calls), BATCH):
        batch = calls[start:start + BATCH]
        statuses += await asyncio.gather(*(_deliver(stack, call) for call in batch))
    await _settle(stack)

    async with stack.database.sessions() as session:
        inbound = list((await session.execute(
            select(Message.channel, Message.channel_message_id, Message.processed_at,
                   Conversation.external_chat_id)
            .join(Conversation, Conversation.id == Message.conversation_id)
            .where(Message.direction == "in"))).all())
        rows = list((await session.execute(
            select(OutboxItem.channel, OutboxItem.recipient, OutboxItem.status,
                   OutboxItem.platform_message_id, Conversation.id)
            .join(Conversation, Conversation.id == OutboxItem.conversation_id))).all())

    # What each recipient should have received: one platform message per sent chunk.
    expected: Counter[tuple[str, str]] = Counter()
    platform_ids: list[str] = []
    for channel, recipient, status, sent_ids, _conversation in rows:
        assert status == "sent", (channel, recipient, status)
        ids = (sent_ids or "").split(",")
        platform_ids += [f"{channel}:{sent_id}" for sent_id in ids]
        expected[(channel, recipient)] += len(ids)
    received: Counter[tuple[str, str]] = Counter()
    for call in stack.telegram.calls_of("sendMessage"):
        received[("telegram", str(call.params["chat_id"]))] += 1
    for message in stack.twilio.messages:
        received[("whatsapp", message.params["To"].removeprefix("whatsapp:"))] += 1

    processed = {(m.channel, m.external_chat_id) for m in inbound if m.processed_at is not None}
    recipients = {(d.channel, d.recipient) for d in originals}
    answered = sum(1 for key in recipients
                   if key in processed and expected[key] > 0 and received[key] == expected[key])
    stored_ids = Counter((m.channel, m.channel_message_id) for m in inbound)
    acknowledged = statuses.count(200)
    summary = (f"fault duplicates: sent={len(calls)} acknowledged={acknowledged} "
               f"answered={answered} duplicates={len(calls) - len(inbound)} "
               f"lost={len(originals) - answered}")
    print(summary)
    assert acknowledged == len(calls), f"{summary}; statuses {Counter(statuses)}"
    assert len(inbound) == len(stored_ids) == len(originals), summary
    assert all(m.processed_at is not None for m in inbound), summary
    assert len(platform_ids) == len(set(platform_ids)), f"{summary}; a row was sent twice"
    assert received == expected, summary
    assert answered == len(originals), summary
    conversations = {conversation for *_, conversation in rows}
    assert len(conversations) == len(originals), f"{summary}; one conversation per chat"
